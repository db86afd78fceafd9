"""Every protocol command and error path, through real worker subprocesses."""

import json
import os

import pytest

from conftest import write_jsonl
from modelfactory_devtools.synthetic import chat_records, instruction_records
from worker_process import WorkerProcess


@pytest.fixture(scope="module")
def worker():
    w = WorkerProcess()
    yield w
    w.close()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    return {
        "train": write_jsonl(d / "train.jsonl", instruction_records(24, seed=1) + chat_records(8)),
        "eval": write_jsonl(d / "eval.jsonl", instruction_records(6, seed=2)),
        "bad": write_jsonl(d / "bad.jsonl", instruction_records(2) + ['{"schema": "modelfactory.record/1"}']),
        "dir": str(d),
    }


def error(w, cmd, code):
    final, _ = w.call(cmd)
    assert final["event"] == "error" and final["code"] == code, final
    assert final["id"] == cmd.get("id") and final["message"]
    return final


def test_ready_and_info(worker):
    assert worker.ready["protocol"] == "modelfactory.worker/1" and worker.ready["matmul_peak_gflops"] > 0
    final, _ = worker.call({"id": "i1", "cmd": "info"})
    r = final["result"]
    assert final["cmd"] == "info" and r["protocol"] == "modelfactory.worker/1" and r["torch"].startswith("2.")
    # The torch device it computes on, as the daemon reports it (GET /health, evaluation reports).
    expected = "cuda:0" if r["cuda_available"] else "cpu"
    assert worker.ready["compute_device"] == expected and r["compute_device"] == expected and r["loaded"] is None


def test_framing_errors(worker):
    worker.send("this is not json")
    ev = worker.next()
    assert ev["event"] == "error" and ev["code"] == "bad_json" and ev["id"] is None
    worker.send("[1, 2]")
    assert worker.next()["code"] == "bad_json"
    error(worker, {"id": "u1", "cmd": "fly"}, "unknown_command")
    worker.send({"cmd": "info"})
    assert worker.next()["code"] == "bad_request"
    error(worker, {"id": "p1", "cmd": "info", "protocol": "modelfactory.worker/9"}, "unsupported_protocol")


def test_commands_before_load(worker):
    for cmd in ("count_tokens", "train", "evaluate", "generate", "save"):
        error(worker, {"id": f"n-{cmd}", "cmd": cmd}, "not_loaded")


def test_load_errors(worker, data, tmp_path):
    error(worker, {"id": "l1", "cmd": "load", "model": str(tmp_path / "missing")}, "file_not_found")
    error(worker, {"id": "l2", "cmd": "load", "model": data["dir"]}, "unsupported_model")
    os.makedirs(tmp_path / "alien")
    (tmp_path / "alien" / "config.json").write_text(json.dumps({"model_type": "no-such-architecture"}))
    error(worker, {"id": "l3", "cmd": "load", "model": str(tmp_path / "alien")}, "unsupported_model")
    error(worker, {"id": "l4", "cmd": "load"}, "bad_request")
    error(worker, {"id": "l5", "cmd": "load", "model": data["dir"], "quantization": "int3"}, "bad_request")


def test_load_count_train_evaluate_generate_save(worker, data, llama_dir, tmp_path):
    final, _ = worker.call({"id": "c1", "cmd": "load", "model": llama_dir})
    assert final["result"]["model_type"] == "llama" and final["result"]["parameters"]["total"] > 0
    assert final["result"]["device"] in ("cpu", "cuda:0")

    final, _ = worker.call({"id": "c2", "cmd": "count_tokens", "files": [data["train"]], "texts": ["a b"]})
    f = final["result"]["files"][0]
    assert f["records"] == 32 and f["kinds"] == {"instruction": 24, "chat": 8}
    assert 0 < f["trained_tokens"] < f["tokens"] and final["result"]["texts"][0] > 0
    error(worker, {"id": "c3", "cmd": "count_tokens", "files": [str(tmp_path / "none.jsonl")]}, "file_not_found")

    bad = error(worker, {"id": "t0", "cmd": "train", "data": {"train": data["bad"]}, "output_dir": str(tmp_path)}, "invalid_record")
    assert f"{data['bad']}:3:" in bad["message"]
    error(
        worker,
        {"id": "t1", "cmd": "train", "data": {"train": data["train"]}, "output_dir": str(tmp_path), "config": {"learning_rate": "fast"}},
        "bad_request",
    )
    error(
        worker,
        {"id": "t2", "cmd": "train", "data": {"train": data["train"]}, "output_dir": str(tmp_path), "config": {"method": "qlora"}},
        "bad_request",
    )

    cfg = {"max_steps": 20, "learning_rate": 2e-2, "batch_size": 8, "eval_every": 10, "checkpoint_every": 10, "lora": {"r": 8, "alpha": 16}}
    final, events = worker.call(
        {
            "id": "t3",
            "cmd": "train",
            "data": {"train": data["train"], "eval": data["eval"]},
            "output_dir": str(tmp_path / "run"),
            "adapter": "facts",
            "config": cfg,
        }
    )
    assert final["event"] == "result", final
    r = final["result"]
    progress = [e for e in events if e["event"] == "progress"]
    checkpoints = [e for e in events if e["event"] == "checkpoint"]
    assert [e["step"] for e in progress] == list(range(1, 21)) and [c["step"] for c in checkpoints] == [10]
    assert os.path.isfile(os.path.join(checkpoints[0]["path"], "trainer_state.pt"))
    assert r["status"] == "completed" and r["final_loss"] < 0.5 * r["losses"][0]
    assert r["eval_loss"] is not None and r["data"]["eval_examples"] == 6
    assert os.path.isfile(os.path.join(r["adapter_path"], "adapter_model.safetensors"))
    mem = r["memory"]
    assert mem["this_model"]["qlora_mb"] < mem["this_model"]["lora_mb"] < mem["this_model"]["full_mb"]
    assert mem["llama_7b"]["qlora_mb"] < mem["llama_7b"]["lora_mb"] < mem["llama_7b"]["full_mb"]
    # The adapter's weights and their optimizer state are counted as the training held them.
    assert mem["measured"]["tensors"]["trainable_params"] > 0 and mem["measured"]["tensors"]["optimizer"] > 0

    final, _ = worker.call({"id": "e1", "cmd": "evaluate", "max_samples": 4, "max_new_tokens": 24})
    r = final["result"]
    assert r["adapter"] == "facts"
    assert r["perplexity_tuned"]["perplexity"] < r["perplexity_base"]["perplexity"]
    assert r["generation_tuned"]["samples"] == 4 and 0 <= r["generation_tuned"]["rougeL"] <= 1
    assert r["generation_tuned"]["rougeL"] > r["generation_base"]["rougeL"]

    msgs = [{"role": "user", "content": "What does Ada keep?"}]
    final, events = worker.call({"id": "g1", "cmd": "generate", "messages": msgs, "adapter": "facts", "max_new_tokens": 24})
    tokens = [e for e in events if e["event"] == "token"]
    assert tokens and "".join(t["text"] for t in tokens) == final["result"]["text"]
    assert [t["index"] for t in tokens] == list(range(len(tokens)))
    again, _ = worker.call({"id": "g2", "cmd": "generate", "messages": msgs, "adapter": "facts", "max_new_tokens": 24, "stream": False})
    assert again["result"]["text"] == final["result"]["text"]
    base, _ = worker.call({"id": "g3", "cmd": "generate", "messages": msgs, "max_new_tokens": 24})
    assert base["result"]["adapter"] is None and base["result"]["text"] != final["result"]["text"]
    error(worker, {"id": "g4", "cmd": "generate", "prompt": "hi", "adapter": "nope"}, "unknown_adapter")
    error(worker, {"id": "g5", "cmd": "generate", "prompt": "hi", "top_p": 0}, "bad_request")
    error(worker, {"id": "g6", "cmd": "generate"}, "bad_request")

    final, _ = worker.call({"id": "s1", "cmd": "save", "adapter": "facts", "path": str(tmp_path / "export")})
    assert final["result"]["files"] == ["adapter_config.json", "adapter_model.safetensors"]
    final, _ = worker.call({"id": "s2", "cmd": "save", "adapter": "facts", "merged": True, "path": str(tmp_path / "merged")})
    assert "model.safetensors" in final["result"]["files"]
    # The exported adapter loads back as a second adapter and answers like the original.
    final, _ = worker.call({"id": "l6", "cmd": "load", "adapters": {"copy": str(tmp_path / "export")}})
    assert final["result"]["adapters"] == ["copy", "facts"]
    copy, _ = worker.call({"id": "g7", "cmd": "generate", "messages": msgs, "adapter": "copy", "max_new_tokens": 24})
    assert copy["result"]["text"] == again["result"]["text"]


def test_cancel_running_and_queued(worker, data, llama_dir, tmp_path):
    worker.call({"id": "x0", "cmd": "load", "model": llama_dir})
    worker.send(
        {
            "id": "x1",
            "cmd": "train",
            "data": {"train": data["train"]},
            "output_dir": str(tmp_path),
            "config": {"max_steps": 5000, "batch_size": 2},
        }
    )
    worker.send({"id": "x2", "cmd": "generate", "prompt": "queued"})
    first = worker.next()
    while not (first.get("id") == "x1" and first["event"] == "progress"):
        first = worker.next()
    final, _ = worker.call({"id": "x3", "cmd": "cancel", "target": "x2"})
    assert final["result"] == {"target": "x2", "cancelled": True}
    worker.send({"id": "x4", "cmd": "cancel", "target": "x1"})
    done, events = worker.until_done("x1")
    worker.until_done("x4")
    assert done["event"] == "result" and done["result"]["status"] == "cancelled"
    steps = [e["step"] for e in events if e["event"] == "progress"]
    assert done["result"]["step"] == steps[-1] < 5000
    # Stdout is one ordered stream: the cancel's answer marks the moment the flag was set. At most
    # the step then under way may still finish.
    mark = next(i for i, e in enumerate(worker.log) if e.get("id") == "x4")
    after = [e for e in worker.log[mark:] if e.get("id") == "x1" and e["event"] == "progress"]
    assert len(after) <= 1
    queued, _ = worker.until_done("x2")
    assert queued["event"] == "error" and queued["code"] == "cancelled"
    final, _ = worker.call({"id": "x5", "cmd": "cancel", "target": "gone"})
    assert final["result"]["cancelled"] is False


def test_stdout_carries_protocol_lines_only(worker):
    assert worker.raw and all(json.loads(line)["event"] for line in worker.raw)


def test_out_of_memory_is_an_error_event_and_the_worker_lives_on(llama_dir, data, tmp_path):
    w = WorkerProcess(env={"MODELFACTORY_WORKER_MEMORY_LIMIT_MB": "1500"})
    try:
        w.call({"id": "o1", "cmd": "load", "model": llama_dir})
        # 32 rows of 3,000 tokens: activations past 1.5 GB with a fused attention kernel too
        big = write_jsonl(tmp_path / "big.jsonl", [{"schema": "modelfactory.record/1", "kind": "text", "text": "word " * 3000}] * 32)
        final, _ = w.call(
            {
                "id": "o2",
                "cmd": "train",
                "data": {"train": big},
                "output_dir": str(tmp_path),
                # float32: bf16 autocast (`auto` on a CPU with native bf16) would halve the activations
                "config": {
                    "max_steps": 1,
                    "batch_size": 32,
                    "max_seq_len": 3000,
                    "packing": False,
                    "eval_fraction": 0,
                    "precision": "fp32",
                },
            }
        )
        assert final["event"] == "error" and final["code"] == "out_of_memory", final
        ok, _ = w.call({"id": "o3", "cmd": "generate", "prompt": "still here", "max_new_tokens": 4})
        assert ok["event"] == "result"
    finally:
        w.close()


def test_shutdown_exits_cleanly(llama_dir):
    w = WorkerProcess()
    w.send({"id": "z1", "cmd": "shutdown"})
    final, _ = w.until_done("z1")
    assert final["event"] == "result" and final["cmd"] == "shutdown"
    assert w.proc.wait(timeout=30) == 0


def test_closing_stdin_stops_a_running_train_and_exits(data, llama_dir, tmp_path):
    w = WorkerProcess()
    w.call({"id": "e1", "cmd": "load", "model": llama_dir})
    w.send(
        {
            "id": "e2",
            "cmd": "train",
            "data": {"train": data["train"]},
            "output_dir": str(tmp_path),
            "config": {"max_steps": 5000, "batch_size": 2},
        }
    )
    ev = w.next()
    while not (ev.get("id") == "e2" and ev["event"] == "progress"):
        ev = w.next()
    w.proc.stdin.close()
    assert w.proc.wait(timeout=60) == 0
    steps = [e["step"] for e in w.log if e.get("id") == "e2" and e["event"] == "progress"]
    assert steps[-1] < 5000
