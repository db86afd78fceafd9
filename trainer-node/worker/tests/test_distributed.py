"""Data-parallel training over several processes (accelerate + DDP, gloo on CPU, 127.0.0.1 only):
2 ranks give the losses and weights of 1 process on the same global batches, resume from a
one-process checkpoint, and through the protocol: progress + result then generate with the
trained adapter, cancel, a crashed rank, stdin EOF, and bad `processes` values."""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil
import pytest
import torch
from safetensors.torch import load_file

from conftest import make_trainer, write_jsonl
from modelfactory_worker.chat import ChatFormatter
from modelfactory_worker.data import tokenize
from modelfactory_worker.data_parallel import shard
from modelfactory_worker.launcher import train_processes
from modelfactory_worker.lora import save_adapter
from modelfactory_worker.models import load_model
from modelfactory_worker.records import parse_record
from modelfactory_devtools.synthetic import chat_records, instruction_records
from modelfactory_worker.trainconfig import TrainConfig
from worker_process import WorkerProcess

# float32: two processes must match one exactly, on any CPU (`auto` would take bf16 where it is native).
COMMON = {"learning_rate": 1e-2, "scheduler": "constant", "lora": {"r": 4, "alpha": 8}, "seed": 3, "precision": "fp32"}


def rank_processes(pid: int) -> list[psutil.Process]:
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [k for k in kids if _is_rank(k)]


def _is_rank(p: psutil.Process) -> bool:
    try:
        return "modelfactory_worker.rank" in " ".join(p.cmdline())
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return False


def gone(pids: list[int], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return True
        time.sleep(0.1)
    return False


def run_two(llama_dir, records, cfg: dict, out_dir, *, resume=None, events=None) -> dict:
    lm = load_model(llama_dir)
    config = TrainConfig.from_dict(cfg)
    train = tokenize([parse_record(r) for r in records], ChatFormatter(lm.tokenizer), config.max_seq_len).examples
    model = {
        "path": llama_dir,
        "device": "cpu",
        "dtype": "float32",
        "quantization": "none",
        "quant_backend": None,
        "gradient_checkpointing": False,
    }
    before = {p.pid for p in rank_processes(os.getpid())}
    out = train_processes(
        processes=2,
        model=model,
        config=config.to_dict(),
        train=train,
        held_out=[],
        output_dir=str(out_dir),
        adapter="ad1",
        pad_id=lm.tokenizer.pad_token_id,
        resume_from=resume,
        emit=(events.append if events is not None else lambda e: None),
        cancel=threading.Event(),
        threads=2,
    )
    assert not [p for p in rank_processes(os.getpid()) if p.pid not in before]  # no rank left behind
    return out


def test_shards_cover_a_step_once_and_balanced():
    for n in range(0, 11):
        for world in (1, 2, 3, 4):
            parts = [shard(list(range(n)), r, world) for r in range(world)]
            assert sum(parts, []) == list(range(n))
            assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_two_processes_match_one_process(llama_dir, tmp_path):
    # 13 padded examples, 2 rows per micro-batch, 2 micro-batches per step: steps of 4, 4, 4 and 1
    # rows per epoch, so step 4 leaves rank 1 without a row (its zero-weighted pass), and step 5
    # starts the second epoch.
    records = instruction_records(10, seed=11) + chat_records(3, seed=12)
    cfg = {**COMMON, "max_steps": 6, "batch_size": 2, "grad_accum": 2, "packing": False}
    one = make_trainer(load_model(llama_dir), records, cfg, tmp_path / "one")
    single = one.run()
    save_adapter(one.model, "ad1", str(tmp_path / "one-adapter"))
    events = []
    two = run_two(llama_dir, records, cfg, tmp_path / "two", events=events)
    assert two["status"] == "completed" and two["step"] == 6 and two["processes"] == 2
    assert two["losses"] == pytest.approx(single.losses, rel=1e-5)
    assert len(set(single.losses)) == 6
    assert two["tokens"] == single.tokens
    progress = [e for e in events if e["event"] == "progress"]
    assert [e["step"] for e in progress] == [1, 2, 3, 4, 5, 6]
    assert [e["loss"] for e in progress] == pytest.approx(single.losses, rel=1e-5)
    a = load_file(str(tmp_path / "one-adapter" / "adapter_model.safetensors"))
    b = load_file(os.path.join(two["saved"], "adapter_model.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(b[k], a[k], rtol=1e-4, atol=1e-6)


def test_two_processes_resume_a_one_process_checkpoint(llama_dir, tmp_path):
    records = instruction_records(12, seed=4) + chat_records(4, seed=5)
    cfg = {
        **COMMON,
        "max_steps": 6,
        "batch_size": 2,
        "grad_accum": 2,
        "packing": True,
        "max_seq_len": 96,
        "checkpoint_every": 2,
        "keep_checkpoints": 0,
        "scheduler": "cosine",
        "warmup_steps": 1,
    }
    single = make_trainer(load_model(llama_dir), records, cfg, tmp_path / "one").run()
    step2 = str(tmp_path / "one" / "checkpoints" / "step-2")
    events = []
    two = run_two(llama_dir, records, cfg, tmp_path / "two", resume=step2, events=events)
    assert two["resumed_from"] == step2 and two["step"] == 6
    assert two["losses"][:2] == single.losses[:2]  # from the checkpoint
    assert two["losses"] == pytest.approx(single.losses, rel=1e-5)
    assert [e["step"] for e in events if e["event"] == "checkpoint"] == [4]  # rank 0 alone writes
    assert sorted(os.listdir(tmp_path / "two" / "checkpoints")) == ["step-4"]
    state = torch.load(tmp_path / "two" / "checkpoints" / "step-4" / "trainer_state.pt", weights_only=False)
    assert len(state["rng_ranks"]) == 2


# -- through the worker protocol ----------------------------------------------------------------
@pytest.fixture(scope="module")
def worker(llama_dir):
    w = WorkerProcess(env={"MODELFACTORY_WORKER_THREADS": "2"})
    final, _ = w.call({"id": "load", "cmd": "load", "model": llama_dir})
    assert final["event"] == "result", final
    yield w
    w.close()
    assert not rank_processes(w.proc.pid)


@pytest.fixture(scope="module")
def train_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("dist-data")
    return write_jsonl(d / "train.jsonl", instruction_records(16, seed=21) + chat_records(4, seed=22))


def train_cmd(cid, train_file, out_dir, max_steps, **extra):
    return {
        "id": cid,
        "cmd": "train",
        "data": {"train": train_file},
        "output_dir": str(out_dir),
        "adapter": cid,
        "config": {**COMMON, "max_steps": max_steps, "batch_size": 2, "grad_accum": 2},
        **extra,
    }


@pytest.mark.parametrize("bad", [0, -1, 65, "2", 1.5, True])
def test_bad_processes_value_is_an_error_naming_it(worker, train_file, tmp_path, bad):
    final, events = worker.call(train_cmd(f"bad-{bad!r}", train_file, tmp_path, 2, processes=bad))
    assert final["event"] == "error" and final["code"] == "bad_request", final
    assert "'processes'" in final["message"] and repr(bad) in final["message"]
    assert not [e for e in events if e["event"] == "progress"]


def test_train_on_two_processes_then_generate_with_the_adapter(worker, train_file, tmp_path):
    final, events = worker.call(train_cmd("dp", train_file, tmp_path, 3, processes=2))
    assert final["event"] == "result", final
    r = final["result"]
    assert r["status"] == "completed" and r["step"] == 3 and r["processes"] == 2 and len(r["losses"]) == 3
    assert r["adapter"] == "dp" and os.path.isfile(os.path.join(r["adapter_path"], "adapter_config.json"))
    assert r["eval_loss"] is not None and r["memory"]["measured"] and r["data"]["train_examples"] > 0
    progress = [e for e in events if e["event"] == "progress"]
    assert [e["step"] for e in progress] == [1, 2, 3] and [e["loss"] for e in progress] == r["losses"]
    assert all(e["id"] == "dp" and e["tokens_per_s"] > 0 for e in progress)
    assert not rank_processes(worker.proc.pid)
    final, _ = worker.call({"id": "g1", "cmd": "generate", "prompt": "hello", "adapter": "dp", "max_new_tokens": 4})
    assert final["event"] == "result" and final["result"]["adapter"] == "dp", final
    assert final["result"]["usage"]["completion_tokens"] >= 1
    final, _ = worker.call({"id": "s1", "cmd": "save", "path": str(tmp_path / "saved")})
    assert final["event"] == "result" and final["result"]["adapter"] == "dp", final


def _first_progress(worker, cid):
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if any(e.get("id") == cid and e["event"] in ("progress", "result", "error") for e in worker.log):
            return
        worker.next(timeout=max(0.1, deadline - time.monotonic()))
    raise AssertionError("no progress event")


def test_cancel_stops_every_rank(worker, train_file, tmp_path):
    worker.send(train_cmd("dc", train_file, tmp_path, 10_000, processes=2))
    _first_progress(worker, "dc")
    ranks = [p.pid for p in rank_processes(worker.proc.pid)]
    assert len(ranks) == 2
    t0 = time.monotonic()
    worker.send({"id": "x1", "cmd": "cancel", "target": "dc"})
    final, events = worker.until_done("dc", timeout=120)
    assert final["event"] == "result" and final["result"]["status"] == "cancelled", final
    assert time.monotonic() - t0 < 60
    steps = [e["step"] for e in events if e["event"] == "progress"]
    assert final["result"]["step"] == steps[-1] < 10_000
    assert os.path.isfile(os.path.join(final["result"]["adapter_path"], "adapter_config.json"))
    assert gone(ranks) and not rank_processes(worker.proc.pid)


def test_a_crashed_rank_is_an_error_not_a_hang(worker, train_file, tmp_path):
    worker.send(train_cmd("dk", train_file, tmp_path, 10_000, processes=2))
    _first_progress(worker, "dk")
    ranks = rank_processes(worker.proc.pid)
    victim = next(p for p in ranks if p.environ().get("RANK") == "1")
    os.kill(victim.pid, signal.SIGKILL)
    final, _ = worker.until_done("dk", timeout=120)
    assert final["event"] == "error" and "rank 1" in final["message"] and "signal 9" in final["message"], final
    assert gone([p.pid for p in ranks]) and not rank_processes(worker.proc.pid)
    final, _ = worker.call({"id": "i-after", "cmd": "info"})  # the worker is still up
    assert final["event"] == "result"


def test_end_of_stdin_stops_the_ranks_and_the_worker(worker, train_file, tmp_path):
    """Last of the module: it ends the shared worker, as a daemon that goes away would."""
    worker.send(train_cmd("de", train_file, tmp_path, 10_000, processes=2))
    _first_progress(worker, "de")
    ranks = [p.pid for p in rank_processes(worker.proc.pid)]
    assert len(ranks) == 2
    worker.proc.stdin.close()
    assert worker.proc.wait(timeout=120) == 0
    assert gone(ranks)
