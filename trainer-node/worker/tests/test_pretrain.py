"""The demo base model's pre-training, at a test size: it learns (loss and held-out loss fall),
writes a model transformers and the worker load, caches by stamp, and reports progress."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from modelfactory_devtools.pretrain import DEFAULT_CORPUS, STAMP_FILE, TEST_CONFIG, corpus_files, pretrain, stamp_of


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The first ~400 documents of the demo corpus (or a small stand-in when it is absent)."""
    path = tmp_path_factory.mktemp("corpus") / "slice.txt"
    source = DEFAULT_CORPUS / "general-english.txt"
    if source.exists():
        docs = source.read_text(encoding="utf-8").split("\n\n")[:400]
    else:
        docs = [
            f"The {c} cat sat on the {t} mat near the {p}. It was a {a} day."
            for c in ("black", "white", "grey")
            for t in ("red", "blue", "old")
            for p in ("door", "window", "fire")
            for a in ("warm", "cold", "long")
        ] * 6
    path.write_text("\n\n".join(docs), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("pretrained") / "demo-test"
    events: list[dict] = []
    import modelfactory_devtools.pretrain as mod

    original = mod.Progress.emit
    mod.Progress.emit = lambda self, e: events.append(e)  # collect the JSON-lines events
    try:
        summary = pretrain(out, [corpus], TEST_CONFIG, as_json=True, log_every=10)
    finally:
        mod.Progress.emit = original
    return out, summary, events


def test_loss_decreases(trained):
    _, s, _ = trained
    assert s["cached"] is False
    assert len(s["losses"]) == TEST_CONFIG.steps
    assert s["final_loss"] < s["first_loss"] - 1.0, (s["first_loss"], s["final_loss"])
    assert s["eval_loss"] < s["eval_loss_initial"] - 0.5, (s["eval_loss_initial"], s["eval_loss"])


def test_writes_a_loadable_llama_with_chat_template(trained):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out, s, _ = trained
    model = AutoModelForCausalLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    assert model.config.model_type == "llama"
    assert model.config.hidden_size == TEST_CONFIG.hidden and model.config.num_hidden_layers == TEST_CONFIG.layers
    assert sum(p.numel() for p in model.parameters()) == s["parameters"]
    text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
    assert text.endswith("<|im_start|>assistant\n")
    # Byte-level BPE: any text round-trips, even characters the corpus never had.
    assert tok.decode(tok("naïve café ☕")["input_ids"], skip_special_tokens=True) == "naïve café ☕"
    assert not list(out.parent.glob(".demo-test.*")), "temporary folders are cleaned up"


def test_second_run_is_a_cached_no_op(trained, corpus):
    out, s, _ = trained
    before = (out / "model.safetensors").stat().st_mtime_ns
    t = time.monotonic()
    again = pretrain(out, [corpus], TEST_CONFIG)
    assert time.monotonic() - t < 1.0
    assert again["cached"] is True and again["stamp"] == s["stamp"]
    assert (out / "model.safetensors").stat().st_mtime_ns == before


def test_stamp_covers_corpus_and_config(corpus, tmp_path):
    files = corpus_files([corpus])
    base = stamp_of(files, TEST_CONFIG)
    assert stamp_of(files, replace(TEST_CONFIG, steps=51)) != base
    other = tmp_path / "other.txt"
    other.write_text(corpus.read_text() + "\n\nOne more line.")
    assert stamp_of([other], TEST_CONFIG) != base
    assert stamp_of(corpus_files([corpus.parent]), TEST_CONFIG) == base  # a folder means its .txt files


def test_progress_events(trained):
    _, _, events = trained
    progress = [e for e in events if e["event"] == "progress"]
    assert [e["step"] for e in progress] == list(range(1, TEST_CONFIG.steps + 1))
    last = progress[-1]
    assert last["total_steps"] == TEST_CONFIG.steps and last["eta_s"] == 0
    assert all(e["tokens_per_s"] > 0 and "loss" in e for e in progress)
    json.dumps(events)  # every event is JSON


def test_missing_corpus_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus"):
        pretrain(tmp_path / "out", [tmp_path / "nope.txt"], TEST_CONFIG)
    assert not (tmp_path / "out" / STAMP_FILE).exists()
