"""Post-training data insights: the flagging rule on closed-form values, and a real run (tiny LLaMA,
LoRA) on synthetic data where one of five contributions is noise — the noise is flagged, the rest are
not, and nothing but numbers and contribution ids comes back."""

import json
import math
import random
import threading

import pytest

from conftest import write_jsonl
from modelfactory_worker.errors import WorkerError
from modelfactory_worker.insights import MIN_GAP_NATS, SideLoss, contribution_insights, robust_z, sample_per_contribution
from modelfactory_worker.records import RECORD_SCHEMA
from modelfactory_worker.session import Context, Session
from modelfactory_devtools.synthetic import instruction_records


def side(losses: dict[str, float]) -> dict[str, SideLoss]:
    return {c: SideLoss(4, 40, v) for c, v in losses.items()}


def test_robust_z_flags_the_outlier_a_classic_z_score_cannot():
    losses = {"1": 1.0, "2": 1.1, "3": 0.9, "4": 1.05, "5": 4.0}
    z = robust_z(losses)
    # median 1.05, MAD median(|x - 1.05|) = 0.05 -> z(5) = 0.6745 * 2.95 / 0.05
    assert z["5"] == pytest.approx(0.6745 * 2.95 / 0.05) and z["4"] == 0
    values = list(losses.values())
    mean = sum(values) / 5
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 5)
    assert (4.0 - mean) / sd < 2.0  # the classic z-score of the same outlier: bounded by 4/sqrt(5)
    out = contribution_insights(side(losses), {}, 64)
    assert [r["id"] for r in out["contributions"] if r["flagged"]] == ["5"]
    assert all(r["held_out"] is None and r["held_out_z"] is None for r in out["contributions"])


def test_no_flag_below_the_gap_with_too_few_contributions_or_when_all_are_equal():
    # z is huge (tiny MAD) but 0.3 nats is under ln 2 above the median: not flagged.
    near = {"1": 1.0, "2": 1.001, "3": 0.999, "4": 1.0, "5": 1.3}
    assert 1.3 - 1.0 < MIN_GAP_NATS
    assert not any(r["flagged"] for r in contribution_insights(side(near), {}, 64)["contributions"])
    two = contribution_insights(side({"1": 1.0, "2": 9.0}), {}, 64)["contributions"]
    assert [r["train_z"] for r in two] == [None, None] and not any(r["flagged"] for r in two)
    # More than half equal: MAD is 0 and the mean absolute deviation stands in.
    z = robust_z({"1": 1.0, "2": 1.0, "3": 1.0, "4": 1.0, "5": 3.0})
    assert z["5"] == pytest.approx(2.0 / (1.253314 * 0.4)) and z["1"] == 0
    assert robust_z({"1": 2.0, "2": 2.0, "3": 2.0}) == {"1": 0.0, "2": 0.0, "3": 0.0}


def test_training_sample_is_capped_per_contribution_and_seeded():
    ids = ["7"] * 10 + ["8"] * 3
    keep = sample_per_contribution(ids, 4)
    assert keep == sample_per_contribution(ids, 4) and keep == sorted(keep)
    assert sum(1 for i in keep if ids[i] == "7") == 4 and [i for i in keep if ids[i] == "8"] == [10, 11, 12]


def noise_records(n: int, seed: int) -> list[dict]:
    """Questions like the clean ones, answered with random letters: what a mislabeled upload looks like."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        {
            "schema": RECORD_SCHEMA,
            "kind": "instruction",
            "instruction": "What does Ada keep?",
            "input": "",
            "output": " ".join("".join(rng.choice(letters) for _ in range(rng.randint(3, 8))) for _ in range(6)),
        }
        for _ in range(n)
    ]


@pytest.fixture(scope="module")
def noisy_run(llama_dir, tmp_path_factory):
    """Five contributions (ids 11-15) of 24 records each, 14 the noise; 4 of each held out."""
    tmp = tmp_path_factory.mktemp("insights")
    by = {str(c): instruction_records(24, seed=c) for c in (11, 12, 13, 15)}
    by["14"] = noise_records(24, seed=14)
    train, train_ids, held, held_ids = [], [], [], []
    for c, recs in by.items():
        train += recs[4:]
        train_ids += [c] * 20
        held += recs[:4]
        held_ids += [c] * 4
    session = Session(1e9, "cpu")
    ctx = Context(emit=lambda e: None, cancel=threading.Event())
    session.load({"cmd": "load", "model": llama_dir}, ctx)
    train_file, eval_file = write_jsonl(tmp / "train.jsonl", train), write_jsonl(tmp / "eval.jsonl", held)
    session.train(
        {
            "cmd": "train",
            "output_dir": str(tmp / "out"),
            "adapter": "job",
            "config": {
                "max_steps": 40,
                "batch_size": 4,
                "learning_rate": 5e-3,
                "seed": 1,
                "max_seq_len": 96,
                "lora": {"r": 8, "alpha": 16},
            },
            "data": {"train": train_file, "eval": eval_file},
        },
        ctx,
    )
    cmd = {
        "cmd": "evaluate",
        "data": eval_file,
        "generation": False,
        "max_seq_len": 96,
        "insights": {"eval_contributions": held_ids, "train": train_file, "train_contributions": train_ids, "max_train_records": 12},
    }
    return session, ctx, cmd, by


def test_the_noise_contribution_is_flagged_on_both_sides(noisy_run):
    session, ctx, cmd, by = noisy_run
    result = session.evaluate(cmd, ctx)
    rows = {r["id"]: r for r in result["insights"]["contributions"]}
    assert list(rows) == ["11", "12", "13", "14", "15"]
    assert [c for c, r in rows.items() if r["flagged"]] == ["14"]
    assert rows["14"]["train_z"] > 3.5 and rows["14"]["held_out_z"] > 3.5
    clean = [rows[c]["train"]["loss"] for c in ("11", "12", "13", "15")]
    assert rows["14"]["train"]["loss"] > max(clean) + MIN_GAP_NATS
    assert all(rows[c]["train"]["records"] == 12 and rows[c]["held_out"]["records"] == 4 for c in rows)
    # The held-out side is the tuned perplexity's own pass: its tokens add up to it.
    assert sum(r["held_out"]["tokens"] for r in rows.values()) == result["perplexity_tuned"]["tokens"]
    total = sum(r["held_out"]["loss"] * r["held_out"]["tokens"] for r in rows.values())
    assert total / result["perplexity_tuned"]["tokens"] == pytest.approx(result["perplexity_tuned"]["loss"], rel=1e-9)
    # Numbers and ids only: no word of any record is in what goes to the report.
    text = json.dumps(result["insights"])
    for recs in by.values():
        for r in recs:
            assert r["output"] not in text and r["instruction"] not in text and r["output"].split()[0] not in text


def test_ids_must_match_the_records(noisy_run):
    session, ctx, cmd, _ = noisy_run
    bad = {**cmd, "insights": {**cmd["insights"], "eval_contributions": cmd["insights"]["eval_contributions"][:-1]}}
    with pytest.raises(WorkerError, match="has 19 ids for 20 records"):
        session.evaluate(bad, ctx)
    with pytest.raises(WorkerError, match="needs a tuned model"):
        session.evaluate({**cmd, "adapter": None}, ctx)


def test_the_tuned_passes_read_a_merged_copy_that_matches_the_adapter_and_leaves_the_model_alone(noisy_run, monkeypatch):
    import torch

    from modelfactory_worker import session as session_module

    session, ctx, cmd, _ = noisy_run
    cmd = {**cmd, "precision": "fp32"}  # in float32 the merge's rounding is all that differs
    before = {n: p.detach().clone() for n, p in session.loaded.model.named_parameters()}
    built = []
    real_get = session_module.MergedCopies.get
    monkeypatch.setattr(session_module.MergedCopies, "get", lambda self, m, a: built.append(a) or real_get(self, m, a))
    merged = session.evaluate(cmd, ctx)
    assert len(built) == 1  # the merged copy served the tuned passes
    monkeypatch.setattr(session_module, "_fits_twice", lambda model: False)
    peft = session.evaluate(cmd, ctx)
    assert len(built) == 1  # without room for a copy: the PEFT model with the adapter active
    assert merged["compute"] == peft["compute"] == "fp32"
    assert merged["perplexity_tuned"]["loss"] == pytest.approx(peft["perplexity_tuned"]["loss"], rel=1e-5)
    assert merged["perplexity_base"] == peft["perplexity_base"]
    rows = {r["id"]: r for r in merged["insights"]["contributions"]}
    for r in peft["insights"]["contributions"]:
        assert rows[r["id"]]["train"]["loss"] == pytest.approx(r["train"]["loss"], rel=1e-5)
        assert rows[r["id"]]["flagged"] == r["flagged"]
    after = dict(session.loaded.model.named_parameters())
    assert all(torch.equal(before[n], after[n]) for n in before)
