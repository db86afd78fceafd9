"""The training loop: AdamW on the schedule of schedule.py, gradient accumulation and
clipping, evaluation and checkpoints every N steps, early stopping, exact resume, cooperative cancel.
About 440 lines: these steps share the loop's state (optimizer, step, best weights, RNG), so the
loop stays whole; the schedule, early stopping, checkpoints and data live in their own modules.

With held-out data the run evaluates every `eval_every` steps (or about `evals_per_run` times) and
at its last step; the weights of the lowest held-out loss are what it leaves in the model, so the
adapter saved after it is the best checkpoint's (early_stopping.py decides best and stop). These
evaluations read a fixed, seeded slice of the held-out split (`eval_slice_records`, or about 1/30 of
the run's training tokens over all of them): reading the whole split ten times cost a one-epoch run
about 30 % of its time. The `evaluate` command still scores the whole split for the report.

Every optimizer step reports loss, learning rate, grad norm, tokens/s, MFU, memory and ETA.

Given a `DataParallel` (data_parallel.py, one process per rank; rank.py runs each), the same loop runs data-parallel:
the model is wrapped in DDP through accelerate, each optimizer step's rows are split across the
ranks, and the loss is scaled so that the averaged gradient equals the one-process gradient of
the same global batch. Without it (the default) nothing below changes.
"""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable

import torch

from . import checkpoint as ckpt
from .chat import IGNORE, Example
from .data import EpochPlan, collate, steps_per_epoch
from .early_stopping import EarlyStopping, eval_interval, eval_slice, evaluations_in_run
from .errors import WorkerError
from .flops import flop_model, measure_matmul_peak
from .data_parallel import shard
from .lora import adapter_parameters, attach, base_model, is_peft, save_adapter
from .loss import autocast_for, batch_loss
from .memory import ActivationMeter, process_memory
from .models import compute_label, cpu_bf16_autocast
from .nf4 import NF4Linear
from .schedule import lr_multiplier
from .trainconfig import TrainConfig

Emit = Callable[[dict], None]


@dataclass
class TrainResult:
    status: str  # "completed" | "cancelled"
    step: int
    total_steps: int
    losses: list[float] = field(default_factory=list)
    eval_losses: list[tuple[int, float]] = field(default_factory=list)
    tokens: int = 0
    seconds: float = 0.0
    mfu: float = 0.0
    activation_bytes: int = 0
    tokens_per_micro_batch: int = 0
    resumed_from: str | None = None
    last_checkpoint: str | None = None
    eval_every: int = 0
    eval_seconds: float = 0.0  # time spent on held-out evaluations during training
    eval_loss: float | None = None  # of the weights the run leaves in the model (the best evaluation's)
    best_step: int | None = None
    stopped_early: bool = False
    stop_reason: str = ""
    eval_records: int = 0  # held-out records each in-training evaluation read (the slice)
    compute: str = ""  # what the matmuls computed in: models.compute_label


class Trainer:
    def __init__(
        self,
        model,
        cfg: TrainConfig,
        train: list[Example],
        held_out: list[Example],
        *,
        output_dir: str,
        adapter_name: str,
        pad_id: int,
        device: torch.device,
        dtype: torch.dtype,
        emit: Emit,
        cancel: threading.Event,
        dist=None,
    ):
        if not train:
            raise WorkerError("bad_request", "no training example left after tokenization and truncation")
        self.cfg, self.train, self.held_out = cfg, train, held_out
        self.output_dir, self.adapter_name, self.pad_id = output_dir, adapter_name, pad_id
        self.device, self.dtype, self.emit, self.cancel = device, dtype, emit, cancel
        self.dist = dist  # data_parallel.DataParallel, or None: one process
        self.cpu_bf16 = cpu_bf16_autocast(cfg.precision, device, dtype)
        self.compute = compute_label(device, dtype, self.cpu_bf16)
        torch.manual_seed(cfg.seed)  # LoRA initialisation and dropout follow the run's seed
        quantized = any(isinstance(m, NF4Linear) or type(m).__name__ == "Linear4bit" for m in model.modules())
        if cfg.method == "qlora" and not quantized:
            raise WorkerError("bad_request", "method 'qlora' needs the base loaded with quantization 'nf4'")
        if cfg.method == "full":
            if quantized or is_peft(model):
                raise WorkerError("bad_request", "full fine-tuning needs a plain (unquantized, adapter-free) base")
            for p in model.parameters():
                p.requires_grad_(True)
            self.model = model
            self.named_trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        else:
            self.model = attach(model, cfg.lora, adapter_name)
            self.named_trainable = adapter_parameters(self.model, adapter_name)
        if cfg.gradient_checkpointing:
            base_model(self.model).gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        params = [p for _, p in self.named_trainable]
        opt_kwargs = dict(lr=cfg.learning_rate, betas=(cfg.adam_beta1, cfg.adam_beta2), eps=cfg.adam_eps, weight_decay=cfg.weight_decay)
        try:
            self.optimizer = torch.optim.AdamW(params, fused=True, **opt_kwargs)
        except (RuntimeError, TypeError):
            self.optimizer = torch.optim.AdamW(params, **opt_kwargs)
        n_micro = len(self._plan(0))
        self.steps_per_epoch = steps_per_epoch(n_micro, cfg.grad_accum)
        self.total_steps = cfg.max_steps or cfg.epochs * self.steps_per_epoch
        warmup = cfg.warmup_steps or int(cfg.warmup_ratio * self.total_steps)
        self.eval_every = eval_interval(cfg.eval_every, cfg.evals_per_run, self.total_steps)
        self.stopper = EarlyStopping(cfg.early_stopping_patience, cfg.early_stopping_min_delta)
        # The slice every in-training evaluation reads: a pure function of the seed, the data and
        # the schedule, so every rank and every resume of the run evaluates the same records.
        run_tokens = sum(len(e.input_ids) for e in train) * self.total_steps // max(1, self.steps_per_epoch)
        picked = eval_slice(
            [len(e.input_ids) for e in held_out],
            seed=cfg.seed,
            cap=cfg.eval_slice_records,
            run_tokens=run_tokens,
            evaluations=evaluations_in_run(self.eval_every, self.total_steps),
        )
        self.eval_examples = [held_out[i] for i in picked]
        # CPU copy of the trainable weights at the best evaluation (small for LoRA; a full copy of
        # the model for full fine-tuning, which is also what a checkpoint of it holds).
        self.best_weights: dict[str, torch.Tensor] | None = None
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda s: lr_multiplier(s, self.total_steps, warmup, cfg.scheduler, cfg.min_lr_ratio)
        )
        self.flops = flop_model(self.model)
        self.peak = measure_matmul_peak(device, torch.bfloat16 if self.cpu_bf16 else dtype)  # MFU against what runs
        self._plans: dict[int, EpochPlan] = {}
        if dist is not None:
            # DDP over a module whose forward is the loss; accelerate's optimizer wrapper. Ranks
            # start from the same LoRA init (same seed; DDP also broadcasts rank 0's weights), then
            # draw dropout from their own streams.
            self.ddp, self.dist_optimizer = dist.prepare(self.model, self.optimizer)
            if dist.rank:
                torch.manual_seed(cfg.seed + 7919 * dist.rank)

    def _plan(self, epoch: int) -> EpochPlan:
        return EpochPlan(
            self.train,
            seed=self.cfg.seed,
            epoch=epoch,
            micro_batch=self.cfg.batch_size,
            seq_len=self.cfg.max_seq_len,
            packing=self.cfg.packing,
        )

    def plan(self, epoch: int) -> EpochPlan:
        if epoch not in self._plans:
            self._plans = {epoch: self._plan(epoch)}
        return self._plans[epoch]

    def evaluate_loss(self) -> float | None:
        if not self.eval_examples:
            return None
        was_training = self.model.training
        self.model.eval()
        plan = EpochPlan(
            self.eval_examples,
            seed=0,
            epoch=0,
            micro_batch=self.cfg.batch_size,
            seq_len=self.cfg.max_seq_len,
            packing=self.cfg.packing,
            shuffle=False,
        )
        total, n = 0.0, 0
        with torch.no_grad(), autocast_for(self.device, self.dtype, self.cpu_bf16):
            for rows in plan.micro_batches:
                loss, k = batch_loss(self.model, collate(rows, self.pad_id, plan.packing, self.dtype).to(self.device))
                total, n = total + float(loss), n + k
        self.model.train(was_training)
        return total / max(n, 1)

    def _trainable_state(self) -> dict[str, torch.Tensor]:
        return {n: p for n, p in self.named_trainable}

    def _save(self, step: int, epoch: int, micro: int, result: TrainResult, extra: dict | None = None) -> str:
        state = {
            "step": step,
            "epoch": epoch,
            "micro": micro,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "rng": ckpt.rng_state(),
            "fingerprint": self.cfg.fingerprint(),
            "losses": list(result.losses),
            "eval_losses": list(result.eval_losses),
            "tokens": result.tokens,
            "early_stopping": self.stopper.state_dict(),
            "eval_seconds": result.eval_seconds,
            **(extra or {}),
        }
        writer = None
        if self.cfg.method != "full":
            writer = lambda d: save_adapter(self.model, self.adapter_name, d)  # noqa: E731
        best = self.best_weights if self.stopper.best_step not in (None, step) else None
        return ckpt.save_checkpoint(
            self.output_dir, step, self._trainable_state(), state, writer, keep=self.cfg.keep_checkpoints, best=best
        )

    def _restore(self, path: str, result: TrainResult) -> tuple[int, int, int]:
        weights, state = ckpt.load_checkpoint(path)
        if state.get("fingerprint") != self.cfg.fingerprint():
            raise WorkerError("bad_request", f"checkpoint {path} was written with different training settings")
        own = self._trainable_state()
        if set(weights) != set(own):
            raise WorkerError("bad_request", f"checkpoint {path} does not match the model's trainable weights")
        with torch.no_grad():
            for name, p in own.items():
                p.copy_(weights[name].to(p.device, p.dtype))
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        ckpt.set_rng_state(state["rng"])
        ranks = state.get("rng_ranks")
        if self.dist is not None and ranks and len(ranks) == self.dist.world:
            ckpt.set_rng_state(ranks[self.dist.rank])  # same world size: each rank's own stream
        result.losses = list(state["losses"])
        result.eval_losses = [tuple(x) for x in state["eval_losses"]]
        result.tokens = state["tokens"]
        result.resumed_from = path
        self.stopper.load_state_dict(state["early_stopping"])
        result.eval_seconds = state["eval_seconds"]
        if self.stopper.best_step == state["step"]:
            self.best_weights = {n: w.clone() for n, w in weights.items()}
        elif self.stopper.best_step is not None:
            best = ckpt.load_best(path)
            if best is None or set(best) != set(own):
                raise WorkerError(
                    "bad_request", f"checkpoint {path} lacks the weights of its best evaluation (step {self.stopper.best_step})"
                )
            self.best_weights = best
        return state["step"], state["epoch"], state["micro"]

    def _evaluate(self, step: int, result: TrainResult) -> float | None:
        """One held-out evaluation after `step`: recorded, timed, and weighed for best and stop."""
        t0 = time.perf_counter()
        loss = self.evaluate_loss()
        result.eval_seconds += time.perf_counter() - t0
        result.eval_losses.append((step, loss))
        if self.stopper.update(step, loss):
            self.best_weights = {n: p.detach().to("cpu", copy=True) for n, p in self.named_trainable}
        return loss

    def _stop_agreed(self) -> bool:
        """Whether early stopping says stop; with ranks, rank 0 (which evaluates) decides for all."""
        stop = self.stopper.should_stop
        if self.dist is not None:
            stop = self.dist.all_sum([float(stop)])[0] > 0
        return stop

    def _finish(self, step: int, result: TrainResult) -> None:
        """After a completed run: the last step evaluated if it was not, and the best weights put back."""
        main = self.dist is None or self.dist.is_main
        if not self.held_out or not main:
            return
        if not result.eval_losses or result.eval_losses[-1][0] != step:
            self._evaluate(step, result)
        best = self.stopper.best_step
        if best is not None and best != step and self.best_weights is not None:
            with torch.no_grad():
                for name, p in self.named_trainable:
                    p.copy_(self.best_weights[name].to(p.device, p.dtype))
        result.best_step = best
        result.eval_loss = self.stopper.best_loss if best is not None else result.eval_losses[-1][1]

    def run(self, resume_from: str | None = None) -> TrainResult:
        cfg = self.cfg
        result = TrainResult("completed", 0, self.total_steps)
        step, epoch, micro = 0, 0, 0
        if resume_from:
            found = ckpt.resolve(resume_from, self.output_dir)
            if found:
                step, epoch, micro = self._restore(found, result)
        self.model.train()
        started, ema = time.perf_counter(), None
        flops_total, time_total = 0.0, 0.0
        result.eval_every = self.eval_every
        result.compute = self.compute
        while step < self.total_steps and not self.stopper.should_stop:
            plan = self.plan(epoch)
            if micro >= len(plan):
                epoch, micro = epoch + 1, 0
                continue
            t0 = time.perf_counter()
            rows_list = plan.micro_batches[micro : micro + cfg.grad_accum]
            if self.dist is not None:
                stats = self._dist_step(rows_list, plan.packing, step, result)
                if stats is None:  # every rank agreed to stop: the step is dropped, as below
                    self.optimizer.zero_grad(set_to_none=True)
                    result.status = "cancelled"
                    break
                loss_sum, n_trained, tokens, head_tokens, ctx_sq = stats
            else:
                batches = [collate(rows, self.pad_id, plan.packing, self.dtype) for rows in rows_list]
                n_trained = sum(b.trained_tokens for b in batches)
                loss_sum, tokens, head_tokens, ctx_sq = 0.0, 0, 0, 0
                for i, (rows, batch) in enumerate(zip(rows_list, batches)):
                    if self.cancel.is_set():
                        break
                    meter = ActivationMeter(self.model) if step == 0 and i == 0 and not result.activation_bytes else None
                    with autocast_for(self.device, self.dtype, self.cpu_bf16):
                        if meter is not None:
                            with meter.measure():
                                loss, _ = batch_loss(self.model, batch.to(self.device))
                            result.activation_bytes = meter.bytes
                            result.tokens_per_micro_batch = batch.tokens
                        else:
                            loss, _ = batch_loss(self.model, batch.to(self.device))
                    (loss / max(n_trained, 1)).backward()
                    loss_sum += float(loss.detach())
                    tokens += batch.tokens
                    head_tokens += batch.trained_tokens
                    ctx_sq += sum(n * n for r in rows for n in r.lengths) if plan.packing else sum(len(r.input_ids) ** 2 for r in rows)
                if self.cancel.is_set():
                    self.optimizer.zero_grad(set_to_none=True)
                    result.status = "cancelled"
                    break
            params = [p for _, p in self.named_trainable]
            if cfg.max_grad_norm > 0:
                grad_norm = float(torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm))
            else:
                grad_norm = float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params if p.grad is not None])))
            lr = self.scheduler.get_last_lr()[0]
            optimizer = self.optimizer if self.dist is None else self.dist_optimizer
            optimizer.step()
            self.scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            if self.device.type == "cuda":
                torch.cuda.synchronize()
            dt = time.perf_counter() - t0
            step += 1
            micro += len(rows_list)
            loss_mean = loss_sum / max(n_trained, 1)
            result.losses.append(loss_mean)
            result.tokens += tokens
            flops = self.flops.step_flops(tokens, head_tokens, ctx_sq)  # model FLOPs: recompute not counted
            peak = self.peak * (self.dist.world if self.dist is not None else 1)  # all devices of the step
            flops_total, time_total = flops_total + flops, time_total + dt
            ema = dt if ema is None else 0.8 * ema + 0.2 * dt
            event = {
                "phase": "train",
                "step": step,
                "total_steps": self.total_steps,
                "epoch": epoch + min(1.0, micro / max(1, len(plan))),
                "loss": loss_mean,
                "lr": lr,
                "grad_norm": grad_norm,
                "tokens": tokens,
                "trained_tokens": n_trained,
                "tokens_per_s": tokens / dt,
                "mfu": flops / dt / peak if peak else 0.0,
                "memory": process_memory(self.device),
                "eta_s": ema * (self.total_steps - step),
                "step_time_s": dt,
            }
            evaluating = self.eval_every and (step % self.eval_every == 0 or step == self.total_steps)
            if evaluating and (self.dist is None or self.dist.is_main):  # rank 0 evaluates, the others wait
                event["eval_loss"] = self._evaluate(step, result) if self.held_out else None
            self.emit({"event": "progress", **event})
            if evaluating and self._stop_agreed():
                result.stopped_early = True
                break
            if cfg.checkpoint_every and step % cfg.checkpoint_every == 0 and step < self.total_steps:
                if self.dist is None:
                    path = self._save(step, epoch, micro, result)
                else:  # every rank's RNG state, written by rank 0 alone
                    rngs = self.dist.gather(ckpt.rng_state())
                    path = self._save(step, epoch, micro, result, {"rng_ranks": rngs}) if self.dist.is_main else None
                result.last_checkpoint = path
                if path is not None:
                    self.emit({"event": "checkpoint", "step": step, "path": path})
            if self.dist is None and self.cancel.is_set():
                result.status = "cancelled"
                break
        result.step = step
        if result.status == "completed":
            self._finish(step, result)
        result.stop_reason = self.stopper.reason(step, self.total_steps) if result.eval_losses else ""
        result.eval_records = len(self.eval_examples)
        if result.stop_reason and len(self.eval_examples) < len(self.held_out):
            result.stop_reason += (
                f" (evaluations during training on a seeded slice of {len(self.eval_examples)} of "
                f"the {len(self.held_out)} held-out records)"
            )
        result.seconds = time.perf_counter() - started
        peak = self.peak * (self.dist.world if self.dist is not None else 1)
        result.mfu = flops_total / time_total / peak if time_total and peak else 0.0
        self.model.eval()
        return result

    def _dist_step(self, rows_list, packing: bool, step: int, result: TrainResult):
        """Forward/backward of this rank's share of one optimizer step, gradients averaged by DDP.

        Every rank knows the whole step (the plan is a pure function of seed and epoch), so the
        step's trained-token count n is known everywhere; each rank scales its summed loss by
        world / n, and DDP's mean over ranks leaves sum(all losses) / n: the one-process gradient.
        One all-reduce per step sums the losses (the logged loss is the global mean), checks that
        the shards covered every trained token, and carries the cancel flag, so all ranks stop at
        the same step. Returns (loss_sum, n, tokens, head_tokens, ctx_sq), or None on cancel.
        """
        dist = self.dist
        rows = [r for mb in rows_list for r in mb]
        n_trained = sum(1 for r in rows for t in r.targets if t != IGNORE)
        tokens = sum(len(r.input_ids) for r in rows)
        ctx_sq = sum(n * n for r in rows for n in r.lengths) if packing else sum(len(r.input_ids) ** 2 for r in rows)
        mine = shard(rows, dist.rank, dist.world)
        chunks = [mine[i : i + self.cfg.batch_size] for i in range(0, len(mine), self.cfg.batch_size)]
        weight = dist.world / max(n_trained, 1)
        if not chunks:  # fewer rows than ranks: a zero-weighted pass keeps DDP's all-reduce in step
            chunks, weight = [rows[:1]], 0.0
        loss_sum, own_trained = 0.0, 0
        for i, chunk in enumerate(chunks):
            batch = collate(chunk, self.pad_id, packing, self.dtype)
            measure = step == 0 and i == 0 and not result.activation_bytes
            meter = ActivationMeter(self.model) if measure else None
            with dist.no_sync(self.ddp, sync=i == len(chunks) - 1):
                with autocast_for(self.device, self.dtype, self.cpu_bf16), meter.measure() if meter else nullcontext():
                    loss = self.ddp(batch.to(self.device))
                if meter is not None:
                    result.activation_bytes = meter.bytes
                    result.tokens_per_micro_batch = batch.tokens
                (loss * weight).backward()
            if weight:
                loss_sum += float(loss.detach())
                own_trained += batch.trained_tokens
        total_loss, total_trained, stop = dist.all_sum([loss_sum, own_trained, float(self.cancel.is_set())])
        if stop > 0:
            return None
        if int(round(total_trained)) != n_trained:
            raise RuntimeError(f"rank shards cover {total_trained:.0f} trained tokens, the step has {n_trained}")
        return total_loss, n_trained, tokens, n_trained, ctx_sq


__all__ = ["Trainer", "TrainResult"]
