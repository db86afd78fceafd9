"""Packing: several examples per row, isolated by a block-diagonal mask and per-example positions,
give the same loss as one padded example per row; our loss equals transformers' own."""

import pytest
import torch

from modelfactory_worker.chat import IGNORE, ChatFormatter
from modelfactory_worker.data import EpochPlan, collate, pack, tokenize, unpacked
from modelfactory_worker.loss import batch_loss
from modelfactory_worker.models import load_model
from modelfactory_worker.records import parse_record
from modelfactory_devtools.synthetic import chat_records, instruction_records, text_records


def examples(lm, n=12, max_len=256):
    recs = [parse_record(r) for r in instruction_records(n, seed=3) + chat_records(4, seed=4) + text_records(4, seed=5)]
    return tokenize(recs, ChatFormatter(lm.tokenizer), max_len).examples


@pytest.mark.parametrize("arch", ["llama", "qwen2", "gemma", "phi3"])
def test_packed_loss_equals_unpacked_loss(model_dirs, arch):
    lm = load_model(model_dirs[arch])
    exs = examples(lm)
    pad = lm.tokenizer.pad_token_id
    with torch.no_grad():
        packed_rows = pack(exs, 160)
        assert len(packed_rows) < len(exs)  # the test is void unless rows really hold several examples
        p_loss, p_n = batch_loss(lm.model, collate(packed_rows, pad, packed=True))
        u_loss, u_n = batch_loss(lm.model, collate(unpacked(exs), pad, packed=False))
    assert p_n == u_n == sum(e.trained_tokens for e in exs)
    assert torch.allclose(p_loss, u_loss, rtol=1e-5), (float(p_loss), float(u_loss))


def test_our_loss_equals_transformers_loss(model_dirs):
    for arch, path in model_dirs.items():
        lm = load_model(path)
        ex = examples(lm, n=1)[0]
        ids = torch.tensor([ex.input_ids])
        # transformers shifts labels itself: label j is the token at j, predicted from position j-1.
        labels = torch.tensor([[IGNORE] + ex.targets[:-1]])
        with torch.no_grad():
            ref = lm.model(input_ids=ids, labels=labels).loss
            ours, n = batch_loss(lm.model, collate(unpacked([ex]), lm.tokenizer.pad_token_id, packed=False))
        assert torch.allclose(ours / n, ref, rtol=1e-5), arch


def test_packing_keeps_every_example_once_within_the_row_length(llama_dir):
    lm = load_model(llama_dir)
    exs = examples(lm)
    rows = pack(exs, 100)
    assert all(len(r.input_ids) <= 100 or len(r.lengths) == 1 for r in rows)
    assert [n for r in rows for n in r.lengths] == [len(e.input_ids) for e in exs]
    assert [t for r in rows for t in r.input_ids] == [t for e in exs for t in e.input_ids]


def test_epoch_plans_are_seeded_and_differ_between_epochs(llama_dir):
    lm = load_model(llama_dir)
    exs = examples(lm)
    kw = dict(micro_batch=2, seq_len=128, packing=True)
    order = lambda plan: [r.input_ids for mb in plan.micro_batches for r in mb]  # noqa: E731
    assert order(EpochPlan(exs, seed=1, epoch=0, **kw)) == order(EpochPlan(exs, seed=1, epoch=0, **kw))
    assert order(EpochPlan(exs, seed=1, epoch=0, **kw)) != order(EpochPlan(exs, seed=1, epoch=1, **kw))
    assert order(EpochPlan(exs, seed=1, epoch=0, **kw)) != order(EpochPlan(exs, seed=2, epoch=0, **kw))
