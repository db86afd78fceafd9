"""Is the demo base model worth fine-tuning? A by-hand check through the worker protocol.

Starts `python -m modelfactory_worker` as the trainer node does, loads the demo base model, trains
a LoRA adapter on one demo Datanet (a seeded share held out), evaluates base vs tuned (perplexity,
BLEU, ROUGE on the held-out split) and asks both a few questions. Prints one JSON summary.

  trainer-node/worker/.venv/bin/python demo/finetune_check.py [--model trainer-node/models/smollm2-135m-instruct]
      [--datanet home-espresso --datanet community-garden] [--skip beans-and-water] [--epochs 1] [--lr 1e-3]
      [--batch 8] [--max-len 256]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKER = REPO / "trainer-node" / "worker"
QUESTIONS = {
    "home-espresso": ["My espresso tastes sour and thin. What is going wrong?", "How often should I descale the boiler?"],
    "community-garden": ["When should I sow carrots?", "What can go in the compost bins?"],
    "bicycle-repair": ["How do I fix a flat tyre?", "My bike makes a squeal when I brake. What is it?"],
}


class Worker:
    """The worker process over JSON lines: send a command, read events until its result."""

    def __init__(self) -> None:
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "modelfactory_worker"],
            cwd=WORKER,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=1,
        )
        ready = json.loads(self.proc.stdout.readline())
        assert ready["event"] == "ready", ready
        self.n = 0

    def call(self, cmd: dict) -> dict:
        self.n += 1
        cid = str(self.n)
        self.proc.stdin.write(json.dumps({**cmd, "id": cid}) + "\n")
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            ev = json.loads(line)
            if ev.get("id") != cid:
                continue
            if ev["event"] == "progress" and ev["step"] % 10 == 0:
                print(f"  train step {ev['step']}/{ev['total_steps']} loss {ev['loss']:.3f}", file=sys.stderr, flush=True)
            if ev["event"] == "error":
                raise RuntimeError(f"{cmd['cmd']}: {ev['code']}: {ev['message']}")
            if ev["event"] == "result":
                return ev["result"]
        raise RuntimeError("worker exited")

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def canonical_records(slug: str, skip: list[str]) -> list[dict]:
    """The Datanet's records as the trainer node hands them over (modelfactory.record/1)."""
    out = []
    for f in sorted((REPO / "demo" / "datanets" / slug / "contributions").glob("*.jsonl")):
        if f.stem in skip:
            continue
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            out.append(
                {
                    "schema": "modelfactory.record/1",
                    "kind": "instruction",
                    "instruction": r["instruction"],
                    "input": r.get("input", ""),
                    "output": r["output"],
                }
            )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(REPO / "trainer-node" / "models" / "smollm2-135m-instruct"))
    ap.add_argument("--datanet", action="append", choices=list(QUESTIONS), help="repeatable; default home-espresso")
    ap.add_argument("--skip", action="append", default=[], help="contribution file stem to leave out (repeatable)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-len", type=int, default=256)
    a = ap.parse_args()
    a.datanet = a.datanet or ["home-espresso"]
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "records.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for d in a.datanet for r in canonical_records(d, a.skip)), encoding="utf-8")
        w = Worker()
        try:
            w.call({"cmd": "load", "model": a.model})
            trained = w.call(
                {
                    "cmd": "train",
                    "data": {"train": str(data)},
                    "output_dir": str(Path(tmp) / "out"),
                    "adapter": "demo",
                    "config": {
                        "method": "lora",
                        "lora": {"r": 16, "alpha": 32, "targets": "all-linear"},
                        "learning_rate": a.lr,
                        "epochs": a.epochs,
                        "batch_size": a.batch,
                        "max_seq_len": a.max_len,
                        "warmup_ratio": 0.05,
                        "eval_fraction": 0.15,
                        "seed": 42,
                    },
                }
            )
            ev = w.call({"cmd": "evaluate", "adapter": "demo", "max_samples": 16, "max_new_tokens": 64})
            answers = []
            for q in [q for d in a.datanet for q in QUESTIONS[d]]:
                msgs = [{"role": "user", "content": q}]
                base = w.call({"cmd": "generate", "messages": msgs, "adapter": None, "max_new_tokens": 60, "stream": False})
                tuned = w.call({"cmd": "generate", "messages": msgs, "adapter": "demo", "max_new_tokens": 60, "stream": False})
                answers.append({"question": q, "base": base["text"], "tuned": tuned["text"]})
        finally:
            w.close()
    summary = {
        "model": a.model,
        "datanet": a.datanet,
        "records": trained["data"],
        "steps": trained["step"],
        "train_seconds": round(trained["seconds"], 1),
        "tokens_per_s": round(trained["tokens_per_s"], 1),
        "final_loss": trained["final_loss"],
        "eval_loss": trained["eval_loss"],
        "perplexity_base": ev["perplexity_base"]["perplexity"],
        "perplexity_tuned": ev["perplexity_tuned"]["perplexity"],
        "bleu_base": ev["generation_base"]["bleu"],
        "bleu_tuned": ev["generation_tuned"]["bleu"],
        "rougeL_base": ev["generation_base"]["rougeL"],
        "rougeL_tuned": ev["generation_tuned"]["rougeL"],
        "answers": answers,
        "total_seconds": round(time.monotonic() - t0, 1),
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
