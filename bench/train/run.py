"""`train` benchmark suite: tokens/s, MFU and memory of full fine-tuning, LoRA (r=16, all linear
layers) and QLoRA on ~25M and ~110M LLaMA configs at sequence 256, and LoRA on the real
SmolLM2-135M-Instruct at sequence 512, against a plain transformers Trainer + PEFT baseline with
LLaMA-Factory's defaults measured in the same run; and per size the share of a LoRA run's time
spent evaluating the held-out split at the node's default frequency (eval_cost.py; target <= 15 %).

    trainer-node/worker/.venv/bin/python bench/train/run.py [--quick] [--sizes 25m 110m smollm2] [--out bench/results/train.json]

`--sizes` with a subset replaces only those sizes' metrics in an existing result file.

Each configuration runs in its own process (measure.py) so that its peak memory is its own; the
configurations advance one optimizer step at a time in turn, and each reports its best measured
step (the machine is shared: the best step is the one least disturbed by others).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "trainer-node", "worker"))
sys.path.insert(0, HERE)
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_records import SEQ, records  # noqa: E402  (after sys.path has HERE)

RANK = 16
# The real model setup.sh converts (trainer-node/worker/README.md); measured at sequence 512 with
# LoRA only (full and QLoRA on it add minutes and say nothing the random configs do not).
SMOLLM2 = os.path.join(os.environ.get("MF_MODELS_DIR") or os.path.join(ROOT, "trainer-node", "models"), "smollm2-135m-instruct")
SIZES = {  # size -> (warmup steps, measured steps, sequence length, configurations)
    "25m": (1, 5, SEQ, None),
    "110m": (1, 3, SEQ, None),
    "smollm2": (1, 3, 512, ("lora", "lora_gc", "baseline")),
}
# Ours: packed rows of SEQ tokens, 4 rows per step. lora_gc trades speed for memory like the
# baseline does: one row per micro-batch, 4 micro-batches per step, gradient checkpointing.
CONFIGS = {
    "full": {"method": "full"},
    "lora": {"method": "lora"},
    "qlora": {"method": "qlora"},
    "lora_gc": {"method": "lora", "batch_size": 1, "grad_accum": 4, "gc": True},
    "baseline": {"method": "baseline"},
}


def tokenized(model_dir: str, n: int, seq: int = SEQ):
    from transformers import AutoTokenizer

    from modelfactory_worker.chat import ChatFormatter
    from modelfactory_worker.data import tokenize
    from modelfactory_worker.records import parse_record

    fmt = ChatFormatter(AutoTokenizer.from_pretrained(model_dir))
    return tokenize([parse_record(r) for r in records(n, seq=seq)], fmt, seq).examples


class Child:
    """A measure.py process for one configuration."""

    def __init__(self, spec: dict):
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": os.pathsep.join(sys.path[:2])}
        self.spec = spec
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "measure.py"), json.dumps(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=HERE,
        )
        self.steps: list[dict] = []
        self.ready = self.read()

    def read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read()[-4000:]
            raise SystemExit(f"benchmark child {self.spec} died:\n{err}")
        return json.loads(line)

    def step(self) -> dict:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        s = self.read()
        self.steps.append(s)
        return s

    def finish(self) -> dict:
        done = self.read()
        self.proc.wait(timeout=120)
        return done


def summarise(child: Child, done: dict, warmup: int, peak: float) -> dict:
    measured = child.steps[warmup:]
    rates = sorted(s["tokens"] / s["seconds"] for s in measured)
    best = max(measured, key=lambda s: s["tokens"] / s["seconds"])
    return {
        "tokens_per_s": rates[-1],
        "tokens_per_s_median": rates[len(rates) // 2],
        "mfu": best["flops"] / best["seconds"] / peak,
        "train_mem_mb": done["train_mem_mb"],
        **done,
    }


def machine() -> dict:
    import torch

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="tiny model, one measured step: a smoke test")
    ap.add_argument("--sizes", nargs="+", choices=list(SIZES), help="only these sizes (merged into an existing --out)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "train.json"))
    a = ap.parse_args()
    import torch

    from modelfactory_worker import flops as flops_mod
    from modelfactory_devtools.tiny import create_model

    sizes = {"tiny": (1, 2, SEQ, None)} if a.quick else {k: v for k, v in SIZES.items() if not a.sizes or k in a.sizes}
    metrics: dict[str, dict] = {}
    if a.sizes and os.path.isfile(a.out):  # keep the other sizes' figures
        with open(a.out) as f:
            metrics = {k: v for k, v in json.load(f).get("metrics", {}).items() if k.split(".")[0] not in sizes}
    started = time.time()

    def put(name, value, unit, better):
        metrics[name] = {"value": round(value, 4), "unit": unit, "better": better}

    with tempfile.TemporaryDirectory() as tmp:
        for size, (warmup, steps, seq, configs) in sizes.items():
            if size == "smollm2":
                if not os.path.isfile(os.path.join(SMOLLM2, "config.json")):
                    raise SystemExit(f"{SMOLLM2} is missing: run `npm run setup:worker` first")
                model_dir = SMOLLM2
            else:
                model_dir = create_model(os.path.join(tmp, size), "llama", size, seed=0)["path"]
            methods = configs or tuple(CONFIGS)
            children = {m: Child({"model": model_dir, "steps": warmup + steps, "seq": seq, **CONFIGS[m]}) for m in methods}
            peaks = []
            for i in range(warmup + steps):  # interleaved: every configuration sees the same machine
                for m in methods:
                    children[m].step()
                # The matmul peak takes its turn too, so that it sees the machine the steps saw.
                flops_mod._PEAK_CACHE.clear()
                peaks.append(flops_mod.measure_matmul_peak(torch.device("cpu"), torch.float32, seconds=1.0))
                print(f"  {size}: round {i + 1}/{warmup + steps} done", file=sys.stderr, flush=True)
            done = {m: children[m].finish() for m in methods}
            peak = max(peaks + [c.ready["peak"] for c in children.values()] + [d["peak"] for d in done.values()])
            runs = {m: summarise(children[m], done[m], warmup, peak) for m in methods}
            for method, r in runs.items():
                print(
                    f"  {size:5s} {method:9s} {r['tokens_per_s']:9.1f} tok/s (median {r['tokens_per_s_median']:8.1f})"
                    f"  MFU {100 * r['mfu']:5.1f} %  train mem {r['train_mem_mb']:7.1f} MB  tensors {r['tensor_mem_mb']:7.1f} MB",
                    file=sys.stderr,
                    flush=True,
                )
                put(f"{size}.{method}.tokens_per_s", r["tokens_per_s"], "tokens/s", "higher")
                put(f"{size}.{method}.mfu", 100 * r["mfu"], "%", "higher")
                put(f"{size}.{method}.train_memory", r["train_mem_mb"], "MB", "lower")
                put(f"{size}.{method}.tensor_memory", r["tensor_mem_mb"], "MB", "lower")
            lora, base, lean = runs["lora"], runs["baseline"], runs["lora_gc"]
            if "full" in runs and "qlora" in runs:
                full, qlora = runs["full"], runs["qlora"]
                put(f"{size}.lora_vs_full.speed", lora["tokens_per_s"] / full["tokens_per_s"], "x", "higher")
                put(f"{size}.lora_vs_full.memory", lora["train_mem_mb"] / full["train_mem_mb"], "x", "lower")
                put(f"{size}.lora_vs_full.tensor_memory", lora["tensor_mem_mb"] / full["tensor_mem_mb"], "x", "lower")
                put(f"{size}.qlora_vs_lora.tensor_memory", qlora["tensor_mem_mb"] / lora["tensor_mem_mb"], "x", "lower")
                put(f"{size}.qlora_vs_lora.memory", qlora["train_mem_mb"] / lora["train_mem_mb"], "x", "lower")
                put(f"{size}.qlora.bits_per_param", qlora["quantization"]["bits_per_parameter"], "bits", "lower")
                put(f"{size}.qlora.base_vs_bf16", qlora["quantization"]["ratio_to_bf16"], "x", "lower")
            put(f"{size}.lora_vs_baseline.tensor_memory", lora["tensor_mem_mb"] / base["tensor_mem_mb"], "x", "lower")
            put(f"{size}.lora_gc_vs_baseline.tensor_memory", lean["tensor_mem_mb"] / base["tensor_mem_mb"], "x", "lower")
            put(f"{size}.lora_vs_baseline.speed", lora["tokens_per_s"] / base["tokens_per_s"], "x", "higher")
            put(f"{size}.lora_vs_baseline.memory", lora["train_mem_mb"] / base["train_mem_mb"], "x", "lower")
            put(f"{size}.lora_gc_vs_baseline.speed", lean["tokens_per_s"] / base["tokens_per_s"], "x", "higher")
            put(f"{size}.lora_gc_vs_baseline.memory", lean["train_mem_mb"] / base["train_mem_mb"], "x", "lower")
            put(f"{size}.matmul_peak", peak / 1e9, "GFLOP/s", "higher")
            # Evaluation during training at the node's default frequency (eval_cost.py), one LoRA run.
            from eval_cost import eval_share

            n, eval_seq = (40, 64) if size == "tiny" else (200, seq)
            cost = eval_share(model_dir, records(n, seq=eval_seq), seq=eval_seq)
            print(
                f"  {size:5s} evaluation during training: {100 * cost['share']:.1f} % of the run "
                f"({cost['evaluations']} evaluations over {cost['steps']} steps)",
                file=sys.stderr,
                flush=True,
            )
            put(f"{size}.eval_during_training.time_share", 100 * cost["share"], "%", "lower")
    result = {
        "suite": "train",
        "machine": machine(),
        "quick": a.quick,
        "seconds": round(time.time() - started, 1),
        "sizes": list(sizes),
        "metrics": metrics,
    }
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
