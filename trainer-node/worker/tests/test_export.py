"""Export (merged Hugging Face folder, GGUF f16 / q8_0) and GGUF import on tiny random models: every
GGUF written loads back through transformers' own GGUF loader with the logits of the model it came
from, and files the importer cannot read fail with the file's name and the reason."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
import torch

from modelfactory_worker.errors import WorkerError
from modelfactory_worker.export import export_model
from modelfactory_worker.gguf_import import import_gguf, inspect_gguf

PROMPT = "<|im_start|>user\nthe red pump is 42 cm<|im_end|>\n<|im_start|>assistant\n"


def fake_quantized(model, quant: str):
    """The model as the GGUF file stores it: each 2-D weight through f16 or q8_0 and back (1-D stays f32)."""
    import copy

    import gguf

    q = copy.deepcopy(model)
    with torch.no_grad():
        for p in q.parameters():
            if p.ndim != 2:
                continue
            w = p.detach().float().numpy()
            if quant == "q8_0" and w.shape[-1] % 32 == 0:
                w = gguf.quants.dequantize(gguf.quants.quantize(w, gguf.GGMLQuantizationType.Q8_0), gguf.GGMLQuantizationType.Q8_0)
            else:
                w = w.astype(np.float16).astype(np.float32)
            p.copy_(torch.from_numpy(np.ascontiguousarray(w)).reshape(p.shape))
    return q


def logits(model, tok, text: str = PROMPT) -> torch.Tensor:
    ids = tok(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        return model(ids).logits[0].float()


def load(folder: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return (AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval(), AutoTokenizer.from_pretrained(folder))


def load_gguf(folder: str, file: str):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=torch.float32).eval()


@pytest.mark.parametrize("arch", ["llama", "mistral", "qwen2"])
def test_gguf_round_trip_through_transformers(model_dirs, arch, tmp_path):
    base, tok = load(model_dirs[arch])
    res = export_model(model_dirs[arch], None, str(tmp_path), ["gguf-f16", "gguf-q8_0"], "tiny")
    assert res["files"]["gguf-f16"]["tensor_types"]["F16"] > 0 and res["files"]["gguf-q8_0"]["tensor_types"]["Q8_0"] > 0
    ref = logits(base, tok)
    for quant in ("f16", "q8_0"):
        back = load_gguf(str(tmp_path), f"tiny-{quant}.gguf")
        got = logits(back, tok)
        # Exactly the stored weights: names, shapes, the q/k permutation and the config all came back.
        torch.testing.assert_close(got, logits(fake_quantized(base, quant), tok), rtol=1e-4, atol=1e-5)
        # And within the quantization's error of the model itself.
        err = (got - ref).abs().max().item() / ref.abs().max().item()
        assert err < (2e-3 if quant == "f16" else 3e-2), (quant, err)


def test_export_merges_the_adapter(llama_dir, tmp_path):
    from modelfactory_worker.lora import LoraSpec, attach, save_adapter

    base, tok = load(llama_dir)
    peft_model = attach(base, LoraSpec.from_dict({"r": 4, "alpha": 8}), "ad")
    torch.manual_seed(0)
    with torch.no_grad():
        for n, p in peft_model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.05)
    adapter = save_adapter(peft_model, "ad", str(tmp_path / "adapter"))
    want = logits(peft_model, tok)
    assert not torch.allclose(want, logits(load(llama_dir)[0], tok), atol=1e-3), "the adapter changes the output"
    res = export_model(llama_dir, adapter, str(tmp_path / "out"), ["hf", "gguf-f16"], "tuned")
    merged, merged_tok = load(res["files"]["hf"]["path"])
    assert "model.safetensors" in res["files"]["hf"]["files"] and "tokenizer.json" in res["files"]["hf"]["files"]
    torch.testing.assert_close(logits(merged, merged_tok), want, rtol=1e-4, atol=1e-5)
    back = load_gguf(str(tmp_path / "out"), "tuned-f16.gguf")
    torch.testing.assert_close(logits(back, tok), logits(fake_quantized(merged, "f16"), tok), rtol=1e-4, atol=1e-5)
    assert not list((tmp_path / "out").glob(".export-*")), "no temporary folder is left"


def test_export_command_through_the_session(llama_dir, tmp_path):
    from modelfactory_worker.session import Context, Session

    s = Session(peak_flops=1e12, device_name="cpu")
    ctx = Context(emit=lambda e: None, cancel=threading.Event())
    s.load({"cmd": "load", "model": llama_dir}, ctx)
    from modelfactory_worker.export import export_command

    with pytest.raises(WorkerError, match="formats"):
        export_command(s, {"cmd": "export", "path": str(tmp_path), "adapter": None, "formats": ["onnx"]}, ctx)
    with pytest.raises(WorkerError) as e:
        export_command(s, {"cmd": "export", "path": str(tmp_path), "adapter": "nope"}, ctx)
    assert e.value.code == "unknown_adapter"
    res = export_command(s, {"cmd": "export", "path": str(tmp_path), "adapter": None, "formats": ["gguf-q8_0"]}, ctx)
    assert res["adapter"] is None and set(res["files"]) == {"gguf-q8_0"}
    assert (tmp_path / "model-q8_0.gguf").stat().st_size == res["files"]["gguf-q8_0"]["bytes"]


def test_import_gguf_gives_back_the_model_and_is_cached(llama_dir, tmp_path):
    base, tok = load(llama_dir)
    export_model(llama_dir, None, str(tmp_path), ["gguf-f16"], "tiny")
    out = tmp_path / "imported"
    res = import_gguf(str(tmp_path / "tiny-f16.gguf"), str(out), name="Tiny imported", progress=lambda m: None)
    assert res["status"] == "converted" and res["architecture"] == "llama"
    model, tok2 = load(str(out))
    text = "the red pump 42 — naïve 🙂"
    assert tok2(text, add_special_tokens=False)["input_ids"] == tok(text, add_special_tokens=False)["input_ids"]
    assert (tok2.eos_token, tok2.bos_token) == (tok.eos_token, tok.bos_token)
    assert tok2.chat_template == tok.chat_template
    torch.testing.assert_close(logits(model, tok2), logits(fake_quantized(base, "f16"), tok), rtol=1e-4, atol=1e-5)
    config = json.loads((out / "config.json").read_text())
    assert config["modelfactory_name"] == "Tiny imported"
    assert json.loads((out / "modelfactory-source.json").read_text())["file"]["name"] == "tiny-f16.gguf"
    assert import_gguf(str(tmp_path / "tiny-f16.gguf"), str(out), progress=lambda m: None)["status"] == "cached"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary folder is left"


def _expect_unsupported(path, *fragments):
    with pytest.raises(WorkerError) as e:
        inspect_gguf(str(path))
    assert e.value.code == "unsupported_model"
    assert e.value.message.startswith(path.name + ": "), e.value.message
    for f in fragments:
        assert f in e.value.message, e.value.message


def test_import_refuses_what_it_cannot_read_naming_file_and_reason(tmp_path):
    import gguf

    (tmp_path / "notes.gguf").write_text("not a model")
    _expect_unsupported(tmp_path / "notes.gguf", "not a readable GGUF file")
    (tmp_path / "truncated.gguf").write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 40)
    _expect_unsupported(tmp_path / "truncated.gguf", "not a readable GGUF file")

    w = gguf.GGUFWriter(str(tmp_path / "rwkv.gguf"), "rwkv6")
    w.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    _expect_unsupported(tmp_path / "rwkv.gguf", "architecture 'rwkv6'", "llama")

    w = gguf.GGUFWriter(str(tmp_path / "q81.gguf"), "llama")
    w.add_tokenizer_model("gpt2")
    w.add_tensor("token_embd.weight", np.zeros((2, 80), dtype=np.uint8), raw_dtype=gguf.GGMLQuantizationType.Q8_1)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    _expect_unsupported(tmp_path / "q81.gguf", "tensor token_embd.weight is stored as Q8_1", "cannot dequantize")

    with pytest.raises(WorkerError) as e:
        inspect_gguf(str(tmp_path / "missing.gguf"))
    assert e.value.code == "file_not_found"
