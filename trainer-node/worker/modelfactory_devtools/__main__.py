"""`python -m modelfactory_devtools create-model` writes a tiny random model; `... pretrain`
pre-trains (once, cached) the demo base model. Neither is part of the worker protocol."""

from __future__ import annotations

import argparse
import json
import sys

USAGE = "usage: python -m modelfactory_devtools [create-model --out DIR [--arch A] [--size S] [--seed N] | pretrain --out DIR [--steps N] [--corpus PATH...] [--json] [--force]]"


def cli(argv: list[str]) -> int:
    if argv and argv[0] == "create-model":
        from .tiny import ARCHITECTURES, SIZES, create_model

        ap = argparse.ArgumentParser(
            prog="python -m modelfactory_devtools create-model",
            description="Write a random-initialised model with a locally trained tokenizer.",
        )
        ap.add_argument("--out", required=True, help="folder to write (config, safetensors, tokenizer)")
        ap.add_argument("--arch", default="llama", choices=ARCHITECTURES)
        ap.add_argument("--size", default="tiny", choices=list(SIZES))
        ap.add_argument("--seed", type=int, default=0)
        a = ap.parse_args(argv[1:])
        print(json.dumps(create_model(a.out, a.arch, a.size, a.seed)))
        return 0
    if argv and argv[0] == "pretrain":
        from dataclasses import replace

        from .pretrain import PretrainConfig, pretrain

        ap = argparse.ArgumentParser(
            prog="python -m modelfactory_devtools pretrain",
            description="Pre-train the demo base model on CPU; a second run with the same inputs is a no-op.",
        )
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
    print(
        f"{USAGE}\n(got {argv[0]!r}; the worker's own commands are under python -m modelfactory_worker)" if argv else USAGE, file=sys.stderr
    )
    return 2


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
