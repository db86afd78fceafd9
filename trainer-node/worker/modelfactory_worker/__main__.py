"""`python -m modelfactory_worker` runs the protocol server; `... create-model` writes a tiny model;
`... pretrain` pre-trains (once, cached) the demo base model."""

from __future__ import annotations

import argparse
import json
import sys



def cli(argv: list[str]) -> int:
    if not argv or argv[0] == "serve":
        from .server import main

        return main()
    if argv[0] == "create-model":
        from .tiny import ARCHITECTURES, SIZES, create_model

        ap = argparse.ArgumentParser(prog="python -m modelfactory_worker create-model",
                                     description="Write a random-initialised model with a locally trained tokenizer.")
        ap.add_argument("--out", required=True, help="folder to write (config, safetensors, tokenizer)")
        ap.add_argument("--arch", default="llama", choices=ARCHITECTURES)
        ap.add_argument("--size", default="tiny", choices=list(SIZES))
        ap.add_argument("--seed", type=int, default=0)
        a = ap.parse_args(argv[1:])
        print(json.dumps(create_model(a.out, a.arch, a.size, a.seed)))
        return 0
    if argv[0] == "pretrain":
        from dataclasses import replace

        from .pretrain import PretrainConfig, pretrain

        ap = argparse.ArgumentParser(prog="python -m modelfactory_worker pretrain",
                                     description="Pre-train the demo base model on CPU; a second run with the same inputs is a no-op.")
        ap.add_argument("--out", required=True, help="model folder to write (atomically)")
        ap.add_argument("--corpus", nargs="+", help=".txt files or folders of them (default: demo/corpus)")
        ap.add_argument("--steps", type=int, default=PretrainConfig.steps, help="optimizer steps")
        ap.add_argument("--json", action="store_true", help="JSON-lines progress events on stdout")
        ap.add_argument("--force", action="store_true", help="train even when the folder is up to date")
        a = ap.parse_args(argv[1:])
        summary = pretrain(a.out, a.corpus, replace(PretrainConfig(), steps=a.steps), as_json=a.json, force=a.force)
        brief = {k: v for k, v in summary.items() if k not in ("losses", "samples")}
        print(json.dumps({"event": "result", "result": brief} if a.json else brief))
        return 0
    if argv[0] == "import-gguf":
        from .gguf_import import cli as import_gguf_cli

        return import_gguf_cli(argv[1:])
    if argv[0] == "export":
        from .export import cli as export_cli

        return export_cli(argv[1:])
    print("usage: python -m modelfactory_worker [serve | create-model --out DIR [--arch A] [--size S] | pretrain --out DIR [--steps N] | import-gguf FILE --out DIR | export --model DIR [--adapter DIR] --out DIR]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
