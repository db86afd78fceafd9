"""Export of a tuned model for standard tools: base + adapter merged into a Hugging Face folder
(safetensors), and GGUF files (f16, q8_0) for llama.cpp and Ollama, written with the `gguf` package.

GGUF tensors carry llama.cpp's names (token_embd, blk.N.attn_q, …, output_norm, output; from the gguf
package's own name map) and LLaMA's q/k weights are permuted the way llama.cpp's converter does (its
rotary embedding pairs adjacent dimensions; transformers' GGUF loader undoes exactly this permutation).
The tokenizer goes in as llama.cpp's byte-level BPE ("gpt2"): tokens, types, merges, special ids, chat template.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from typing import Any

import numpy as np
import torch

from .errors import WorkerError

FORMATS = ("hf", "gguf-f16", "gguf-q8_0")
# HF model_type -> (llama.cpp architecture, q/k permutation). llama.cpp converts Mistral as LLaMA.
GGUF_ARCHITECTURES = {"llama": ("llama", True), "mistral": ("llama", True), "qwen2": ("qwen2", False)}


def _permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's LlamaModel.permute: HF's rotate-half layout -> interleaved pairs, per head."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _pre_tokenizer_name(backend) -> tuple[str, str | None]:
    """llama.cpp's name (`tokenizer.ggml.pre`) for the tokenizer's split, and a note when it is a guess."""
    from .gguf_import import PRE_TOKENIZERS, _DIGITS_THEN_GPT2, _LLAMA3, _QWEN2

    pre = json.loads(backend.to_str()).get("pre_tokenizer") or {}
    parts = pre.get("pretokenizers", [pre]) if pre.get("type") == "Sequence" else [pre]
    kinds = [p.get("type") for p in parts]
    if kinds == ["ByteLevel"] and parts[0].get("use_regex", True):
        return "gpt-2", None
    if kinds == ["Digits", "ByteLevel"] and parts[0].get("individual_digits"):
        return "smollm", None
    if kinds == ["Split", "ByteLevel"]:
        regex = (parts[0].get("pattern") or {}).get("Regex")
        for name, split in (("llama-bpe", _LLAMA3), ("qwen2", _QWEN2)):
            if regex == split:
                return name, None
    assert PRE_TOKENIZERS["smollm"] == _DIGITS_THEN_GPT2
    return "default", f"pre-tokenizer {kinds} has no llama.cpp name here: written as 'default' (GPT-2's split)"


def tokenizer_metadata(tok, vocab_size: int) -> dict[str, Any]:
    """The GGUF tokenizer fields of a byte-level BPE tokenizer (what llama.cpp's converter writes)."""
    import gguf

    backend = getattr(tok, "backend_tokenizer", None)
    spec = json.loads(backend.to_str()) if backend is not None else {}
    model = spec.get("model") or {}
    if model.get("type") != "BPE" or not any(
        (p or {}).get("type") == "ByteLevel"
        for p in [spec.get("pre_tokenizer") or {}] + (spec.get("pre_tokenizer") or {}).get("pretokenizers", [])
    ):
        raise WorkerError(
            "unsupported_model",
            f"GGUF export writes byte-level BPE tokenizers (GPT-2 style) only; this tokenizer is {model.get('type', type(tok).__name__)}",
        )
    by_id = {i: t for t, i in tok.get_vocab().items()}
    added = {a["id"]: a for a in spec.get("added_tokens", [])}
    tokens, types = [], []
    for i in range(vocab_size):
        t = by_id.get(i)
        if t is None:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif i in added:
            tokens.append(t)
            types.append(gguf.TokenType.CONTROL if added[i].get("special") else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(t)
            types.append(gguf.TokenType.NORMAL)
    merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])]
    pre, note = _pre_tokenizer_name(backend)
    probe = tok("a", add_special_tokens=True)["input_ids"]
    add_bos = tok.bos_token_id is not None and len(probe) > 0 and probe[0] == tok.bos_token_id
    return {
        "tokens": tokens,
        "types": types,
        "merges": merges,
        "pre": pre,
        "note": note,
        "add_bos": add_bos,
        "bos": tok.bos_token_id,
        "eos": tok.eos_token_id,
        "unk": tok.unk_token_id,
        "pad": tok.pad_token_id,
        "chat_template": tok.chat_template if isinstance(tok.chat_template, str) else None,
    }


def write_gguf(model, tok, path: str, quantization: str, name: str) -> dict:
    """Write `model` (a transformers LLaMA/Mistral/Qwen2 causal LM) and `tok` as one GGUF file."""
    import gguf

    cfg = model.config
    if cfg.model_type not in GGUF_ARCHITECTURES:
        raise WorkerError(
            "unsupported_model",
            f"GGUF export supports {', '.join(GGUF_ARCHITECTURES)}; this model is "
            f"{cfg.model_type!r} (its Hugging Face folder export works)",
            {"model_type": cfg.model_type},
        )
    if getattr(cfg, "rope_scaling", None):
        raise WorkerError("unsupported_model", f"GGUF export does not write rope scaling ({cfg.rope_scaling}) yet")
    arch_name, permute = GGUF_ARCHITECTURES[cfg.model_type]
    arch = {"llama": gguf.MODEL_ARCH.LLAMA, "qwen2": gguf.MODEL_ARCH.QWEN2}[arch_name]
    qtype = {"f16": gguf.GGMLQuantizationType.F16, "q8_0": gguf.GGMLQuantizationType.Q8_0}[quantization]
    n_head, n_kv = cfg.num_attention_heads, cfg.num_key_value_heads
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // n_head
    names = gguf.get_tensor_name_map(arch, cfg.num_hidden_layers)
    meta = tokenizer_metadata(tok, cfg.vocab_size)

    w = gguf.GGUFWriter(path, arch_name)
    w.add_name(name)
    w.add_type("model")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if quantization == "f16" else gguf.LlamaFileType.MOSTLY_Q8_0)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_kv)
    w.add_rope_freq_base(float(cfg.rope_theta))
    w.add_layer_norm_rms_eps(float(cfg.rms_norm_eps))
    w.add_rope_dimension_count(head_dim)
    if head_dim * n_head != cfg.hidden_size:
        w.add_key_length(head_dim)
        w.add_value_length(head_dim)
    w.add_vocab_size(cfg.vocab_size)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(meta["pre"])
    w.add_token_list(meta["tokens"])
    w.add_token_types(meta["types"])
    w.add_token_merges(meta["merges"])
    for key, add in (("bos", w.add_bos_token_id), ("eos", w.add_eos_token_id), ("unk", w.add_unk_token_id), ("pad", w.add_pad_token_id)):
        if meta[key] is not None:
            add(int(meta[key]))
    w.add_add_bos_token(bool(meta["add_bos"]))
    if meta["chat_template"]:
        w.add_chat_template(meta["chat_template"])

    tied = bool(getattr(cfg, "tie_word_embeddings", False))
    counts: dict[str, int] = {}
    for hf_name, tensor in model.state_dict().items():
        if tied and hf_name == "lm_head.weight":
            continue  # llama.cpp uses token_embd when there is no output tensor
        if hf_name.endswith("rotary_emb.inv_freq"):
            continue
        gguf_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise WorkerError("unsupported_model", f"no llama.cpp name for tensor {hf_name}")
        data = tensor.detach().to(torch.float32).cpu().numpy()
        if permute and hf_name.endswith("q_proj.weight"):
            data = _permute(data, n_head)
        elif permute and hf_name.endswith("k_proj.weight"):
            data = _permute(data, n_kv)
        if data.ndim == 1:  # norms and biases stay f32, as llama.cpp writes them
            w.add_tensor(gguf_name, np.ascontiguousarray(data, dtype=np.float32))
            kind = "F32"
        elif qtype == gguf.GGMLQuantizationType.Q8_0 and data.shape[-1] % 32 == 0:
            w.add_tensor(gguf_name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
            kind = "Q8_0"
        else:  # f16, or a row that is not a whole number of q8_0 blocks
            w.add_tensor(gguf_name, data.astype(np.float16))
            kind = "F16"
        counts[kind] = counts.get(kind, 0) + 1
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return {
        "path": path,
        "bytes": os.path.getsize(path),
        "tensor_types": counts,
        "pre_tokenizer": meta["pre"],
        "notes": [meta["note"]] if meta["note"] else [],
    }


def export_model(
    base_path: str, adapter_path: str | None, out_dir: str, formats: list[str] | tuple[str, ...] = FORMATS, name: str = "model"
) -> dict:
    """Merge `adapter_path` (PEFT) into the full-precision base at `base_path` and write `formats` under
    `out_dir`: `<name>/` (Hugging Face), `<name>-f16.gguf`, `<name>-q8_0.gguf`. Each file appears atomically."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .lora import merged_copy

    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise WorkerError("bad_request", f"'formats' must be a non-empty list of {', '.join(FORMATS)}; got {list(formats)}")
    start = time.time()
    os.makedirs(out_dir, exist_ok=True)
    files: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as tmp:
        merged = os.path.join(tmp, name)
        if adapter_path is None:
            shutil.copytree(base_path, merged, ignore=shutil.ignore_patterns(".*"))
        else:
            merged_copy(base_path, adapter_path, merged)
        model = AutoModelForCausalLM.from_pretrained(merged, dtype=torch.float32, local_files_only=True)
        tok = AutoTokenizer.from_pretrained(merged, local_files_only=True)
        model.eval()
        for fmt in formats:
            if fmt == "hf":
                continue
            quant = fmt.split("-", 1)[1]
            target = os.path.join(out_dir, f"{name}-{quant}.gguf")
            info = write_gguf(model, tok, os.path.join(tmp, os.path.basename(target)), quant, name)
            os.replace(info["path"], target)
            files[fmt] = {**info, "path": target}
        if "hf" in formats:
            target = os.path.join(out_dir, name)
            if os.path.exists(target):
                shutil.rmtree(target)
            os.replace(merged, target)
            files["hf"] = {
                "path": target,
                "bytes": sum(os.path.getsize(os.path.join(target, f)) for f in os.listdir(target)),
                "files": sorted(os.listdir(target)),
            }
    return {"path": os.path.abspath(out_dir), "files": files, "seconds": round(time.time() - start, 2)}


def export_command(session, cmd: dict, ctx) -> dict:
    """Protocol command `export`: {path, adapter?, formats?, name?} -> export_model's result + `adapter`."""
    from .lora import save_adapter
    from .protocol import field

    lm = session.need_model(cmd)
    out = os.path.abspath(field(cmd, "path", str))
    formats = field(cmd, "formats", list, list(FORMATS))
    name = field(cmd, "name", str, "model")
    if not name or "/" in name or name.startswith("."):
        raise WorkerError("bad_request", f"'export' field 'name' must be a plain file name, got {name!r}")
    adapter = session._adapter_arg(cmd, session.last_adapter)
    if session._full_trained is not None and session._full_trained[0] is lm:
        raise WorkerError("bad_request", "'export' after a full fine-tune: save the model (`save` with full_model) and load it first")
    with tempfile.TemporaryDirectory() as tmp:
        adapter_dir = save_adapter(lm.model, adapter, tmp) if adapter is not None else None
        result = export_model(lm.path, adapter_dir, out, formats, name)
    return {**result, "adapter": adapter}


def cli(argv: list[str]) -> int:
    """`python -m modelfactory_worker export --model DIR [--adapter DIR] --out DIR [--formats hf gguf-f16 gguf-q8_0]`."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(
        prog="python -m modelfactory_worker export",
        description="Merge a PEFT adapter into its base and write a Hugging Face folder and GGUF files.",
    )
    ap.add_argument("--model", required=True, help="base model folder (Hugging Face)")
    ap.add_argument("--adapter", help="PEFT adapter folder (default: export the base as it is)")
    ap.add_argument("--out", required=True, help="folder to write into")
    ap.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    ap.add_argument("--name", default="model", help="file name stem of what is written")
    a = ap.parse_args(argv)
    try:
        result = export_model(a.model, a.adapter, a.out, a.formats, a.name)
    except WorkerError as e:
        print(json.dumps({"event": "error", "code": e.code, "message": e.message, "details": e.details}))
        print(f"export: {e.message}", file=sys.stderr)
        return 1
    print(json.dumps({"event": "result", "result": result}))
    return 0
