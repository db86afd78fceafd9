"""The training loop: loss falls on tiny data in every architecture, resume is exact, cancel
stops within one step, accumulation matches a larger batch, and the schedule has its shape."""

import math
import os
import threading

import pytest

from conftest import make_trainer
from modelfactory_worker.models import load_model
from modelfactory_devtools.synthetic import chat_records, instruction_records
from modelfactory_worker.schedule import lr_multiplier

FAST = {"learning_rate": 2e-2, "batch_size": 8, "scheduler": "constant", "lora": {"r": 8, "alpha": 16}}


@pytest.mark.parametrize("arch", ["llama", "mistral", "qwen2", "gemma", "phi3"])
def test_lora_loss_falls_well_down(model_dirs, arch, tmp_path):
    lm = load_model(model_dirs[arch])
    res = make_trainer(lm, instruction_records(8, seed=1), {**FAST, "max_steps": 40}, tmp_path).run()
    assert res.status == "completed" and res.step == 40
    assert res.losses[-1] < 0.15 * res.losses[0], (res.losses[0], res.losses[-1])


def test_full_fine_tuning_trains_every_weight_and_loss_falls(llama_dir, tmp_path):
    lm = load_model(llama_dir)
    t = make_trainer(lm, instruction_records(8, seed=1), {**FAST, "method": "full", "learning_rate": 3e-3, "max_steps": 30}, tmp_path)
    assert len(t.named_trainable) == len(list(lm.model.parameters()))
    res = t.run()
    assert res.losses[-1] < 0.15 * res.losses[0]


def run_with_checkpoints(model_dir, out_dir, stop_at=None, resume=None):
    lm = load_model(model_dir)
    cancel = threading.Event()

    def emit(e):
        if e["event"] == "checkpoint" and e["step"] == stop_at:
            cancel.set()  # as a crash would, stop right after the checkpoint

    cfg = {
        "max_steps": 9,
        "learning_rate": 1e-2,
        "batch_size": 2,
        "grad_accum": 2,
        "warmup_steps": 2,
        "scheduler": "cosine",
        "checkpoint_every": 3,
        "keep_checkpoints": 0,
        "seed": 7,
        "lora": {"r": 4, "alpha": 8, "dropout": 0.1},
    }  # dropout: the RNG state must be restored too
    t = make_trainer(lm, instruction_records(12, seed=2) + chat_records(4), cfg, out_dir, emit=emit, cancel=cancel)
    return t.run(resume)


def test_resume_reproduces_the_uninterrupted_losses_exactly(llama_dir, tmp_path):
    full = run_with_checkpoints(llama_dir, tmp_path / "a")
    first = run_with_checkpoints(llama_dir, tmp_path / "b", stop_at=3)
    assert first.status == "cancelled" and first.step == 3
    assert sorted(os.listdir(tmp_path / "b" / "checkpoints")) == ["step-3"]
    resumed = run_with_checkpoints(llama_dir, tmp_path / "b", resume="latest")
    assert resumed.resumed_from.endswith("step-3") and resumed.step == 9
    assert resumed.losses == full.losses  # bit for bit, steps 1-3 from the checkpoint, 4-9 recomputed
    assert len(full.losses) == 9 and len(set(full.losses)) == 9
    # Epoch boundary crossed: 16 examples in micro-batches of 2, 2 per step -> 4 steps per epoch.
    assert os.path.isfile(tmp_path / "b" / "checkpoints" / "step-6" / "adapter" / "adapter_config.json")


def test_cancel_stops_within_one_step(llama_dir, tmp_path):
    lm = load_model(llama_dir)
    cancel = threading.Event()
    seen = []

    def emit(e):
        if e["event"] == "progress":
            seen.append(e["step"])
            if e["step"] == 2:
                cancel.set()

    res = make_trainer(lm, instruction_records(8), {**FAST, "max_steps": 50}, tmp_path, emit=emit, cancel=cancel).run()
    assert res.status == "cancelled" and res.step == 2 and seen == [1, 2]


def test_accumulation_equals_the_larger_batch(llama_dir, tmp_path):
    common = {"max_steps": 3, "learning_rate": 1e-2, "packing": False, "scheduler": "constant", "lora": {"r": 4, "alpha": 8}}
    recs = instruction_records(8, seed=5) + chat_records(4, seed=6)
    big = make_trainer(load_model(llama_dir), recs, {**common, "batch_size": 4}, tmp_path / "a").run()
    acc = make_trainer(load_model(llama_dir), recs, {**common, "batch_size": 1, "grad_accum": 4}, tmp_path / "b").run()
    assert acc.losses == pytest.approx(big.losses, rel=1e-5)


def test_progress_events_carry_the_step_report(llama_dir, tmp_path):
    lm = load_model(llama_dir)
    events = []
    make_trainer(
        lm,
        instruction_records(10),
        {**FAST, "max_steps": 4, "eval_every": 2},
        tmp_path,
        held_out=instruction_records(3, seed=9),
        emit=events.append,
    ).run()
    progress = [e for e in events if e["event"] == "progress"]
    assert [e["step"] for e in progress] == [1, 2, 3, 4]
    for e in progress:
        assert e["tokens_per_s"] > 0 and 0 < e["mfu"] < 1 and e["grad_norm"] > 0 and e["eta_s"] >= 0
        assert e["memory"]["rss_mb"] > 0 and e["lr"] == pytest.approx(2e-2)
    assert "eval_loss" in progress[1] and "eval_loss" not in progress[0]


def test_schedule_shapes():
    assert [lr_multiplier(s, 10, 4, "cosine", 0.0) for s in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert lr_multiplier(4, 10, 4, "cosine", 0.0) == 1.0
    assert lr_multiplier(7, 10, 4, "cosine", 0.0) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))
    assert lr_multiplier(10, 10, 4, "cosine", 0.1) == pytest.approx(0.1)
    assert lr_multiplier(7, 10, 4, "linear", 0.0) == pytest.approx(0.5)
    assert lr_multiplier(9, 10, 0, "constant", 0.0) == 1.0


def test_cpu_precision_auto_follows_native_bf16_and_bad_values_are_refused(monkeypatch):
    import torch

    from modelfactory_worker import models
    from modelfactory_worker.errors import WorkerError
    from modelfactory_worker.trainconfig import TrainConfig

    cpu, f32 = torch.device("cpu"), torch.float32
    for native in (True, False):
        monkeypatch.setattr(models, "cpu_has_native_bf16", lambda native=native: native)
        assert models.cpu_bf16_autocast("auto", cpu, f32) is native
        assert models.cpu_bf16_autocast("fp32", cpu, f32) is False
        assert models.cpu_bf16_autocast("bf16", cpu, f32) is True
        assert models.cpu_bf16_autocast("bf16", cpu, torch.bfloat16) is False  # bf16 weights compute in bf16 anyway
    assert models.cpu_bf16_autocast("auto", torch.device("cuda"), torch.bfloat16) is False
    with pytest.raises(WorkerError, match="on cuda the model's dtype decides"):
        models.cpu_bf16_autocast("bf16", torch.device("cuda"), torch.bfloat16)
    with pytest.raises(WorkerError, match="precision must be one of auto, fp32, bf16, got 'fp16'"):
        TrainConfig.from_dict({"precision": "fp16"})
    assert models.compute_label(cpu, f32, True) == "bf16-autocast" and models.compute_label(cpu, f32, False) == "fp32"


def test_bf16_autocast_training_tracks_float32_and_keeps_float32_weights(llama_dir, tmp_path):
    import torch

    from modelfactory_worker.loss import autocast_for, batch_loss
    from modelfactory_worker.data import collate

    recs = instruction_records(8, seed=3)
    cfg = {**FAST, "max_steps": 6}
    f32 = make_trainer(load_model(llama_dir), recs, {**cfg, "precision": "fp32"}, tmp_path / "a")
    bf = make_trainer(load_model(llama_dir), recs, {**cfg, "precision": "bf16"}, tmp_path / "b")
    assert (f32.compute, bf.compute) == ("fp32", "bf16-autocast")
    # Under the autocast the decoder's matmuls run in bf16 and the head in float32.
    rows = bf.plan(0).micro_batches[0]
    batch = collate(rows, bf.pad_id, True, torch.float32)
    seen = {}
    head = bf.model.get_output_embeddings()
    layer = next(m for n, m in bf.model.named_modules() if n.endswith("q_proj.base_layer"))

    def hook(key):
        def record(module, args, out):
            seen.setdefault(key, out.dtype)

        return record

    hooks = [m.register_forward_hook(hook(k)) for k, m in (("head", head), ("q", layer))]
    with autocast_for(bf.device, bf.dtype, bf.cpu_bf16):
        loss, _ = batch_loss(bf.model, batch)
    for h in hooks:
        h.remove()
    assert seen == {"head": torch.float32, "q": torch.bfloat16} and loss.dtype == torch.float32
    a, b = f32.run(), bf.run()
    assert b.compute == "bf16-autocast" and a.compute == "fp32"
    # bf16 rounds each matmul; the losses follow the float32 run's closely, and still fall.
    assert b.losses == pytest.approx(a.losses, rel=0.05)
    assert b.losses[-1] < 0.7 * b.losses[0]
    assert all(p.dtype == torch.float32 for _, p in bf.named_trainable)
