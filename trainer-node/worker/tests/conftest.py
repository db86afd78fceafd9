"""Shared fixtures: tiny random models in every supported architecture, written once per session."""

from __future__ import annotations

import json
import os
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ["HF_HUB_OFFLINE"] = "1"

from modelfactory_devtools.tiny import ARCHITECTURES, create_model  # noqa: E402


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("models")
    return {arch: create_model(str(root / arch), arch, "tiny", seed=0)["path"] for arch in ARCHITECTURES}


@pytest.fixture(scope="session")
def llama_dir(model_dirs) -> str:
    return model_dirs["llama"]


def write_jsonl(path, records) -> str:
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return str(path)


def make_trainer(lm, records, cfg: dict, out_dir, *, name="ad1", held_out=(), emit=None, cancel=None):
    """A Trainer on parsed records, the way the `train` command builds one."""
    from modelfactory_worker.chat import ChatFormatter
    from modelfactory_worker.data import tokenize
    from modelfactory_worker.records import parse_record
    from modelfactory_worker.train import Trainer
    from modelfactory_worker.trainconfig import TrainConfig

    # float32 unless a test asks otherwise: exact-equality tests (resume, accumulation) must not
    # depend on whether the machine's CPU has native bf16 (what `auto` looks at).
    config = TrainConfig.from_dict({"precision": "fp32", **cfg})
    fmt = ChatFormatter(lm.tokenizer)
    train = tokenize([parse_record(r) for r in records], fmt, config.max_seq_len).examples
    ev = tokenize([parse_record(r) for r in held_out], fmt, config.max_seq_len).examples
    return Trainer(
        lm.model,
        config,
        train,
        ev,
        output_dir=str(out_dir),
        adapter_name=name,
        pad_id=lm.tokenizer.pad_token_id,
        device=lm.device,
        dtype=lm.dtype,
        emit=emit or (lambda e: None),
        cancel=cancel or threading.Event(),
    )
