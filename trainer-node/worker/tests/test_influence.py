"""Training-data attribution: after a LoRA run over contributions that each teach one fact, the
contribution that taught an answer's fact ranks first by training influence; the index is
deterministic and refuses adapter weights it was not built for."""

import json
import threading

import pytest
import torch

from modelfactory_worker.errors import WorkerError
from modelfactory_worker.chat import IGNORE
from modelfactory_worker.influence import CountSketch, _examples, build_index, contribution_scores, load_index, query
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


FILLER = [
    {"schema": RECORD_SCHEMA, "kind": "instruction", "instruction": q, "input": "", "output": a}
    for q, a in [
        ("Name a colour of the sea.", "The sea is often blue or green."),
        ("How many legs does a spider have?", "A spider has eight legs."),
        ("What do bees make?", "Bees make honey and wax."),
        ("Which season comes after winter?", "Spring comes after winter."),
        ("What is frozen water called?", "Frozen water is called ice."),
        ("Where do fish live?", "Fish live in rivers, lakes and seas."),
        ("What does a baker make?", "A baker makes bread and cakes."),
        ("How many days are in a week?", "A week has seven days."),
        ("What colour is grass?", "Grass is green."),
        ("What do cows drink?", "Cows drink water."),
        ("What shines at night?", "The moon and the stars shine at night."),
        ("What is a young cat called?", "A young cat is called a kitten."),
    ]
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
        # The first contribution is broad: one fact among a dozen records about other things.
        recs = fact_records(name, word) + (FILLER if i == 0 else [])
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
            "per_contribution": 32,
        },
        Ctx(),
    )
    assert built["contributions"] == len(FACTS)
    assert built["examples"] == {c["id"]: (6 + len(FILLER) if i == 0 else 6) for i, c in enumerate(contributions)}
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
    cmd = {"cmd": "influence_index", "adapter": "tuned", "contributions": contributions[:2], "dim": 512, "per_contribution": 3}
    a = build_index(session, {**cmd, "out": str(tmp / "a.safetensors")}, Ctx())
    b = build_index(session, {**cmd, "out": str(tmp / "b.safetensors")}, Ctx())
    fa, ma = load_index(a["path"])
    fb, mb = load_index(b["path"])
    assert torch.equal(fa, fb) and ma == mb

    lm = session.need_model({})
    _, p = adapter_parameters(lm.model, "tuned")[0]
    saved = p.detach().clone()  # restored bit for bit: adding and subtracting 1e-3 is not
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
            p.copy_(saved)


def test_a_broad_contribution_scores_as_its_best_record_and_a_format_1_index_still_loads(trained):
    """The broad contribution's score is its Alba record's, not the mean over its unrelated
    records (what format /1 stored, here rebuilt from the same rows), which sinks with its size."""
    session, contributions, tmp = trained
    built = build_index(
        session,
        {
            "cmd": "influence_index",
            "adapter": "tuned",
            "contributions": contributions,
            "out": str(tmp / "rows.safetensors"),
            "dim": 4096,
            "per_contribution": 32,
        },
        Ctx(),
    )
    features, meta = load_index(built["path"])
    assert meta["row_counts"] == [6 + len(FILLER), 6, 6, 6, 6] and features.shape == (sum(meta["row_counts"]), 4096)
    # Format /1: one row per contribution, the unit mean of its records' rows.
    means, start = [], 0
    for n in meta["row_counts"]:
        m = features[start : start + n].mean(dim=0)
        means.append(m / m.norm())
        start += n
    from safetensors.torch import save_file

    v1 = {k: v for k, v in meta.items() if k != "row_counts"} | {"format": "modelfactory.influence/1"}
    save_file({"features": torch.stack(means).to(torch.float16)}, str(tmp / "v1.safetensors"), metadata=v1)
    ask = {
        "cmd": "influence",
        "adapter": "tuned",
        "messages": [{"role": "user", "content": "What is the code word of Alba?"}],
        "answer": "The code word of Alba is heron.",
    }
    rows = query(session, {**ask, "index": built["path"]}, Ctx())["ranking"]
    old = query(session, {**ask, "index": str(tmp / "v1.safetensors")}, Ctx())["ranking"]
    assert rows[0]["contribution"] == contributions[0]["id"], rows
    assert len(old) == len(FACTS)
    old_score = next(r["score"] for r in old if r["contribution"] == contributions[0]["id"])
    assert rows[0]["score"] > old_score + 0.1, (rows[0], old_score)
    # A damaged index (row counts that do not add up to its rows) is refused by name.
    save_file(
        {"features": features[:-1].to(torch.float16)},
        str(tmp / "damaged.safetensors"),
        metadata={k: (json.dumps(v) if k == "row_counts" else v) for k, v in meta.items()},
    )
    with pytest.raises(WorkerError, match="damaged influence index"):
        query(session, {**ask, "index": str(tmp / "damaged.safetensors")}, Ctx())


def test_the_sample_takes_one_record_per_distinct_response_first(trained):
    session, _, tmp = trained
    path = write_jsonl(tmp / "paraphrases.jsonl", fact_records("Alba", "heron") + FILLER[:2])  # 6 questions, 1 answer
    examples, total = _examples(session.formatter(), path, 64, 3, seed=0)
    assert total == 8 and len(examples) == 3
    responses = {tuple(t for t in e.targets if t != IGNORE) for e in examples}
    assert len(responses) == 3, "Alba's answer once, and both other answers"


def test_contribution_scores_take_each_contributions_best_row():
    assert contribution_scores(torch.tensor([0.25, 0.75, 0.5, -0.5]), [2, 0, 1, 1]) == [0.75, 0.0, 0.5, -0.5]


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
    with pytest.raises(WorkerError, match="lower 'per_contribution'"):
        build_index(
            session,
            {
                "cmd": "influence_index",
                "adapter": "tuned",
                "out": str(tmp / "x"),
                "contributions": [{"id": str(i), "records": contributions[0]["records"]} for i in range(1, 18)],
                "per_contribution": 1024,
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
