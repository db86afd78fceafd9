"""`python -m modelfactory_worker` runs the protocol server; `... create-model` writes a tiny model."""

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
    print("usage: python -m modelfactory_worker [serve | create-model --out DIR [--arch A] [--size S]]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
