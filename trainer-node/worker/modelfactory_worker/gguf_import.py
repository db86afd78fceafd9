"""GGUF file -> Hugging Face model folder, once: any GGUF file that transformers' GGUF loader reads
(LLaMA, Mistral, Qwen2/3, Gemma 2/3, Phi-3, …) becomes a base model the worker loads like any other.

transformers dequantizes the weights; the tokenizer it derives is repaired from the file's own
metadata (special tokens, BOS policy, the byte-level pre-tokenizer llama.cpp names), because its
GGUF converter maps every BPE vocabulary onto a LLaMA tokenizer with GPT-2's pre-tokenizer.
The folder is written atomically and carries `modelfactory-source.json`, so a second run is a no-op.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable

from .errors import WorkerError

SOURCE_FILE = "modelfactory-source.json"
SOURCE_FORMAT = "modelfactory.gguf-import/1"
# Bump when the conversion's output changes, so folders written by an older converter are redone.
CONVERTER_VERSION = 1
# Above this many parameters the folder is written in bf16 (half of fp32 on disk); below it, fp32
# keeps the dequantized values exactly.
BF16_ABOVE_PARAMETERS = 2_000_000_000

# llama.cpp's names of BPE pre-tokenizers (`tokenizer.ggml.pre`) -> the split regex before byte-level
# encoding. None: GPT-2's own regex. Values from llama.cpp's llama-vocab.cpp.
_GPT2 = None
_DIGITS_THEN_GPT2 = "digits"
_LLAMA3 = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
_QWEN2 = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
PRE_TOKENIZERS: dict[str, str | None] = {
    "gpt-2": _GPT2,
    "default": _GPT2,
    "phi-2": _GPT2,
    "olmo": _GPT2,
    "jais": _GPT2,
    "smollm": _DIGITS_THEN_GPT2,
    "starcoder": _DIGITS_THEN_GPT2,
    "refact": _DIGITS_THEN_GPT2,
    "command-r": _DIGITS_THEN_GPT2,
    "codeshell": _DIGITS_THEN_GPT2,
    "exaone": _DIGITS_THEN_GPT2,
    "minerva-7b": _DIGITS_THEN_GPT2,
    "llama3": _LLAMA3,
    "llama-bpe": _LLAMA3,
    "dbrx": _LLAMA3,
    "smaug-bpe": _LLAMA3,
    "qwen2": _QWEN2,
    "deepseek-r1-qwen": _QWEN2,
}


def _fail(path: str, reason: str, **details: Any) -> WorkerError:
    return WorkerError("unsupported_model", f"{os.path.basename(path)}: {reason}", {"path": path, **details})


def sha256_file(path: str, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _field(reader, key: str, default: Any = None) -> Any:
    f = reader.fields.get(key)
    if f is None:
        return default
    value = f.contents()
    return value


def inspect_gguf(path: str) -> dict:
    """What the file holds, or an `unsupported_model` error naming the file and the reason."""
    import gguf
    from gguf import GGMLQuantizationType as Q
    from gguf.quants import _type_traits
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    if not os.path.isfile(path):
        raise WorkerError("file_not_found", f"no such GGUF file: {path}", {"path": path})
    try:
        reader = gguf.GGUFReader(path)
    except Exception as e:  # noqa: BLE001 - the reader raises ValueError, struct.error, IndexError, …
        raise _fail(path, f"not a readable GGUF file ({type(e).__name__}: {str(e)[:200]})") from None
    arch = _field(reader, "general.architecture")
    if not isinstance(arch, str):
        raise _fail(path, "no general.architecture in its metadata")
    name = str(_field(reader, "general.name", "") or "")
    hf_arch = "mistral" if arch == "llama" and "mistral" in name.lower() else arch
    hf_arch = {"qwen2moe": "qwen2_moe", "qwen3moe": "qwen3_moe"}.get(hf_arch, hf_arch)
    if arch in ("t5", "t5encoder", "umt5") or hf_arch not in GGUF_SUPPORTED_ARCHITECTURES:
        supported = sorted(a for a in GGUF_SUPPORTED_ARCHITECTURES if a not in ("t5", "umt5"))
        raise _fail(
            path,
            f"architecture {arch!r} is not a causal LM that transformers can load from GGUF (it reads: {', '.join(supported)})",
            architecture=arch,
        )
    readable = {Q.F32, Q.F16} | set(_type_traits)
    types: dict[str, int] = {}
    parameters = 0
    for t in reader.tensors:
        if t.tensor_type not in readable:
            raise _fail(
                path,
                f"tensor {t.name} is stored as {t.tensor_type.name}, a quantization type the gguf "
                f"package {_gguf_version()} cannot dequantize",
                tensor=t.name,
                quantization=t.tensor_type.name,
            )
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
        parameters += int(t.n_elements)
    tokenizer_model = _field(reader, "tokenizer.ggml.model")
    if tokenizer_model is None:
        raise _fail(path, "no tokenizer in its metadata (tokenizer.ggml.model is missing)")
    return {
        "path": path,
        "architecture": arch,
        "name": name,
        "tensor_types": types,
        "parameters": parameters,
        "tokenizer_model": str(tokenizer_model),
        "pre_tokenizer": _field(reader, "tokenizer.ggml.pre"),
        "license": _field(reader, "general.license"),
        "context_length": _field(reader, f"{arch}.context_length"),
        "reader": reader,
    }


def _gguf_version() -> str:
    from importlib.metadata import version

    return version("gguf")


def _special(reader, tokens: list[str], key: str) -> str | None:
    i = _field(reader, f"tokenizer.ggml.{key}_token_id")
    return tokens[int(i)] if i is not None and 0 <= int(i) < len(tokens) else None


def build_tokenizer(gguf_dir: str, gguf_name: str, reader, context_length: int | None):
    """The file's tokenizer as a transformers fast tokenizer, with its special tokens and BOS policy.

    For byte-level BPE vocabularies (`tokenizer.ggml.model == "gpt2"`) the pre-tokenizer is the one
    llama.cpp applies for `tokenizer.ggml.pre` (SmolLM2 splits digits one by one). Returns the
    tokenizer and a list of notes (a pre-tokenizer this module does not know).
    """
    from tokenizers import Regex, decoders, pre_tokenizers, processors
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    notes: list[str] = []
    tok = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf_name, local_files_only=True)
    tokens = [str(t) for t in _field(reader, "tokenizer.ggml.tokens")]
    specials = {k: _special(reader, tokens, k) for k in ("bos", "eos", "unknown", "padding")}
    model = str(_field(reader, "tokenizer.ggml.model"))
    template = _field(reader, "tokenizer.chat_template")
    add_bos = _field(reader, "tokenizer.ggml.add_bos_token")
    if model == "gpt2":
        backend = tok.backend_tokenizer
        pre = _field(reader, "tokenizer.ggml.pre")
        split = PRE_TOKENIZERS.get(str(pre), _GPT2) if pre is not None else _GPT2
        if pre is not None and str(pre) not in PRE_TOKENIZERS:
            notes.append(
                f"pre-tokenizer {pre!r} unknown to the importer: GPT-2's split is used, so tokenization may differ from llama.cpp's"
            )
        byte_level = pre_tokenizers.ByteLevel(
            add_prefix_space=False, trim_offsets=True, use_regex=split is None or split == _DIGITS_THEN_GPT2
        )
        if split == _DIGITS_THEN_GPT2:
            backend.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
        elif split is None:
            backend.pre_tokenizer = byte_level
        else:
            backend.pre_tokenizer = pre_tokenizers.Sequence(
                [pre_tokenizers.Split(Regex(split), behavior="isolated", invert=False), byte_level]
            )
        backend.normalizer = None
        backend.decoder = decoders.ByteLevel()
        bos = specials["bos"]
        if add_bos and bos is not None:
            bos_id = tokens.index(bos)
            backend.post_processor = processors.TemplateProcessing(
                single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, bos_id)]
            )
        else:
            backend.post_processor = processors.ByteLevel(trim_offsets=False)
        tok = PreTrainedTokenizerFast(
            tokenizer_object=backend, clean_up_tokenization_spaces=False, model_input_names=["input_ids", "attention_mask"]
        )
    for attr, key in (("bos_token", "bos"), ("eos_token", "eos"), ("unk_token", "unknown"), ("pad_token", "padding")):
        if specials[key] is not None:
            setattr(tok, attr, specials[key])
    if tok.pad_token is None and tok.eos_token is not None:
        tok.pad_token = tok.eos_token
    if isinstance(template, str):
        tok.chat_template = template
    if context_length:
        tok.model_max_length = int(context_length)
    return tok, notes


def _is_current(out: Path, sha256: str) -> dict | None:
    try:
        note = json.loads((out / SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    ok = (
        note.get("format") == SOURCE_FORMAT
        and note.get("converter") == CONVERTER_VERSION
        and note.get("file", {}).get("sha256") == sha256
        and (out / "config.json").is_file()
    )
    return note if ok else None


def import_gguf(
    path: str,
    out_dir: str,
    *,
    name: str | None = None,
    source: dict | None = None,
    dtype: str = "auto",
    force: bool = False,
    progress: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True),
) -> dict:
    """Convert `path` into the Hugging Face folder `out_dir` (atomically); a no-op when it is current.

    `name` becomes `modelfactory_name` in config.json (the name the node offers); `source` (package,
    version, licence, …) is recorded beside the file's hash in `modelfactory-source.json`.
    """
    path = os.path.abspath(path)
    out = Path(os.path.abspath(out_dir))
    start = time.time()
    digest = sha256_file(path) if os.path.isfile(path) else ""
    if not force and digest and (note := _is_current(out, digest)):
        return {
            "status": "cached",
            "path": str(out),
            "seconds": round(time.time() - start, 3),
            "name": note.get("name"),
            "file": note["file"],
        }
    info = inspect_gguf(path)
    reader = info.pop("reader")
    import torch

    size_mb = os.path.getsize(path) / 1e6
    progress(
        f"import-gguf: converting {os.path.basename(path)} ({size_mb:.0f} MB, {info['architecture']}, "
        f"{info['parameters'] / 1e6:.1f}M parameters, {', '.join(sorted(info['tensor_types']))}) "
        f"into {out} (one time, about {max(10, round(size_mb * 0.3))} s)"
    )
    if dtype == "auto":
        dtype = "bfloat16" if info["parameters"] > BF16_ABOVE_PARAMETERS else "float32"
    torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}.get(dtype)
    if torch_dtype is None:
        raise WorkerError("bad_request", f"dtype must be auto, float32, bfloat16 or float16, got {dtype!r}")
    from transformers import AutoModelForCausalLM, GenerationConfig

    gguf_dir, gguf_name = os.path.dirname(path), os.path.basename(path)
    try:
        tok, notes = build_tokenizer(gguf_dir, gguf_name, reader, info["context_length"])
        model = AutoModelForCausalLM.from_pretrained(gguf_dir, gguf_file=gguf_name, dtype=torch_dtype, local_files_only=True)
    except (ValueError, KeyError, NotImplementedError, OSError, TypeError) as e:
        raise _fail(
            path, f"transformers cannot load it as a causal LM ({type(e).__name__}: {str(e)[:300]})", architecture=info["architecture"]
        ) from None
    del reader
    display = name or Path(path).stem
    model.config.modelfactory_name = display
    for attr in ("bos_token_id", "eos_token_id", "pad_token_id"):
        value = getattr(tok, attr)
        if value is not None:
            setattr(model.config, attr, value)
    gen = GenerationConfig(bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    model.generation_config = gen

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
        note = {
            "format": SOURCE_FORMAT,
            "converter": CONVERTER_VERSION,
            "name": display,
            "file": {"name": gguf_name, "size": os.path.getsize(path), "sha256": digest},
            "architecture": info["architecture"],
            "model_type": model.config.model_type,
            "gguf_name": info["name"],
            "tensor_types": info["tensor_types"],
            "parameters": info["parameters"],
            "dtype": dtype,
            "license": info["license"],
            "notes": notes,
            "source": source or {},
            "transformers": __import__("transformers").__version__,
            "gguf": _gguf_version(),
        }
        (tmp / SOURCE_FILE).write_text(json.dumps(note, indent=2) + "\n", encoding="utf-8")
        (tmp / "SOURCE.md").write_text(_source_markdown(note), encoding="utf-8")
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = round(time.time() - start, 1)
    progress(f"import-gguf: {out.name} ready in {seconds} s")
    return {
        "status": "converted",
        "path": str(out),
        "seconds": seconds,
        "name": display,
        "file": note["file"],
        "architecture": info["architecture"],
        "model_type": model.config.model_type,
        "parameters": sum(p.numel() for p in model.parameters()),
        "dtype": dtype,
        "notes": notes,
    }


def _source_markdown(note: dict) -> str:
    src = note.get("source") or {}
    lines = [
        f"# {note['name']}",
        "",
        f"Converted by ModelFactory's worker (`python -m modelfactory_worker import-gguf`, converter "
        f"{note['converter']}, transformers {note['transformers']}, gguf {note['gguf']}) from a GGUF file; "
        "weights dequantized, tokenizer and chat template taken from the file's metadata.",
        "",
        f"- file: `{note['file']['name']}` ({note['file']['size']} bytes), sha256 `{note['file']['sha256']}`",
        f"- architecture: {note['architecture']} ({note['parameters']} parameters; "
        f"tensor types {json.dumps(note['tensor_types'])}), written as {note['dtype']}",
        f"- licence (from the file's metadata): {note.get('license') or 'not stated'}",
    ]
    for key, value in src.items():
        lines.append(f"- {key}: {value}")
    for n in note.get("notes") or []:
        lines.append(f"- note: {n}")
    return "\n".join(lines) + "\n"


def cli(argv: list[str]) -> int:
    """`python -m modelfactory_worker import-gguf FILE --out DIR`: progress on stderr, one JSON result line on
    stdout (`{"event": "result", "result": …}` or `{"event": "error", "code", "message"}` with exit status 1)."""
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m modelfactory_worker import-gguf", description="Convert a GGUF file once into a Hugging Face model folder."
    )
    ap.add_argument("file", help="the .gguf file")
    ap.add_argument("--out", required=True, help="model folder to write (atomically)")
    ap.add_argument("--name", help="display name (config.json modelfactory_name); default: the file's stem")
    ap.add_argument("--source-json", help="JSON object recorded as the file's source (package, version, licence…)")
    ap.add_argument("--dtype", default="auto", help="auto (fp32 up to 2B parameters, else bf16), float32, bfloat16, float16")
    ap.add_argument("--force", action="store_true", help="convert even when the folder is current")
    a = ap.parse_args(argv)
    # One progress line of ours instead of transformers' per-tensor bar and its LLaMA-tokenizer notice.
    os.environ.setdefault("TQDM_DISABLE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    try:
        source = json.loads(a.source_json) if a.source_json else None
        result = import_gguf(a.file, a.out, name=a.name, source=source, dtype=a.dtype, force=a.force)
    except WorkerError as e:
        print(f"import-gguf: {e.message}", file=sys.stderr)
        print(json.dumps({"event": "error", "code": e.code, "message": e.message, "details": e.details}))
        return 1
    print(json.dumps({"event": "result", "result": result}))
    return 0
