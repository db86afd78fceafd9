"""`python -m modelfactory_worker` runs the protocol server; `... import-gguf` converts a GGUF base
model and `... export` merges an adapter. Test models and the demo pre-training are developer tools:
`python -m modelfactory_devtools`."""

from __future__ import annotations

import sys


def cli(argv: list[str]) -> int:
    if not argv or argv[0] == "serve":
        from .server import main

        return main()
    if argv[0] == "import-gguf":
        from .gguf_import import cli as import_gguf_cli

        return import_gguf_cli(argv[1:])
    if argv[0] == "export":
        from .export import cli as export_cli

        return export_cli(argv[1:])
    if argv[0] in ("create-model", "pretrain"):
        print(
            f"python -m modelfactory_worker: {argv[0]!r} is a developer tool now; run python -m modelfactory_devtools {argv[0]} ...",
            file=sys.stderr,
        )
        return 2
    print(
        "usage: python -m modelfactory_worker [serve | import-gguf FILE --out DIR | export --model DIR [--adapter DIR] --out DIR]",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
