"""One data-parallel rank: `python -m modelfactory_worker.rank SPEC.json`, started by launcher.py
with torchrun's environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT). It loads the model,
trains its share of every step with the Trainer over accelerate's DDP (data_parallel.py) and, on
rank 0, saves and sends `progress` / `checkpoint` events and one `result` as JSON lines on its
stdout. A failure is written to SPEC_DIR/rank-N.error.json for the parent to report.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
from typing import Callable

import torch
from accelerate import Accelerator
from accelerate.utils import DistributedDataParallelKwargs, InitProcessGroupKwargs

from .data_parallel import DataParallel
from .errors import as_worker_error
from .finish import finish_run
from .models import load_model
from .protocol import Writer, protocol_stream
from .train import Trainer
from .trainconfig import TrainConfig


def _watch(cancel: threading.Event, spec: dict) -> None:
    """Cancel when the parent asks (cancel file) or is gone; exit hard if an orphan hangs on."""
    flag = os.path.join(spec["spec_dir"], "cancel")
    orphan_since = None
    while True:
        if os.path.exists(flag):
            cancel.set()
        if spec.get("parent_pid") and os.getppid() != spec["parent_pid"]:
            cancel.set()
            orphan_since = orphan_since or time.monotonic()
            if time.monotonic() - orphan_since > 120:
                os._exit(3)
        time.sleep(0.1)


def _rank_main(spec_path: str) -> int:
    writer = Writer(protocol_stream())
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    rank = int(os.environ.get("RANK", "0"))
    cancel = threading.Event()
    threading.Thread(target=_watch, args=(cancel, spec), name="watch", daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())

    def send(event: dict) -> None:
        try:
            writer.send(event)
        except (BrokenPipeError, ValueError, OSError):  # the parent is gone: stop, but still save
            cancel.set()

    try:
        result = _rank_train(spec, rank, send, cancel)
        if result is not None:
            send({"event": "result", "id": None, "result": result})
        if torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
        return 0
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which fails the command
        traceback.print_exc(file=sys.stderr)
        failure = as_worker_error(e, "train")
        err = {"time": time.time(), "rank": rank, "code": failure.code, "message": failure.message, "details": failure.details}
        try:
            tmp = os.path.join(spec["spec_dir"], f"rank-{rank}.error.json.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(err, f, default=str)
            os.replace(tmp, tmp[: -len(".tmp")])
        except OSError:
            pass
        return 1


def _rank_train(spec: dict, rank: int, send: Callable[[dict], None], cancel: threading.Event) -> dict | None:
    m = spec["model"]
    cpu = m["device"] == "cpu"
    if cpu and os.environ.get("OMP_NUM_THREADS"):
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    handlers = [DistributedDataParallelKwargs(broadcast_buffers=False)]
    if cpu:
        handlers.append(InitProcessGroupKwargs(backend="gloo"))
    accelerator = Accelerator(cpu=cpu, kwargs_handlers=handlers)
    dp = DataParallel(accelerator)
    backend = {"bitsandbytes": "bitsandbytes", "cpu-nf4": "cpu"}.get(m.get("quant_backend"), "auto")
    lm = load_model(
        m["path"],
        device=str(dp.device),
        dtype=m["dtype"],
        quantization=m["quantization"],
        quant_backend=backend,
        gradient_checkpointing=m.get("gradient_checkpointing", False),
    )
    data = torch.load(os.path.join(spec["spec_dir"], "examples.pt"), weights_only=False)
    cfg = TrainConfig.from_dict(spec["config"])
    main = dp.is_main
    trainer = Trainer(
        lm.model,
        cfg,
        data["train"],
        data["held_out"] if main else [],
        output_dir=spec["output_dir"],
        adapter_name=spec["adapter"],
        pad_id=spec["pad_id"],
        device=lm.device,
        dtype=lm.dtype,
        emit=send if main else (lambda e: None),
        cancel=cancel,
        dist=dp,
    )
    res = trainer.run(spec.get("resume_from"))  # rank 0 is left with the best evaluation's weights
    if not main:
        return None
    return {**finish_run(trainer, res, lm.tokenizer), "processes": dp.world}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m modelfactory_worker.rank SPEC.json (started by the worker)", file=sys.stderr)
        sys.exit(2)
    sys.exit(_rank_main(sys.argv[1]))
