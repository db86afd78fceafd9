"""The representation baseline of the attribution bench: cosine similarity between mean-pooled
last hidden states of a query and of each passage, from the same model the answers come from.

Reads {"model": folder, "items": [{"queries": {name: text}, "passages": [text]}]} as JSON on stdin;
writes {"items": [{name: [cosine per passage]}]} on stdout.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../trainer-node/worker"))

import torch  # noqa: E402

from modelfactory_worker.models import load_model  # noqa: E402


@torch.inference_mode()
def embed(lm, text: str) -> torch.Tensor:
    ids = lm.tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"].to(lm.device)
    hidden = lm.model(input_ids=ids, output_hidden_states=True).hidden_states[-1][0]
    return torch.nn.functional.normalize(hidden.float().mean(0), dim=0)


def main() -> int:
    request = json.load(sys.stdin)
    lm = load_model(request["model"], device="cpu")
    cache: dict[str, torch.Tensor] = {}

    def vec(text: str) -> torch.Tensor:
        if text not in cache:
            cache[text] = embed(lm, text)
        return cache[text]

    out = []
    for item in request["items"]:
        passages = [vec(p) for p in item["passages"]]
        out.append({name: [float(vec(q) @ p) for p in passages] for name, q in item["queries"].items()})
    json.dump({"items": out}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
