"""Data-parallel training over N processes through Hugging Face accelerate (DDP): the worker's side.

The worker (parent) launches one process per rank — `python -m modelfactory_worker.rank
SPEC.json` with the environment torchrun / `accelerate launch` would give it (RANK, LOCAL_RANK,
WORLD_SIZE, MASTER_ADDR=127.0.0.1, a free MASTER_PORT) — each in its own process group, and
watches them:

- rank 0 writes `progress` / `checkpoint` events and finally one `result` as JSON lines on its
  stdout (a pipe to the parent), which forwards them to the protocol stream;
- cancel: the parent creates SPEC_DIR/cancel; every rank polls for it and the ranks agree on
  stopping at the end of the step (one all-reduce per step), so rank 0 still saves the adapter;
  ranks that are not gone after a grace period are killed (SIGKILL to their process groups);
- a rank that exits with a non-zero status (crash, OOM kill) makes the parent kill all ranks and
  fail with the earliest rank error (each rank writes its exception to SPEC_DIR/rank-N.error.json);
- a rank whose parent disappears cancels itself, and exits hard if it is still alive later.

On CPU the ranks talk over gloo on the loopback interface; on CUDA over NCCL, rank r on cuda:r.
A rank (rank.py) also runs under `accelerate launch --num_processes N -m modelfactory_worker.rank
SPEC.json` (it reads the same environment); the worker does not need that launcher.
The in-rank helpers the training loop uses are in data_parallel.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Callable

import torch

from .errors import WorkerError

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_PROCESSES = 64


# -- the parent side ----------------------------------------------------------------------------
def check_processes(value, device: torch.device) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PROCESSES:
        raise WorkerError(
            "bad_request",
            f"'train' field 'processes' must be an integer from 1 to {MAX_PROCESSES}, got {value!r}",
            {"field": "processes", "value": value},
        )
    if value > 1 and device.type == "cuda" and value > torch.cuda.device_count():
        raise WorkerError(
            "bad_request",
            f"'train' field 'processes' is {value}, but only {torch.cuda.device_count()} CUDA device(s) are visible",
            {"field": "processes", "value": value},
        )
    return value


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _loopback_interface() -> str | None:
    try:
        for _, name in socket.if_nameindex():
            if name == "lo" or name.startswith("lo0"):
                return name
    except OSError:
        pass
    return None


def _kill_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass


def _rank_error(spec_dir: str, codes: list[int | None]) -> WorkerError:
    """Why the ranks failed: a rank killed by a signal (crash, OOM killer) is the cause when there
    is one; else the earliest error a rank reported; else how the ranks ended."""
    signalled = [(r, -c) for r, c in enumerate(codes) if c is not None and c < 0]
    if signalled:
        r, sig = signalled[0]
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return WorkerError(
            "internal", f"training rank {r} was killed by signal {sig} ({name}); the other ranks were stopped", {"rank": r, "signal": sig}
        )
    errors = []
    for r in range(len(codes)):
        try:
            with open(os.path.join(spec_dir, f"rank-{r}.error.json"), encoding="utf-8") as f:
                errors.append(json.load(f))
        except (OSError, json.JSONDecodeError):
            pass
    if errors:
        first = min(errors, key=lambda e: e["time"])
        return WorkerError(
            first["code"], f"training rank {first['rank']}: {first['message']}", {**(first.get("details") or {}), "rank": first["rank"]}
        )
    ends = ", ".join(f"rank {r}: exit status {c}" for r, c in enumerate(codes) if c not in (0, None))
    return WorkerError("internal", f"a training process failed ({ends or 'no result from rank 0'}); see the worker's stderr")


def train_processes(
    *,
    processes: int,
    model: dict,
    config: dict,
    train: list,
    held_out: list,
    output_dir: str,
    adapter: str,
    pad_id: int,
    resume_from: str | None,
    emit: Callable[[dict], None],
    cancel: threading.Event,
    threads: int | None = None,
) -> dict:
    """Run one training on `processes` ranks; returns rank 0's result (rank.py's `_rank_train`).

    `model`: {path, device ("cpu"|"cuda"), dtype, quantization, quant_backend, gradient_checkpointing}.
    """
    spec_dir = tempfile.mkdtemp(prefix="mf-dist-")
    procs: list[subprocess.Popen] = []
    try:
        torch.save({"train": train, "held_out": held_out}, os.path.join(spec_dir, "examples.pt"))
        spec = {
            "model": model,
            "config": config,
            "output_dir": output_dir,
            "adapter": adapter,
            "pad_id": pad_id,
            "resume_from": resume_from,
            "parent_pid": os.getpid(),
            "spec_dir": spec_dir,
        }
        spec_path = os.path.join(spec_dir, "spec.json")
        with open(spec_path, "w", encoding="utf-8") as f:
            json.dump(spec, f)
        cpu = model["device"] == "cpu"
        total = threads or torch.get_num_threads()
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(_free_port()),
            "WORLD_SIZE": str(processes),
            "LOCAL_WORLD_SIZE": str(processes),
            "GROUP_RANK": "0",
            "PYTHONPATH": os.pathsep.join([PACKAGE_PARENT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        }
        if cpu:
            env["OMP_NUM_THREADS"] = str(max(1, total // processes))
            lo = _loopback_interface()
            if lo and "GLOO_SOCKET_IFNAME" not in os.environ:
                env["GLOO_SOCKET_IFNAME"] = lo
        for r in range(processes):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "modelfactory_worker.rank", spec_path],
                    env={**env, "RANK": str(r), "LOCAL_RANK": str(r)},
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE if r == 0 else subprocess.DEVNULL,
                    start_new_session=True,
                    text=True,
                )
            )
        result: dict = {}

        def read_rank0() -> None:
            for line in procs[0].stdout:
                try:
                    ev = json.loads(line)
                except json.JSONDecodeError:
                    print(f"rank 0: {line.rstrip()}", file=sys.stderr)
                    continue
                if ev.get("event") == "result":
                    result.update(ev["result"])
                elif ev.get("event") in ("progress", "checkpoint"):
                    emit({k: v for k, v in ev.items() if k != "id"})

        reader = threading.Thread(target=read_rank0, name="rank0-events", daemon=True)
        reader.start()
        grace = float(os.environ.get("MODELFACTORY_WORKER_CANCEL_GRACE_S", "60"))
        cancelled_at = None
        while True:
            codes = [p.poll() for p in procs]
            if any(c not in (0, None) for c in codes):
                time.sleep(0.3)  # let a rank that fails at the same moment write its error first
                codes = [p.poll() for p in procs]
                for p in procs:
                    _kill_group(p)
                raise _rank_error(spec_dir, codes)
            if all(c == 0 for c in codes):
                break
            if cancel.is_set() and cancelled_at is None:
                cancelled_at = time.monotonic()
                open(os.path.join(spec_dir, "cancel"), "w").close()
            if cancelled_at is not None and time.monotonic() - cancelled_at > grace:
                for p in procs:
                    _kill_group(p)
                raise WorkerError("internal", f"training processes did not stop within {grace:.0f} s of the cancel and were killed")
            time.sleep(0.05)
        reader.join(timeout=30)
        if not result:
            raise _rank_error(spec_dir, [p.returncode for p in procs])
        return result
    finally:
        for p in procs:
            _kill_group(p)
            if p.stdout is not None:
                p.stdout.close()
        shutil.rmtree(spec_dir, ignore_errors=True)
