"""After a training run, in whichever process trained (the worker, or rank 0 of data-parallel
ranks): measure memory while the trained weights are still trainable, save the adapter (or the
full model and its tokenizer), and gather the run's figures for the `train` result."""

from __future__ import annotations

import os

from .lora import save_adapter
from .memory import memory_report, peak_memory_mb


def evaluation_summary(res) -> dict:
    """The `train` result's evaluation fields from a TrainResult: the published weights' eval loss,
    when and how often it evaluated, and which evaluation was best and why the run ended there."""
    best = None
    if res.best_step is not None:
        best = {"step": res.best_step, "eval_loss": res.eval_loss, "stopped_early": res.stopped_early, "reason": res.stop_reason}
    return {
        "eval_loss": res.eval_loss,
        "eval_every": res.eval_every,
        "eval_seconds": res.eval_seconds,
        "eval_records": res.eval_records,
        "best": best,
    }


def finish_run(trainer, res, tokenizer) -> dict:
    """Memory report and saved weights of a finished `Trainer.run` (`res`, a TrainResult).

    Returns the run's figures and `saved`: the adapter folder, or for full fine-tuning the folder
    of the model (OUTPUT_DIR/model, with `tokenizer` beside it).
    """
    cfg, model = trainer.cfg, trainer.model
    # Measured before the caller freezes the weights, so trainable parameters count as such.
    mem = memory_report(
        model,
        device=trainer.device,
        dtype=trainer.dtype,
        lora_r=cfg.lora.r,
        activation_bytes=res.activation_bytes,
        tokens_per_micro_batch=res.tokens_per_micro_batch,
        optimizer=trainer.optimizer,
        measured_peak_mb=peak_memory_mb(trainer.device),
    )
    if cfg.method == "full":
        saved = os.path.join(trainer.output_dir, "model")
        model.save_pretrained(saved, safe_serialization=True)
        tokenizer.save_pretrained(saved)
    else:
        saved = save_adapter(model, trainer.adapter_name, os.path.join(trainer.output_dir, "adapter"))
    return {
        "status": res.status,
        "step": res.step,
        "total_steps": res.total_steps,
        "losses": res.losses,
        "eval_losses": [list(x) for x in res.eval_losses],
        **evaluation_summary(res),
        "last_checkpoint": res.last_checkpoint,
        "resumed_from": res.resumed_from,
        "tokens": res.tokens,
        "seconds": res.seconds,
        "mfu": res.mfu,
        "compute": res.compute,
        "memory": mem,
        "saved": saved,
    }
