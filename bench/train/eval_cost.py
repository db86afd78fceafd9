"""Cost of evaluation during training at the node's default frequency (about ten held-out
evaluations per run, job-runner.ts EVALS_PER_RUN): the share of a LoRA run's time spent in them,
the trainer's own timing (TrainResult.eval_seconds over seconds). Held out: one record in ten, the
wizard's default held-out fraction; the evaluations read the trainer's seeded slice of it
(`eval_records` of `held_out`). Target: at most 15 %.

    trainer-node/worker/.venv/bin/python bench/train/eval_cost.py MODEL_DIR [--records N] [--seq S] [--epochs E]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "trainer-node", "worker"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

EVALS_PER_RUN = 10  # the node's default (job-runner.ts)


def eval_share(model_dir: str, records: list[dict], *, seq: int, epochs: int = 1, batch: int = 4) -> dict:
    from modelfactory_worker.chat import ChatFormatter
    from modelfactory_worker.data import tokenize
    from modelfactory_worker.models import load_model
    from modelfactory_worker.records import parse_record
    from modelfactory_worker.train import Trainer
    from modelfactory_worker.trainconfig import TrainConfig

    lm = load_model(model_dir)
    cfg = TrainConfig.from_dict(
        {
            "method": "lora",
            "epochs": epochs,
            "batch_size": batch,
            "max_seq_len": seq,
            "evals_per_run": EVALS_PER_RUN,
            "lora": {"r": 16, "alpha": 32},
        }
    )
    fmt = ChatFormatter(lm.tokenizer)
    parsed = [parse_record(r) for r in records]
    held = max(1, len(parsed) // 10)
    train, ev = tokenize(parsed[held:], fmt, seq).examples, tokenize(parsed[:held], fmt, seq).examples
    with tempfile.TemporaryDirectory() as out:
        t = Trainer(
            lm.model,
            cfg,
            train,
            ev,
            output_dir=out,
            adapter_name="bench",
            pad_id=lm.tokenizer.pad_token_id,
            device=lm.device,
            dtype=lm.dtype,
            emit=lambda e: None,
            cancel=threading.Event(),
        )
        res = t.run()
    return {
        "share": res.eval_seconds / res.seconds,
        "evaluations": len(res.eval_losses),
        "steps": res.step,
        "eval_records": res.eval_records,
        "held_out": len(ev),
        "eval_seconds": res.eval_seconds,
        "seconds": res.seconds,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--records", type=int, default=200)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=1)
    a = ap.parse_args()
    sys.path.insert(0, HERE)
    from bench_records import records

    print(json.dumps(eval_share(a.model_dir, records(a.records, seq=a.seq), seq=a.seq, epochs=a.epochs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
