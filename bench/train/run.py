"""`train` benchmark suite: tokens/s, MFU and memory of full fine-tuning, LoRA (r=16, all linear
layers) and QLoRA on ~25M and ~110M LLaMA configs at sequence 256, against a plain transformers
Trainer + PEFT baseline with LLaMA-Factory's defaults measured in the same run.

    trainer-node/worker/.venv/bin/python bench/train/run.py [--quick] [--out bench/results/train.json]

Each configuration runs in its own process so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "trainer-node", "worker"))
sys.path.insert(0, HERE)
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SEQ = 256
RANK = 16


def records(n: int, seed: int = 0) -> list[dict]:
    """Instruction records whose answers are paragraphs of 20-200 words: lengths spread up to SEQ."""
    from modelfactory_worker.synthetic import corpus

    rng = random.Random(seed)
    lines = corpus(2000, seed=seed + 1)
    out = []
    for i in range(n):
        words, parts = rng.randint(20, 200), []
        while sum(len(p.split()) for p in parts) < words:
            parts.append(rng.choice(lines))
        out.append({"schema": "modelfactory.record/1", "kind": "instruction",
                    "instruction": f"Tell story number {i} about {rng.choice(lines).split()[0]}.", "input": "",
                    "output": " ".join(parts)})
    return out


def tokenized(model_dir: str, n: int):
    from transformers import AutoTokenizer

    from modelfactory_worker.chat import ChatFormatter
    from modelfactory_worker.data import tokenize
    from modelfactory_worker.records import parse_record

    fmt = ChatFormatter(AutoTokenizer.from_pretrained(model_dir))
    return tokenize([parse_record(r) for r in records(n)], fmt, SEQ).examples


def child(spec: dict) -> dict:
    """One measurement in this process: ours (full / lora / qlora) or the baseline."""
    import threading

    import torch

    from modelfactory_worker.flops import flop_model, measure_matmul_peak
    from modelfactory_worker.memory import MB, tensor_bytes

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    examples = tokenized(spec["model"], 64)
    peak = measure_matmul_peak(torch.device("cpu"), torch.float32)
    warmup, steps = spec["warmup"], spec["steps"]
    if spec["method"] == "baseline":
        from baseline import run_baseline

        with tempfile.TemporaryDirectory() as tmp:
            r = run_baseline(spec["model"], examples, steps=steps, warmup=warmup, rank=RANK, out_dir=tmp)
        fm = flop_model(r["model"])
        # Unpacked rows of ~mean length: attention FLOPs from the real lengths, head on every token.
        mean_len = sum(len(e.input_ids) for e in examples) / len(examples)
        flops = fm.step_flops(r["tokens"], r["tokens"], int(r["tokens"] * mean_len))
        tokens, seconds, extra = r["tokens"], r["seconds"], {}
    else:
        from modelfactory_worker.models import load_model
        from modelfactory_worker.qlora import quantization_report
        from modelfactory_worker.train import Trainer
        from modelfactory_worker.trainconfig import TrainConfig

        lm = load_model(spec["model"], quantization="nf4" if spec["method"] == "qlora" else "none")
        cfg = TrainConfig.from_dict({"method": spec["method"], "max_steps": warmup + steps, "batch_size": 4,
                                     "max_seq_len": SEQ, "packing": True, "eval_fraction": 0.0,
                                     "learning_rate": 1e-4, "lora": {"r": RANK, "alpha": 2 * RANK}})
        events: list[dict] = []
        with tempfile.TemporaryDirectory() as tmp:
            t = Trainer(lm.model, cfg, examples, [], output_dir=tmp, adapter_name="bench",
                        pad_id=lm.tokenizer.pad_token_id, device=lm.device, dtype=lm.dtype, emit=events.append,
                        cancel=threading.Event())
            res = t.run()
        measured = [e for e in events if e["event"] == "progress"][warmup:]
        tokens = sum(e["tokens"] for e in measured)
        seconds = sum(e["step_time_s"] for e in measured)
        flops = sum(e["mfu"] * e["step_time_s"] * t.peak for e in measured)
        tb = tensor_bytes(t.model, t.optimizer)
        extra = {"activation_mb": res.activation_bytes / MB, "tensors_mb": sum(tb.values()) / MB + res.activation_bytes / MB,
                 "quantization": quantization_report(t.model)}
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"tokens": tokens, "seconds": seconds, "tokens_per_s": tokens / seconds, "mfu": flops / seconds / peak,
            "peak_rss_mb": peak_rss, "train_mem_mb": peak_rss - rss0, "matmul_peak_gflops": peak / 1e9, **extra}


def spawn(spec: dict) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"benchmark child failed: {spec}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import torch

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "torch": torch.__version__, "threads": torch.get_num_threads(),
            "python": platform.python_version(), "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="tiny model, one measured step: a smoke test")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "train.json"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(json.loads(a.child))))
        return 0
    from modelfactory_worker.tiny import create_model

    sizes = {"tiny": (1, 1)} if a.quick else {"25m": (1, 3), "110m": (1, 2)}  # (warmup, measured) steps
    metrics: dict[str, dict] = {}
    started = time.time()

    def put(name, value, unit, better):
        metrics[name] = {"value": round(value, 4), "unit": unit, "better": better}

    with tempfile.TemporaryDirectory() as tmp:
        for size, (warmup, steps) in sizes.items():
            model_dir = create_model(os.path.join(tmp, size), "llama", size, seed=0)["path"]
            runs = {}
            for method in ("full", "lora", "qlora", "baseline"):
                runs[method] = spawn({"model": model_dir, "method": method, "warmup": warmup, "steps": steps})
                r = runs[method]
                print(f"  {size:5s} {method:9s} {r['tokens_per_s']:9.1f} tok/s  MFU {100 * r['mfu']:5.1f} %  "
                      f"train mem {r['train_mem_mb']:7.1f} MB", file=sys.stderr, flush=True)
            for method, r in runs.items():
                put(f"{size}.{method}.tokens_per_s", r["tokens_per_s"], "tokens/s", "higher")
                put(f"{size}.{method}.mfu", 100 * r["mfu"], "%", "higher")
                put(f"{size}.{method}.train_memory", r["train_mem_mb"], "MB", "lower")
            full, lora, qlora, base = runs["full"], runs["lora"], runs["qlora"], runs["baseline"]
            put(f"{size}.lora_vs_full.speed", lora["tokens_per_s"] / full["tokens_per_s"], "x", "higher")
            put(f"{size}.lora_vs_full.memory", lora["train_mem_mb"] / full["train_mem_mb"], "x", "lower")
            put(f"{size}.qlora_vs_lora.memory", qlora["train_mem_mb"] / lora["train_mem_mb"], "x", "lower")
            put(f"{size}.qlora.bits_per_param", qlora["quantization"]["bits_per_parameter"], "bits", "lower")
            put(f"{size}.qlora.base_vs_bf16", qlora["quantization"]["ratio_to_bf16"], "x", "lower")
            put(f"{size}.lora_vs_baseline.speed", lora["tokens_per_s"] / base["tokens_per_s"], "x", "higher")
            put(f"{size}.lora_vs_baseline.memory", lora["train_mem_mb"] / base["train_mem_mb"], "x", "lower")
            put(f"{size}.matmul_peak", lora["matmul_peak_gflops"], "GFLOP/s", "higher")
    result = {"suite": "train", "machine": machine(), "quick": a.quick, "seconds": round(time.time() - started, 1),
              "metrics": metrics}
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    tmp_out = a.out + ".tmp"
    with open(tmp_out, "w") as f:
        json.dump(result, f, indent=2)
    os.replace(tmp_out, a.out)
    width = max(len(k) for k in metrics)
    print(f"{'metric':{width}s}  {'value':>12s}  unit")
    for k, m in metrics.items():
        print(f"{k:{width}s}  {m['value']:12.4f}  {m['unit']} ({m['better']} is better)")
    print(f"wrote {a.out} in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
