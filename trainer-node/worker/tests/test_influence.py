"""Training-data attribution: after a LoRA run over contributions that each teach one fact, the
contribution that taught an answer's fact ranks first by training influence; the index is
deterministic and refuses adapter weights it was not built for."""

import threading

import pytest
import torch

from modelfactory_worker.errors import WorkerError
from modelfactory_worker.influence import CountSketch, build_index, load_index, query
from modelfactory_worker.lora import adapter_parameters
from modelfactory_worker.session import Session

from conftest import write_jsonl

RECORD_SCHEMA = "modelfactory.record/1"
FACTS = [("Alba", "heron"), ("Brio", "copper"), ("Cato", "lantern"), ("Dara", "violet"), ("Enzo", "harbor")]


def fact_records(name: str, word: str) -> list[dict]:
    asks = [f"What is the code word of {name}?", f"Tell me {name}'s code word.", f"Which code word does {name} use?"]
    return [
        {"schema": RECORD_SCHEMA, "kind": "instruction", "instruction": q, "input": "", "output": f"The code word of {name} is {word}."}
        for q in asks
        for _ in range(2)
    ]


class Ctx:
    def __init__(self):
        self.cancel = threading.Event()
        self.events = []

    def emit(self, e):
        self.events.append(e)


@pytest.fixture(scope="module")
def trained(llama_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("influence")
    session = Session(1e12, "cpu")
    ctx = Ctx()
    session.load({"cmd": "load", "model": llama_dir}, ctx)
    contributions = []
    everything = []
    for i, (name, word) in enumerate(FACTS):
        recs = fact_records(name, word)
        everything += recs
        contributions.append({"id": str(100 + i), "records": write_jsonl(tmp / f"c{i}.jsonl", recs)})
    data = {"train": write_jsonl(tmp / "all.jsonl", everything), "eval": write_jsonl(tmp / "ev.jsonl", everything[:2])}
    session.train(
        {
            "cmd": "train",
            "data": data,
            "adapter": "tuned",
            "output_dir": str(tmp / "run"),
            "config": {"learning_rate": 1e-2, "batch_size": 6, "epochs": 4, "scheduler": "constant", "lora": {"r": 8, "alpha": 16}},
        },
        ctx,
    )
    return session, contributions, tmp


def test_the_contribution_that_taught_the_fact_ranks_first(trained):
    session, contributions, tmp = trained
    built = build_index(
        session,
        {
            "cmd": "influence_index",
            "adapter": "tuned",
            "contributions": contributions,
            "out": str(tmp / "index.safetensors"),
            "dim": 4096,
            "per_contribution": 4,
        },
        Ctx(),
    )
    assert built["contributions"] == len(FACTS) and set(built["examples"].values()) == {4}
    for i, (name, word) in enumerate(FACTS):
        got = query(
            session,
            {
                "cmd": "influence",
                "adapter": "tuned",
                "index": built["path"],
                "messages": [{"role": "user", "content": f"What is the code word of {name}?"}],
                "answer": f"The code word of {name} is {word}.",
            },
            Ctx(),
        )
        ranking = got["ranking"]
        assert ranking[0]["contribution"] == str(100 + i), (name, ranking)
        assert ranking[0]["score"] > ranking[1]["score"]


def test_the_index_is_deterministic_and_bound_to_its_adapter_weights(trained):
    session, contributions, tmp = trained
    cmd = {"cmd": "influence_index", "adapter": "tuned", "contributions": contributions[:2], "dim": 512, "per_contribution": 2}
    a = build_index(session, {**cmd, "out": str(tmp / "a.safetensors")}, Ctx())
    b = build_index(session, {**cmd, "out": str(tmp / "b.safetensors")}, Ctx())
    fa, ma = load_index(a["path"])
    fb, mb = load_index(b["path"])
    assert torch.equal(fa, fb) and ma == mb

    lm = session.need_model({})
    _, p = adapter_parameters(lm.model, "tuned")[0]
    with torch.no_grad():
        p.add_(1e-3)
    try:
        with pytest.raises(WorkerError, match="other adapter weights"):
            query(
                session,
                {
                    "cmd": "influence",
                    "adapter": "tuned",
                    "index": a["path"],
                    "messages": [{"role": "user", "content": "What is the code word of Alba?"}],
                    "answer": "heron",
                },
                Ctx(),
            )
    finally:
        with torch.no_grad():
            p.sub_(1e-3)


def test_bad_requests_name_the_field(trained):
    session, contributions, tmp = trained
    with pytest.raises(WorkerError, match="contribution id twice"):
        build_index(
            session,
            {"cmd": "influence_index", "adapter": "tuned", "out": str(tmp / "x"), "contributions": [contributions[0], contributions[0]]},
            Ctx(),
        )
    with pytest.raises(WorkerError, match="not found"):
        build_index(
            session,
            {
                "cmd": "influence_index",
                "adapter": "tuned",
                "out": str(tmp / "x"),
                "contributions": [{"id": "1", "records": str(tmp / "missing.jsonl")}],
            },
            Ctx(),
        )
    with pytest.raises(WorkerError, match="'dim'"):
        build_index(
            session,
            {"cmd": "influence_index", "adapter": "tuned", "out": str(tmp / "x"), "contributions": contributions[:1], "dim": 3},
            Ctx(),
        )
    with pytest.raises(WorkerError, match="not an influence index"):
        write_jsonl(tmp / "fake.safetensors", ["{}"])
        query(
            session,
            {
                "cmd": "influence",
                "adapter": "tuned",
                "index": str(tmp / "fake.safetensors"),
                "messages": [{"role": "user", "content": "q"}],
                "answer": "a",
            },
            Ctx(),
        )


def test_count_sketch_preserves_inner_products_on_average():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(20000, generator=g), torch.randn(20000, generator=g)
    y = 0.6 * x + 0.8 * y  # cosine ~0.6
    true = float(torch.nn.functional.cosine_similarity(x, y, dim=0))
    est = []
    for seed in range(8):
        s = CountSketch(20000, 2048, seed)
        est.append(float(torch.nn.functional.cosine_similarity(s.project(x), s.project(y), dim=0)))
    assert abs(sum(est) / len(est) - true) < 0.03
