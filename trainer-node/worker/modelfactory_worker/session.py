"""What the worker holds between commands (one base model, its tokenizer, named adapters, the
last training run's held-out split) and the handler of each protocol command.

About 470 lines: one short handler per protocol command over the state they share; the work of
each lives in its own module (train, evaluate, generate, attribution, influence, export …)."""

from __future__ import annotations

import os
import platform
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

import torch

from . import PROTOCOL, __version__
from .chat import ChatFormatter
from .data import split_records, tokenize
from .errors import WorkerError
from .evaluate import example_losses, generation_metrics, perplexity, perplexity_of
from .finish import finish_run
from .generate import SamplingParams, adapter_active, generate
from .prefix_cache import PrefixCache, budget_from_env
from .serving import MergedCopies, copies_from_env, serving_precision_from_env
from .launcher import check_processes, train_processes
from .lora import base_model, check_adapter_name, is_peft, load_adapter, merged_copy, save_adapter
from .memory import device_memory, process_memory
from .models import (
    LoadedModel,
    compute_label,
    count_parameters,
    cpu_bf16_autocast,
    cpu_has_native_bf16,
    device_label,
    load_model,
    pick_device,
)
from .protocol import field
from .qlora import quantization_report
from .records import Message, ROLES, DatasetRecord, read_records
from .train import Trainer
from .trainconfig import TrainConfig


@dataclass
class Context:
    """Given to a handler: emit an event about this command, and the command's cancel flag."""

    emit: Callable[[dict], None]
    cancel: threading.Event


def _path(cmd: dict, name: str, must_exist: bool = True, default: Any = ...) -> str:
    p = field(cmd, name, str, default)
    if p is None:
        return p
    p = os.path.abspath(p)
    if must_exist and not os.path.exists(p):
        raise WorkerError("file_not_found", f"'{cmd['cmd']}' field '{name}': no such file or folder: {p}", {"path": p})
    return p


def _load_full_weights(model, folder: str) -> None:
    """Copy the weights a training process saved (save_pretrained, safetensors) into `model`."""
    from safetensors.torch import load_file

    files = sorted(f for f in os.listdir(folder) if f.endswith(".safetensors"))
    own = model.state_dict()
    with torch.no_grad():
        for f in files:
            for key, value in load_file(os.path.join(folder, f)).items():
                if key not in own:
                    raise WorkerError("internal", f"trained weight {key} from {folder} is not in the loaded model")
                own[key].copy_(value.to(own[key].device, own[key].dtype))


def _fits_twice(model: torch.nn.Module) -> bool:
    """Whether a second copy of `model`'s weights fits in the memory available now, with a copy to spare."""
    import psutil

    size = sum(p.numel() * p.element_size() for p in model.parameters())
    return psutil.virtual_memory().available > 2 * size


class Session:
    def __init__(self, peak_flops: float, device_name: str):
        self.loaded: LoadedModel | None = None
        self.adapters: dict[str, str | None] = {}  # name -> folder it was loaded from or saved to
        self.last_adapter: str | None = None
        self.held_out: list[DatasetRecord] = []
        self.last_train: dict | None = None
        self.peak_flops = peak_flops
        self.device_name = device_name
        # (loaded model, folder of its weights) after a full fine-tune changed the base in memory:
        # training processes must start from those weights, not from the folder it was loaded from.
        self._full_trained: tuple[LoadedModel, str] | None = None
        # Keys and values of recent chat sequences, and plain copies with a served adapter merged
        # into the weights: both belong to the weights they came from (_weights_change).
        self.prefix_cache = PrefixCache(budget_from_env())
        self.merged = MergedCopies(copies_from_env(), serving_precision_from_env())

    # -- helpers ---------------------------------------------------------------------------
    def need_model(self, cmd: dict) -> LoadedModel:
        if self.loaded is None:
            raise WorkerError("not_loaded", f"'{cmd['cmd']}' needs a model: send 'load' first")
        return self.loaded

    def formatter(self) -> ChatFormatter:
        return ChatFormatter(self.loaded.tokenizer)

    def _adapter_arg(self, cmd: dict, default: str | None) -> str | None:
        name = field(cmd, "adapter", str, default, allow_none=True)
        if name is not None and name not in self.adapters:
            raise WorkerError(
                "unknown_adapter", f"no adapter named {name!r} is loaded; loaded: {', '.join(self.adapters) or 'none'}", {"adapter": name}
            )
        return name

    def _weights_change(self) -> None:
        """Drop what was computed from the weights about to change (a load or a training run)."""
        self.prefix_cache.clear()
        self.merged.clear()

    @contextmanager
    def serving(self, lm: LoadedModel, adapter: str | None):
        """The model that answers with `adapter` (None: the base), for forward passes only: its
        serving copy where one may be kept (serving.py), else the PEFT model with the adapter active."""
        if self.merged.eligible(lm.model, lm.device, lm.quantization, adapter):
            yield self.merged.get(lm.model, adapter)
            return
        with adapter_active(lm.model, adapter) as model:
            yield model

    def describe(self) -> dict | None:
        if self.loaded is None:
            return None
        lm = self.loaded
        return {
            "model": lm.path,
            "model_type": lm.model_type,
            "device": device_label(lm.device),
            "dtype": str(lm.dtype).replace("torch.", ""),
            "quantization": lm.quantization,
            "quant_backend": lm.quant_backend,
            "adapters": sorted(self.adapters),
        }

    # -- commands --------------------------------------------------------------------------
    def info(self, cmd: dict, ctx: Context) -> dict:
        import peft
        import transformers

        compute = self.loaded.device if self.loaded else pick_device("auto")
        return {
            "protocol": PROTOCOL,
            "worker_version": __version__,
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "peft": peft.__version__,
            "device": self.device_name,
            # Where this worker computes: the loaded model's device, else where 'auto' would load.
            "compute_device": device_label(compute),
            "device_memory": device_memory(compute),
            "cuda_available": torch.cuda.is_available(),
            "threads": torch.get_num_threads(),
            "matmul_peak_gflops": self.peak_flops / 1e9,
            "loaded": self.describe(),
            "memory": process_memory(torch.device("cpu")),
            # The copies chat answers from on a CPU (serving.py): their precision, how many are kept,
            # and whether this CPU multiplies bf16 natively (what `auto` decides by).
            "serving": {"precision": self.merged.precision, "copies": self.merged.limit, "native_bf16": cpu_has_native_bf16()},
        }

    def load(self, cmd: dict, ctx: Context) -> dict:
        self._weights_change()
        adapters = field(cmd, "adapters", dict, {})
        if "model" in cmd:
            path = _path(cmd, "model")
            loaded = load_model(
                path,
                device=field(cmd, "device", str, "auto"),
                dtype=field(cmd, "dtype", str, "auto"),
                quantization=field(cmd, "quantization", str, "none"),
                quant_backend=field(cmd, "quant_backend", str, "auto"),
                gradient_checkpointing=field(cmd, "gradient_checkpointing", bool, False),
            )
            self.loaded, self.adapters, self.last_adapter, self.held_out = loaded, {}, None, []
        elif not adapters:
            raise WorkerError("bad_request", "'load' needs 'model' (a base model folder) and/or 'adapters'")
        lm = self.need_model(cmd)
        for name, apath in adapters.items():
            check_adapter_name(name)
            if not isinstance(apath, str):
                raise WorkerError("bad_request", f"adapters.{name} must be a folder path")
            lm.model = load_adapter(lm.model, os.path.abspath(apath), name)
            self.adapters[name] = os.path.abspath(apath)
            self.last_adapter = name
        cfg = lm.model.config
        return {
            **self.describe(),
            "parameters": count_parameters(lm.model),
            "quantized": quantization_report(lm.model),
            "vocab_size": len(lm.tokenizer),
            "has_chat_template": bool(getattr(lm.tokenizer, "chat_template", None)),
            "max_position_embeddings": getattr(cfg, "max_position_embeddings", None),
            "memory": process_memory(lm.device),
        }

    def count_tokens(self, cmd: dict, ctx: Context) -> dict:
        lm = self.need_model(cmd)
        max_len = field(cmd, "max_seq_len", int, 1_000_000)
        out: dict = {}
        texts = field(cmd, "texts", list, [])
        if texts:
            if not all(isinstance(t, str) for t in texts):
                raise WorkerError("bad_request", "'count_tokens' field 'texts' must be a list of strings")
            out["texts"] = [len(lm.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
        files = field(cmd, "files", list, [])
        if not files and not texts:
            raise WorkerError("bad_request", "'count_tokens' needs 'files' (JSONL paths) or 'texts'")
        out["files"] = []
        fmt = self.formatter()
        for f in files:
            if not isinstance(f, str):
                raise WorkerError("bad_request", "'count_tokens' field 'files' must be a list of paths")
            records = read_records(os.path.abspath(f))
            kinds: dict[str, int] = {}
            for r in records:
                kinds[r.kind] = kinds.get(r.kind, 0) + 1
            lengths = [len(fmt.encode_record(r)[0]) for r in records]
            split = tokenize(records, fmt, max_len)
            out["files"].append(
                {
                    "path": os.path.abspath(f),
                    "records": len(records),
                    "kinds": kinds,
                    "tokens": sum(lengths),
                    "max_tokens": max(lengths),
                    "trained_tokens": sum(e.trained_tokens for e in split.examples),
                    "truncated": split.truncated,
                    "dropped": split.dropped,
                }
            )
        return out

    def train(self, cmd: dict, ctx: Context) -> dict:
        self._weights_change()
        lm = self.need_model(cmd)
        processes = check_processes(field(cmd, "processes", int, 1), lm.device)
        cfg = TrainConfig.from_dict(field(cmd, "config", dict, {}))
        data = field(cmd, "data", dict)
        if not isinstance(data.get("train"), str):
            raise WorkerError("bad_request", "'train' needs data.train (a JSONL path)")
        out_dir = os.path.abspath(field(cmd, "output_dir", str))
        name = check_adapter_name(field(cmd, "adapter", str, "default"))
        resume = field(cmd, "resume_from", str, None, allow_none=True)
        records = read_records(os.path.abspath(data["train"]))
        if isinstance(data.get("eval"), str):
            train_records, held_out = records, read_records(os.path.abspath(data["eval"]))
        else:
            train_records, held_out = split_records(records, cfg.eval_fraction, cfg.seed)
        fmt = self.formatter()
        tr, ev = tokenize(train_records, fmt, cfg.max_seq_len), tokenize(held_out, fmt, cfg.max_seq_len)
        os.makedirs(out_dir, exist_ok=True)
        if name in self.adapters and is_peft(lm.model):
            self.adapters.pop(name)
        if processes > 1:
            return self._train_processes(processes, lm, cfg, tr, ev, held_out, out_dir, name, resume, ctx)
        trainer = Trainer(
            lm.model,
            cfg,
            tr.examples,
            ev.examples,
            output_dir=out_dir,
            adapter_name=name,
            pad_id=lm.tokenizer.pad_token_id,
            device=lm.device,
            dtype=lm.dtype,
            emit=ctx.emit,
            cancel=ctx.cancel,
        )
        lm.model = trainer.model
        res = trainer.run(resume)  # leaves the best evaluation's weights in the model
        run = finish_run(trainer, res, lm.tokenizer)
        saved = run["saved"]
        for p in lm.model.parameters():
            p.requires_grad_(False)
        if cfg.method == "full":
            self._full_trained = (lm, saved)
        else:
            self.adapters[name] = saved
            self.last_adapter = name
        return self._train_result(run, cfg, name, saved, tr, ev, held_out)

    def _train_result(self, run: dict, cfg: TrainConfig, name: str, saved: str, tr, ev, held_out: list[DatasetRecord]) -> dict:
        """Remembers a finished run (held-out split, memory report) and builds the `train` result."""
        self.held_out = held_out
        self.last_train = {"memory": run["memory"], "config": cfg.to_dict()}
        losses = run["losses"]
        return {
            "status": run["status"],
            "step": run["step"],
            "total_steps": run["total_steps"],
            "final_loss": losses[-1] if losses else None,
            "losses": losses,
            "eval_loss": run["eval_loss"],
            "eval_losses": run["eval_losses"],
            "eval_every": run["eval_every"],
            "eval_seconds": run["eval_seconds"],
            "eval_records": run["eval_records"],
            "best": run["best"],
            "adapter": name if cfg.method != "full" else None,
            "adapter_path" if cfg.method != "full" else "model_path": saved,
            "last_checkpoint": run["last_checkpoint"],
            "resumed_from": run["resumed_from"],
            "tokens": run["tokens"],
            "seconds": run["seconds"],
            "tokens_per_s": run["tokens"] / run["seconds"] if run["seconds"] else 0.0,
            "mfu": run["mfu"],
            "compute": run["compute"],
            "data": {
                "train_examples": len(tr.examples),
                "eval_examples": len(ev.examples),
                "dropped": tr.dropped + ev.dropped,
                "truncated": tr.truncated + ev.truncated,
            },
            "memory": run["memory"],
            "config": cfg.to_dict(),
        }

    def _train_processes(
        self,
        processes: int,
        lm: LoadedModel,
        cfg: TrainConfig,
        tr,
        ev,
        held_out: list[DatasetRecord],
        out_dir: str,
        name: str,
        resume: str | None,
        ctx: Context,
    ) -> dict:
        """`train` with `processes` > 1: data-parallel ranks (launcher.py, rank.py) train and rank 0
        saves; the trained adapter (or full weights) is then loaded here, so every later command sees it."""
        if cfg.method == "full" and is_peft(lm.model):
            raise WorkerError("bad_request", "full fine-tuning needs a plain (unquantized, adapter-free) base")
        base_path = self._full_trained[1] if self._full_trained and self._full_trained[0] is lm else lm.path
        model = {
            "path": base_path,
            "device": lm.device.type,
            "dtype": str(lm.dtype).replace("torch.", ""),
            "quantization": lm.quantization,
            "quant_backend": lm.quant_backend,
            "gradient_checkpointing": bool(getattr(base_model(lm.model), "is_gradient_checkpointing", False)),
        }
        threads = int(os.environ.get("MODELFACTORY_WORKER_THREADS", "0")) or torch.get_num_threads()
        r = train_processes(
            processes=processes,
            model=model,
            config=cfg.to_dict(),
            train=tr.examples,
            held_out=ev.examples,
            output_dir=out_dir,
            adapter=name,
            pad_id=lm.tokenizer.pad_token_id,
            resume_from=resume,
            emit=ctx.emit,
            cancel=ctx.cancel,
            threads=threads,
        )
        saved = r["saved"]
        if cfg.method == "full":
            _load_full_weights(lm.model, saved)
            for p in lm.model.parameters():
                p.requires_grad_(False)
            self._full_trained = (lm, saved)
        else:
            lm.model = load_adapter(lm.model, saved, name)
            self.adapters[name] = saved
            self.last_adapter = name
        return {**self._train_result(r, cfg, name, saved, tr, ev, held_out), "processes": r["processes"]}

    def evaluate(self, cmd: dict, ctx: Context) -> dict:
        lm = self.need_model(cmd)
        adapter = self._adapter_arg(cmd, self.last_adapter)
        data = _path(cmd, "data", default=None)
        records = read_records(data) if data else self.held_out
        if not records:
            raise WorkerError("bad_request", "'evaluate' needs 'data' (a JSONL path) or a previous 'train' whose held-out split it uses")
        max_len = field(cmd, "max_seq_len", int, 512)
        fmt = self.formatter()
        split = tokenize(records, fmt, max_len)
        examples = split.examples
        cpu_bf16 = cpu_bf16_autocast(field(cmd, "precision", str, "auto"), lm.device, lm.dtype)
        kw = dict(pad_id=lm.tokenizer.pad_token_id, device=lm.device, dtype=lm.dtype, seq_len=max_len, cpu_bf16=cpu_bf16)
        result: dict = {"adapter": adapter, "records": len(records), "compute": compute_label(lm.device, lm.dtype, cpu_bf16)}
        insights = field(cmd, "insights", dict, None)
        if insights is not None and adapter is None:
            raise WorkerError("bad_request", "'evaluate' field 'insights' needs a tuned model: name an 'adapter' (or train one first)")
        with adapter_active(lm.model, None):
            result["perplexity_base"] = perplexity(lm.model, examples, **kw)
        if adapter is not None:
            with self._tuned(lm, adapter) as tuned:
                # One pass gives the tuned perplexity and, with insights, each record's loss.
                losses = example_losses(tuned, examples, **kw)
                result["perplexity_tuned"] = perplexity_of(losses)
                if insights is not None:
                    result["insights"] = self._insights(tuned, insights, records, split, losses, fmt, max_len, cpu_bf16, ctx)
        if field(cmd, "generation", bool, True):
            gkw = dict(
                device=lm.device,
                max_samples=field(cmd, "max_samples", int, 16),
                max_new_tokens=field(cmd, "max_new_tokens", int, 64),
                cancel=ctx.cancel,
            )
            result["generation_base"] = generation_metrics(lm.model, fmt, records, None, **gkw)
            if adapter is not None:
                result["generation_tuned"] = generation_metrics(lm.model, fmt, records, adapter, **gkw)
        if self.last_train is not None:
            result["memory"] = self.last_train["memory"]
        return result

    @contextmanager
    def _tuned(self, lm: LoadedModel, adapter: str):
        """The model `evaluate`'s tuned passes read. On a CPU, over an unquantized base that fits
        in memory twice, a float32 copy with the adapter merged in (W + scaling·B·A, as export
        merges): PEFT's unmerged LoRA layers made the demo's passes 1.25x slower, and the merged
        copy's losses differ from theirs by the merge's rounding (0.02 % on the demo under bf16
        autocast). Elsewhere the PEFT model with the adapter active. The copy is dropped
        afterwards; the loaded model is not touched."""
        copies = MergedCopies(1, "float32")  # the serving copies' rule of when a merged copy can be made
        if copies.eligible(lm.model, lm.device, lm.quantization, adapter) and _fits_twice(lm.model):
            yield copies.get(lm.model, adapter)
        else:
            with adapter_active(lm.model, adapter):
                yield lm.model

    def _insights(
        self,
        model,
        args: dict,
        records: list[DatasetRecord],
        split,
        losses,
        fmt: ChatFormatter,
        max_len: int,
        cpu_bf16: bool,
        ctx: Context,
    ) -> dict:
        """Per-contribution losses of the active (tuned) model: the held-out records' from the pass
        just made, and a seeded sample of each contribution's training records."""
        from .insights import MAX_TRAIN_RECORDS, SideLoss, check_ids, contribution_insights, sample_per_contribution, side_losses

        lm = self.loaded
        eval_ids = check_ids(args.get("eval_contributions"), len(records), "eval_contributions")
        held: dict[str, list] = {}
        for src, (s, n) in zip(split.sources, losses):
            a = held.setdefault(eval_ids[src], [0, 0, 0.0])
            a[0], a[1], a[2] = a[0] + 1, a[1] + n, a[2] + s
        held_out = {c: SideLoss(r, n, t / n) for c, (r, n, t) in held.items()}
        cap = field(args | {"cmd": "evaluate"}, "max_train_records", int, MAX_TRAIN_RECORDS)
        if cap < 1:
            raise WorkerError("bad_request", f"'evaluate' field 'insights.max_train_records' must be at least 1, got {cap}")
        train: dict[str, SideLoss] = {}
        if args.get("train") is not None:
            path = _path(args | {"cmd": "evaluate"}, "train")
            train_records = read_records(path)
            ids = check_ids(args.get("train_contributions"), len(train_records), "train_contributions")
            keep = sample_per_contribution(ids, cap)
            if not ctx.cancel.is_set():
                train = side_losses(
                    model,
                    fmt,
                    [train_records[i] for i in keep],
                    [ids[i] for i in keep],
                    max_len=max_len,
                    pad_id=lm.tokenizer.pad_token_id,
                    device=lm.device,
                    dtype=lm.dtype,
                    cpu_bf16=cpu_bf16,
                )
        return contribution_insights(train, held_out, cap)

    def generate(self, cmd: dict, ctx: Context) -> dict:
        lm = self.need_model(cmd)
        adapter = self._adapter_arg(cmd, None)
        params = SamplingParams.from_dict(cmd)
        fmt = self.formatter()
        if "messages" in cmd:
            msgs = field(cmd, "messages", list)
            if not msgs or not all(isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str) for m in msgs):
                raise WorkerError(
                    "bad_request", "'generate' field 'messages' must be a non-empty list of {role: system|user|assistant, content: string}"
                )
            prompt_ids = fmt.encode_prompt([Message(m["role"], m["content"]) for m in msgs])
        else:
            prompt_ids = lm.tokenizer(field(cmd, "prompt", str), add_special_tokens=True)["input_ids"]
        stream = field(cmd, "stream", bool, True)
        index = [0]

        def on_text(piece: str) -> None:
            if stream:
                ctx.emit({"event": "token", "text": piece, "index": index[0]})
                index[0] += 1

        with self.serving(lm, adapter) as model:
            out = generate(
                model, lm.tokenizer, prompt_ids, params, lm.device, on_text, ctx.cancel, prefix=self.prefix_cache, adapter=adapter
            )
        return {
            "adapter": adapter,
            "text": out["text"],
            "finish_reason": out["finish_reason"],
            "usage": {
                "prompt_tokens": out["prompt_tokens"],
                "completion_tokens": out["completion_tokens"],
                "cached_tokens": out["cached_tokens"],
            },
        }

    def save(self, cmd: dict, ctx: Context) -> dict:
        lm = self.need_model(cmd)
        out = os.path.abspath(field(cmd, "path", str))
        if field(cmd, "full_model", bool, False):
            lm.model.save_pretrained(out, safe_serialization=True)
            lm.tokenizer.save_pretrained(out)
            return {"path": out, "kind": "model", "files": sorted(os.listdir(out))}
        name = self._adapter_arg(cmd, self.last_adapter)
        if name is None:
            raise WorkerError("bad_request", "'save' needs 'adapter' (no adapter is loaded or trained)")
        if field(cmd, "merged", bool, False):
            # Merging starts from the full-precision base on disk, also when a QLoRA base is loaded.
            with tempfile.TemporaryDirectory() as tmp:
                merged_copy(lm.path, save_adapter(lm.model, name, tmp), out)
            return {"path": out, "kind": "merged", "adapter": name, "files": sorted(os.listdir(out))}
        save_adapter(lm.model, name, out)
        return {"path": out, "kind": "adapter", "adapter": name, "files": sorted(os.listdir(out))}
