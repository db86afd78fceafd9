"""Metrics on examples worked out by hand: sacreBLEU corpus BLEU, rouge-score F1, perplexity =
exp(mean token loss), and FLOP and memory accounting against closed forms."""

import math

import pytest
import torch

from modelfactory_worker.chat import IGNORE, ChatFormatter
from modelfactory_worker.data import tokenize
from modelfactory_worker.evaluate import bleu, perplexity, rouge
from modelfactory_worker.flops import flop_model
from modelfactory_worker.lora import LoraSpec, attach
from modelfactory_worker.memory import ActivationMeter, HeapPeak, heap_in_use, tensor_bytes
from modelfactory_worker.models import load_model
from modelfactory_worker.records import parse_record
from modelfactory_devtools.synthetic import instruction_records


def test_bleu_known_values():
    assert bleu(["the cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx(100.0)
    assert bleu(["xx yy zz ww"], ["aa bb cc dd"]) == pytest.approx(0.0)
    # 1- to 4-gram precisions 5/6, 4/5, 3/4, 2/3, no brevity penalty: (1/3) ** (1/4).
    assert bleu(["a b c d e f"], ["a b c d e g"]) == pytest.approx(100 * (1 / 3) ** 0.25, abs=1e-3)
    # Corpus BLEU pools n-gram counts over sentences; it is not the mean of sentence BLEUs.
    pooled = bleu(["a b c d e f", "a b c d"], ["a b c d e g", "a b c d"])
    assert pooled == pytest.approx(100 * ((9 / 10) * (7 / 8) * (5 / 6) * (3 / 4)) ** 0.25, abs=1e-3)


def test_rouge_known_values():
    r = rouge(["the cat sat down"], ["the cat ran away"])
    assert r["rouge1"] == pytest.approx(0.5) and r["rouge2"] == pytest.approx(1 / 3)
    assert r["rougeL"] == pytest.approx(0.5)
    r = rouge(["a b c d", "x"], ["a b c d", "y"])  # the mean over samples
    assert r["rouge1"] == pytest.approx(0.5)


def test_perplexity_is_exp_of_mean_token_loss(llama_dir):
    lm = load_model(llama_dir)
    recs = [parse_record(r) for r in instruction_records(6, seed=8)]
    exs = tokenize(recs, ChatFormatter(lm.tokenizer), 256).examples
    total, n = 0.0, 0
    with torch.no_grad():
        for ex in exs:  # reference: transformers' own mean loss per example, weighted by its tokens
            k = ex.trained_tokens
            labels = torch.tensor([[IGNORE] + ex.targets[:-1]])
            total += float(lm.model(input_ids=torch.tensor([ex.input_ids]), labels=labels).loss) * k
            n += k
    ppl = perplexity(lm.model, exs, pad_id=lm.tokenizer.pad_token_id, device=lm.device, dtype=lm.dtype)
    assert ppl["tokens"] == n
    assert ppl["loss"] == pytest.approx(total / n, rel=1e-5)
    assert ppl["perplexity"] == pytest.approx(math.exp(total / n), rel=1e-5)


def test_flop_counts_match_the_architecture(llama_dir):
    lm = load_model(llama_dir)
    h, kv, inter, layers, vocab = 64, 32, 128, 2, 512
    per_layer = 2 * (h * h * 2 + h * kv * 2 + 3 * h * inter)
    f = flop_model(lm.model)
    assert f.body_linear == layers * per_layer and f.head == 2 * h * vocab
    assert f.body_trainable == f.body_linear and f.attn_per_ctx == 4 * layers * h
    model = attach(lm.model, LoraSpec(r=4), "flops")
    g = flop_model(model)
    lora = layers * 2 * 4 * ((h + h) * 2 + (h + kv) * 2 + (h + inter) * 2 + (inter + h))
    assert g.body_trainable == lora and g.body_linear == layers * per_layer + lora
    assert g.step_flops(100, 10, 100**2) < f.step_flops(100, 10, 100**2)


def test_optimizer_and_activation_bytes_are_measured(llama_dir):
    lm = load_model(llama_dir)
    model = attach(lm.model, LoraSpec(r=4), "mem")
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params)
    meter = ActivationMeter(model)
    with meter.measure():
        model(input_ids=torch.randint(0, 500, (2, 32))).logits.sum().backward()
    opt.step()
    b = tensor_bytes(model, opt)
    n = sum(p.numel() for p in params)
    assert b["trainable_params"] == 4 * n and b["grads"] == 4 * n
    assert b["optimizer"] == 2 * 4 * n + 4 * len(params)  # two fp32 moments + a step count per tensor
    # At least the logits (2 x 32 x 512 fp32) and each layer's input are kept for backward.
    assert meter.bytes > 2 * 32 * 512 * 4


def test_heap_peak_counts_live_tensors_not_freed_ones():
    if heap_in_use() is None:
        pytest.skip("libc without mallinfo2")
    mb = 1024 * 1024
    meter = HeapPeak()
    x = torch.ones(256, 256, requires_grad=True)
    with meter.watch():
        big = torch.empty(64 * mb // 4).fill_(1.0)  # 64 MB, live while autograd saves tensors below
        (x * x).sum().backward()
        del big
    assert meter.grown >= 64 * mb, meter.grown
    assert meter.grown < 96 * mb, meter.grown
    before = heap_in_use()
    y = torch.empty(32 * mb // 4).fill_(2.0)
    assert heap_in_use() - before >= 32 * mb
    del y
    assert heap_in_use() - before < 4 * mb, "freed memory leaves the count at once"
