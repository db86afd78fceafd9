"""Evaluation during training and early stopping: the run stops where the held-out curve says, the
weights it leaves (and the adapter `train` saves) are the best evaluation's checkpoint, and a run
resumed across the stop makes the same decisions as an uninterrupted one.

The training is real (tiny LLaMA, LoRA); where a test needs a held-out curve of a known shape, the
trainer's evaluation is replaced by that curve, keyed by the optimizer step the scheduler has
counted (restored on resume like everything else)."""

import math
import os
import threading

import pytest
import torch
from safetensors.torch import load_file

from conftest import make_trainer, write_jsonl
from modelfactory_worker.early_stopping import MIN_SLICE_RECORDS, EarlyStopping, eval_interval, eval_slice, evaluations_in_run
from modelfactory_worker.errors import WorkerError
from modelfactory_worker.evaluate import perplexity
from modelfactory_worker.models import load_model
from modelfactory_devtools.synthetic import instruction_records
from modelfactory_worker.train import Trainer
from modelfactory_worker.trainconfig import TrainConfig

# Best at step 4; step 6 is worse; step 8 beats step 4 by less than min_delta: two evaluations in a
# row without improving by more than 0.05 -> stop at step 8 of 12.
CURVE = {2: 3.0, 4: 2.0, 6: 2.5, 8: 1.98, 10: 1.0, 12: 0.5}
CFG = {
    "max_steps": 12,
    "eval_every": 2,
    "checkpoint_every": 2,
    "keep_checkpoints": 0,
    "learning_rate": 1e-2,
    "batch_size": 2,
    "seed": 3,
    "scheduler": "cosine",
    "early_stopping_patience": 2,
    "early_stopping_min_delta": 0.05,
    "lora": {"r": 4, "alpha": 8, "dropout": 0.1},
}


def scripted(trainer) -> None:
    trainer.evaluate_loss = lambda: CURVE[trainer.scheduler.last_epoch]


def test_best_and_stop_on_a_synthetic_curve():
    s = EarlyStopping(patience=2, min_delta=0.1)
    for step, loss in [(10, 3.0), (20, 2.5), (30, 2.45), (40, 2.6), (50, 1.0)]:
        s.update(step, loss)
        if s.should_stop:
            break
    assert (s.best_step, s.best_loss, s.stopped_step, s.bad_evals) == (20, 2.5, 40, 2)
    assert s.reason(40, 60) == (
        "eval loss 2.5 at step 20 was the lowest of 4 evaluation(s); stopped at step 40 of 60 "
        "after 2 evaluation(s) without improving by more than 0.1"
    )
    # Without a minimum improvement 2.45 counts; a NaN never becomes the best and counts against patience.
    s = EarlyStopping(patience=2)
    for step, loss in [(10, 3.0), (20, 2.5), (30, 2.45), (40, math.nan), (50, 2.47)]:
        s.update(step, loss)
    assert (s.best_step, s.stopped_step) == (30, 50)
    # Patience 0 never stops, but still tracks the best.
    s = EarlyStopping()
    for step, loss in [(1, 2.0), (2, 3.0), (3, 4.0), (4, 5.0)]:
        s.update(step, loss)
    assert (s.best_step, s.should_stop) == (1, False)


def test_eval_interval_is_about_ten_per_run_unless_set():
    assert eval_interval(0, 10, 100) == 10 and eval_interval(0, 10, 95) == 10 and eval_interval(0, 10, 7) == 1
    assert eval_interval(5, 10, 100) == 5 and eval_interval(0, 0, 100) == 0
    with pytest.raises(WorkerError, match="early_stopping_patience needs evaluations"):
        TrainConfig.from_dict({"early_stopping_patience": 2})
    with pytest.raises(WorkerError, match="early_stopping_min_delta"):
        TrainConfig.from_dict({"evals_per_run": 10, "early_stopping_min_delta": -1.0})


def test_derived_evaluations_run_on_the_real_held_out_loss(llama_dir, tmp_path):
    events = []
    t = make_trainer(
        load_model(llama_dir),
        instruction_records(16, seed=1),
        {**CFG, "eval_every": 0, "evals_per_run": 4, "early_stopping_patience": 0, "checkpoint_every": 0, "learning_rate": 2e-2},
        tmp_path,
        held_out=instruction_records(4, seed=9),
        emit=events.append,
    )
    res = t.run()
    assert res.eval_every == 3 and [s for s, _ in res.eval_losses] == [3, 6, 9, 12]
    assert [e["step"] for e in events if "eval_loss" in e] == [3, 6, 9, 12]
    losses = dict(res.eval_losses)
    assert res.best_step == min(losses, key=losses.get) and res.eval_loss == losses[res.best_step]
    assert 0 < res.eval_seconds < res.seconds


def run(llama_dir, out_dir, *, cancel_at=None, resume=None):
    cancel = threading.Event()

    def emit(e):
        if e["event"] == "checkpoint" and e["step"] == cancel_at:
            cancel.set()  # as a crash would, stop right after the checkpoint

    t = make_trainer(
        load_model(llama_dir),
        instruction_records(16, seed=2),
        CFG,
        out_dir,
        held_out=instruction_records(4, seed=9),
        emit=emit,
        cancel=cancel,
    )
    scripted(t)
    return t, t.run(resume)


def weights(trainer) -> dict[str, torch.Tensor]:
    return {n: p.detach().cpu().clone() for n, p in trainer.named_trainable}


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return set(a) == set(b) and all(torch.equal(a[k], b[k].to(a[k].dtype)) for k in a)


def test_stops_at_the_right_step_and_leaves_the_best_checkpoints_weights(llama_dir, tmp_path):
    t, res = run(llama_dir, tmp_path)
    assert res.status == "completed" and res.stopped_early and res.step == 8 and res.total_steps == 12
    assert [s for s, _ in res.eval_losses] == [2, 4, 6, 8] and (res.best_step, res.eval_loss) == (4, 2.0)
    assert res.stop_reason == (
        "eval loss 2 at step 4 was the lowest of 4 evaluation(s); stopped at step 8 of 12 "
        "after 2 evaluation(s) without improving by more than 0.05"
    )
    ckpts = os.path.join(tmp_path, "checkpoints")
    assert sorted(os.listdir(ckpts)) == ["step-2", "step-4", "step-6"]  # none at the stop
    assert same(weights(t), load_file(os.path.join(ckpts, "step-4", "trainable.safetensors")))
    assert not same(weights(t), load_file(os.path.join(ckpts, "step-6", "trainable.safetensors")))
    # The step-6 checkpoint carries the best (step 4) weights for a resume.
    assert same(
        load_file(os.path.join(ckpts, "step-6", "best.safetensors")), load_file(os.path.join(ckpts, "step-4", "trainable.safetensors"))
    )


@pytest.mark.parametrize("cancel_at", [4, 6])  # at the best checkpoint itself, and after it
def test_resume_across_early_stopping_is_exact(llama_dir, tmp_path, cancel_at):
    full_t, full = run(llama_dir, tmp_path / "full")
    first_t, first = run(llama_dir, tmp_path / "cut", cancel_at=cancel_at)
    assert first.status == "cancelled" and first.step == cancel_at
    again_t, again = run(llama_dir, tmp_path / "cut", resume="latest")
    assert again.resumed_from.endswith(f"step-{cancel_at}")
    assert (again.step, again.best_step, again.stopped_early, again.stop_reason) == (
        full.step,
        full.best_step,
        full.stopped_early,
        full.stop_reason,
    )
    assert again.losses == full.losses and again.eval_losses == full.eval_losses
    assert same(weights(again_t), weights(full_t))


def test_train_command_publishes_the_best_adapter(llama_dir, tmp_path, monkeypatch):
    from modelfactory_worker.session import Context, Session

    monkeypatch.setattr(Trainer, "evaluate_loss", lambda self: CURVE[self.scheduler.last_epoch])
    session = Session(1e9, "cpu")
    ctx = Context(emit=lambda e: None, cancel=threading.Event())
    session.load({"cmd": "load", "model": llama_dir}, ctx)
    out = tmp_path / "out"
    result = session.train(
        {
            "cmd": "train",
            "config": CFG,
            "output_dir": str(out),
            "adapter": "job",
            "data": {
                "train": write_jsonl(tmp_path / "train.jsonl", instruction_records(16, seed=2)),
                "eval": write_jsonl(tmp_path / "eval.jsonl", instruction_records(4, seed=9)),
            },
        },
        ctx,
    )
    assert result["status"] == "completed" and result["step"] == 8 and result["eval_loss"] == 2.0
    assert result["eval_every"] == 2 and result["eval_losses"] == [[2, 3.0], [4, 2.0], [6, 2.5], [8, 1.98]]
    assert result["best"] == {
        "step": 4,
        "eval_loss": 2.0,
        "stopped_early": True,
        "reason": (
            "eval loss 2 at step 4 was the lowest of 4 evaluation(s); stopped at step 8 of 12 after 2 evaluation(s) "
            "without improving by more than 0.05"
        ),
    }
    published = load_file(os.path.join(result["adapter_path"], "adapter_model.safetensors"))
    best = load_file(os.path.join(out, "checkpoints", "step-4", "adapter", "adapter_model.safetensors"))
    later = load_file(os.path.join(out, "checkpoints", "step-6", "adapter", "adapter_model.safetensors"))
    assert same(published, best) and not same(published, later)


def test_in_training_slice_is_seeded_capped_and_sized_by_the_runs_tokens():
    lengths = [10] * 100
    a = eval_slice(lengths, seed=5, cap=0, run_tokens=30_000, evaluations=10)
    # 30,000 tokens / 30 / 10 evaluations = 100 tokens a pass = 10 records of 10 tokens.
    assert len(a) == 10 and a == sorted(a) and a == eval_slice(lengths, seed=5, cap=0, run_tokens=30_000, evaluations=10)
    assert a != eval_slice(lengths, seed=6, cap=0, run_tokens=30_000, evaluations=10)
    # A tiny run still reads MIN_SLICE_RECORDS; a small split is read whole; a cap wins over the budget.
    assert len(eval_slice(lengths, seed=5, cap=0, run_tokens=10, evaluations=10)) == MIN_SLICE_RECORDS
    assert eval_slice([10] * 3, seed=5, cap=0, run_tokens=10, evaluations=10) == [0, 1, 2]
    assert len(eval_slice(lengths, seed=5, cap=7, run_tokens=10, evaluations=10)) == 7
    assert eval_slice(lengths, seed=5, cap=500, run_tokens=10, evaluations=10) == list(range(100))
    assert evaluations_in_run(3, 12) == 4 and evaluations_in_run(5, 12) == 3 and evaluations_in_run(0, 12) == 1
    with pytest.raises(WorkerError, match="eval_slice_records must be >= 0"):
        TrainConfig.from_dict({"eval_slice_records": -1})


def test_in_training_evaluations_read_the_slice_and_the_report_says_so(llama_dir, tmp_path):
    lm = load_model(llama_dir)
    held = instruction_records(12, seed=9)
    cfg = {**CFG, "eval_every": 0, "evals_per_run": 4, "early_stopping_patience": 0, "checkpoint_every": 0, "eval_slice_records": 3}
    t = make_trainer(lm, instruction_records(16, seed=1), cfg, tmp_path / "a", held_out=held)
    assert len(t.eval_examples) == 3 and all(e in t.held_out for e in t.eval_examples)
    # The in-training loss is the held-out loss of the slice's records, not of the whole split.
    sliced = t.evaluate_loss()
    assert sliced == pytest.approx(
        perplexity(t.model, t.eval_examples, pad_id=lm.tokenizer.pad_token_id, device=lm.device, dtype=lm.dtype, batch_size=2)["loss"],
        rel=1e-5,
    )
    assert sliced != pytest.approx(
        perplexity(t.model, t.held_out, pad_id=lm.tokenizer.pad_token_id, device=lm.device, dtype=lm.dtype, batch_size=2)["loss"], rel=1e-3
    )
    res = t.run()
    assert res.eval_records == 3 and [s for s, _ in res.eval_losses] == [3, 6, 9, 12]
    assert res.stop_reason.endswith("(evaluations during training on a seeded slice of 3 of the 12 held-out records)")
    # The same seed and data draw the same slice (so a resume and every rank evaluate the same records).
    again = make_trainer(load_model(llama_dir), instruction_records(16, seed=1), cfg, tmp_path / "b", held_out=held)
    assert [e.input_ids for e in again.eval_examples] == [e.input_ids for e in t.eval_examples]
