"""One benchmark configuration in its own process, stepping only when the parent says so.

The parent interleaves the configurations step by step (A B C D A B C D …), so that on a shared,
noisy machine every configuration sees the same conditions. Memory is this process's own: the
resident-set high-water mark is reset after set-up and read after the last step.
"""

from __future__ import annotations

import ctypes
import gc
import json
import sys
import threading
import time


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024


def hwm_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024


def reset_hwm() -> None:
    """Drop what set-up freed, then restart the high-water mark (Linux: clear_refs 5)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


class Link:
    """Line protocol with the parent: we print JSON lines, it answers 'go' before each step."""

    def send(self, obj: dict) -> None:
        sys.__stdout__.write(json.dumps(obj) + "\n")
        sys.__stdout__.flush()

    def wait(self) -> None:
        if sys.stdin.readline().strip() != "go":
            raise SystemExit(0)


def main(spec: dict) -> None:
    sys.stdout = sys.stderr
    import torch
    import transformers  # noqa: F401  (imported before the baseline RSS is taken)
    import peft  # noqa: F401

    from modelfactory_worker.flops import flop_model, measure_matmul_peak
    from modelfactory_worker.memory import MB, HeapPeak

    def weight_bytes(model) -> int:
        return sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])

    from run import RANK, SEQ, tokenized

    link = Link()
    base_rss = rss_mb()
    seq = spec.get("seq", SEQ)
    examples = tokenized(spec["model"], 96, seq)
    total_steps = spec["steps"]
    peak = measure_matmul_peak(torch.device("cpu"), torch.float32, seconds=1.0)
    extra: dict = {}
    heap = HeapPeak()
    if spec["method"] == "baseline":
        from baseline import run_baseline

        state: dict = {}

        def on_begin():
            state["t"], state["n"] = time.perf_counter(), state["count"]()

        def on_end(model):
            heap.sample()
            if "flops" not in state:
                state["flops"] = flop_model(model)
                state["weights"] = weight_bytes(model)
            dt, n = time.perf_counter() - state["t"], state["count"]() - state["n"]
            mean_len = sum(len(e.input_ids) for e in examples) / len(examples)
            f = state["flops"].step_flops(n, n, int(n * mean_len))
            link.send({"tokens": n, "seconds": dt, "flops": f})

        def ready(counter):
            state["count"] = counter
            reset_hwm()
            heap.reset()
            link.send({"ready": True, "peak": peak})

        with heap.watch():
            run_baseline(
                spec["model"], examples, steps=total_steps, rank=RANK, ready=ready, wait=link.wait, on_begin=on_begin, on_end=on_end
            )
        extra = {"weights_mb": state["weights"] / MB}
    else:
        from modelfactory_worker.models import load_model
        from modelfactory_worker.qlora import quantization_report
        from modelfactory_worker.train import Trainer
        from modelfactory_worker.trainconfig import TrainConfig
        import tempfile

        lm = load_model(spec["model"], quantization="nf4" if spec["method"] == "qlora" else "none")
        cfg = TrainConfig.from_dict(
            {
                "method": spec["method"],
                "max_steps": total_steps,
                "batch_size": spec.get("batch_size", 4),
                "grad_accum": spec.get("grad_accum", 1),
                "gradient_checkpointing": spec.get("gc", False),
                "max_seq_len": seq,
                "packing": True,
                "eval_fraction": 0.0,
                "learning_rate": 1e-4,
                "lora": {"r": RANK, "alpha": 2 * RANK},
                # float32 like the baseline (baseline.py: its bf16 needs a GPU), so the ratios
                # compare the same arithmetic; `auto` would take bf16 autocast on a CPU with native bf16.
                "precision": spec.get("precision", "fp32"),
            }
        )

        def emit(e):
            if e["event"] == "progress":
                heap.sample()
                f = e["mfu"] * e["step_time_s"] * trainer.peak
                link.send({"tokens": e["tokens"], "seconds": e["step_time_s"], "flops": f})
                if e["step"] < total_steps:
                    link.wait()

        with tempfile.TemporaryDirectory() as tmp:
            trainer = Trainer(
                lm.model,
                cfg,
                examples,
                [],
                output_dir=tmp,
                adapter_name="bench",
                pad_id=lm.tokenizer.pad_token_id,
                device=lm.device,
                dtype=lm.dtype,
                emit=emit,
                cancel=threading.Event(),
            )
            reset_hwm()
            heap.reset()
            link.send({"ready": True, "peak": peak})
            link.wait()
            with heap.watch():
                res = trainer.run()
        extra = {
            "activation_mb": res.activation_bytes / MB,
            "quantization": quantization_report(trainer.model),
            "weights_mb": weight_bytes(trainer.model) / MB,
        }
    from modelfactory_worker import flops as flops_mod

    flops_mod._PEAK_CACHE.clear()  # measure again after the steps: the machine is shared, keep the best
    peak2 = measure_matmul_peak(torch.device("cpu"), torch.float32, seconds=1.0)
    # Tensor memory: the weights, plus the most the training steps had allocated at once (grads,
    # optimizer state, activations, temporaries), free heap fragments excluded.
    link.send(
        {
            "done": True,
            "tensor_mem_mb": extra["weights_mb"] + heap.grown / MB,
            "train_mem_mb": hwm_mb() - base_rss,
            "hwm_mb": hwm_mb(),
            "base_rss_mb": base_rss,
            "peak": max(peak, peak2),
            **extra,
        }
    )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
