"""The decode loop's cache and attention (decode.py) and chat on merged adapter copies (serving.py):
faster paths that must give what the plain ones give."""

import threading

import pytest
import torch
from transformers import DynamicCache
from transformers.integrations.sdpa_attention import sdpa_attention_forward

from modelfactory_devtools.tiny import ARCHITECTURES
from modelfactory_worker.decode import ATTENTION, _decode_attention, growing_cache
from modelfactory_worker.generate import SamplingParams, adapter_active, generate
from modelfactory_worker.lora import load_adapter
from modelfactory_worker.models import load_model
from modelfactory_worker.serving import MergedCopies, copies_from_env
from modelfactory_worker.session import Context, Session

from test_generate import make_adapter

PROMPT = [1] + list(range(40, 70))


class _Attn(torch.nn.Module):
    def __init__(self, groups: int, sliding_window=None):
        super().__init__()
        self.num_key_value_groups = groups
        self.sliding_window = sliding_window
        self.is_causal = True


def test_the_decode_attention_equals_sdpa_for_grouped_heads_and_leaves_the_rest_to_it():
    g = torch.Generator().manual_seed(0)
    q = torch.randn(2, 9, 1, 64, generator=g)
    k, v = torch.randn(2, 3, 37, 64, generator=g), torch.randn(2, 3, 37, 64, generator=g)
    module = _Attn(3).eval()
    ours, _ = _decode_attention(module, q, k, v, None, scaling=0.125)
    ref, _ = sdpa_attention_forward(module, q, k, v, None, scaling=0.125)
    assert ours.shape == ref.shape == (2, 1, 9, 64)
    torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-6)
    # A padded batch's step: the padding is masked out of the scores, as SDPA masks it.
    mask = torch.ones(2, 1, 1, 37, dtype=torch.bool)
    mask[1, ..., :20] = False
    torch.testing.assert_close(
        _decode_attention(module, q, k, v, mask, scaling=0.125)[0],
        sdpa_attention_forward(module, q, k, v, mask, scaling=0.125)[0],
        rtol=1e-5,
        atol=1e-6,
    )
    # Several query tokens or a sliding window: SDPA's own result, bit for bit.
    for args, m in (((torch.randn(2, 9, 4, 64, generator=g), k, v, None), module), ((q, k, v, None), _Attn(3, 16).eval())):
        assert torch.equal(_decode_attention(m, *args, scaling=0.125)[0], sdpa_attention_forward(m, *args, scaling=0.125)[0])


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_a_cpu_model_decodes_on_the_growing_cache_as_on_transformers_own(model_dirs, arch):
    lm = load_model(model_dirs[arch])
    assert lm.model.config._attn_implementation == ATTENTION
    steps = 70  # past the first reservation (twice the prompt), so the buffers regrow
    with torch.inference_mode():

        def run(cache):
            out = lm.model(input_ids=torch.tensor([PROMPT]), past_key_values=cache, use_cache=True)
            logits = [out.logits[0, -1]]
            for _ in range(steps):
                nxt = int(out.logits[0, -1].argmax())
                out = lm.model(input_ids=torch.tensor([[nxt]]), past_key_values=out.past_key_values, use_cache=True)
                logits.append(out.logits[0, -1])
            return torch.stack(logits), out.past_key_values

        ours, cache = run(growing_cache())
        lm.model.set_attn_implementation("sdpa")
        ref, _ = run(DynamicCache())
    torch.testing.assert_close(ours, ref, rtol=1e-4, atol=1e-5)
    assert cache.get_seq_length() == len(PROMPT) + steps
    assert all(layer.reserved_nbytes >= layer.keys.nbytes * 2 for layer in cache.layers)


def test_a_cropped_growing_cache_extends_like_a_fresh_prefill(llama_dir):
    lm = load_model(llama_dir)
    with torch.inference_mode():
        cache = growing_cache()
        lm.model(input_ids=torch.tensor([PROMPT + [5, 6, 7, 8]]), past_key_values=cache, use_cache=True)
        cache.crop(len(PROMPT))
        assert cache.get_seq_length() == len(PROMPT)
        tail = lm.model(input_ids=torch.tensor([[9, 10, 11]]), past_key_values=cache, use_cache=True).logits[0]
        full = lm.model(input_ids=torch.tensor([PROMPT + [9, 10, 11]])).logits[0, -3:]
    torch.testing.assert_close(tail, full, rtol=1e-4, atol=1e-5)


def _chat(session, adapter, text="the pump"):
    return session.generate(
        {"cmd": "generate", "prompt": text, "adapter": adapter, "max_new_tokens": 16, "stream": False},
        Context(emit=lambda e: None, cancel=threading.Event()),
    )


def test_chat_with_an_adapter_runs_on_a_merged_copy_and_answers_as_the_adapter_does(llama_dir, tmp_path, monkeypatch):
    make_adapter(llama_dir, str(tmp_path / "one"), 1)
    make_adapter(llama_dir, str(tmp_path / "two"), 2)
    # Through PEFT's LoRA layers, the reference.
    lm = load_model(llama_dir)
    lm.model = load_adapter(lm.model, str(tmp_path / "one"), "one")
    lm.model = load_adapter(lm.model, str(tmp_path / "two"), "two")
    want = {}
    for name in ("one", "two", None):
        with adapter_active(lm.model, name):
            want[name] = generate(
                lm.model, lm.tokenizer, lm.tokenizer("the pump")["input_ids"], SamplingParams(max_new_tokens=16), lm.device
            )["text"]
    assert len(set(want.values())) == 3

    s = Session(1e12, "cpu")
    s.load(
        {"cmd": "load", "model": llama_dir, "adapters": {"one": str(tmp_path / "one"), "two": str(tmp_path / "two")}},
        Context(lambda e: None, threading.Event()),
    )
    assert s.merged.limit == 1
    assert _chat(s, "one")["text"] == want["one"] and s.merged.stats()["adapters"] == ["one"]
    assert _chat(s, None)["text"] == want[None] and s.merged.stats()["adapters"] == ["one"]  # the base needs no copy
    assert _chat(s, "two")["text"] == want["two"] and s.merged.stats()["adapters"] == ["two"]  # one copy at a time
    assert _chat(s, "two")["text"] == want["two"] and s.merged.built == 2
    # The PEFT model is left as it was: its adapters still answer through their LoRA layers.
    with adapter_active(s.loaded.model, "one"):
        again = generate(
            s.loaded.model,
            s.loaded.tokenizer,
            s.loaded.tokenizer("the pump")["input_ids"],
            SamplingParams(max_new_tokens=16),
            s.loaded.device,
        )
    assert again["text"] == want["one"]
    # New weights drop the copies.
    s.load({"cmd": "load", "adapters": {"one": str(tmp_path / "two")}}, Context(lambda e: None, threading.Event()))
    assert len(s.merged) == 0 and _chat(s, "one")["text"] == want["two"]


def test_merged_copies_are_off_for_nf4_bases_gpus_and_when_set_to_zero(llama_dir, tmp_path, monkeypatch):
    make_adapter(llama_dir, str(tmp_path / "one"), 1)
    lm = load_model(llama_dir)
    lm.model = load_adapter(lm.model, str(tmp_path / "one"), "one")
    copies = MergedCopies(1)
    assert copies.eligible(lm.model, torch.device("cpu"), "none")
    assert not copies.eligible(lm.model, torch.device("cpu"), "nf4")
    assert not copies.eligible(lm.model, torch.device("cuda"), "none")
    assert not MergedCopies(0).eligible(lm.model, torch.device("cpu"), "none")
    assert not copies.eligible(load_model(llama_dir).model, torch.device("cpu"), "none")  # no adapter: nothing to merge
    monkeypatch.setenv("MODELFACTORY_WORKER_MERGED_COPIES", "0")
    s = Session(1e12, "cpu")
    s.load({"cmd": "load", "model": llama_dir, "adapters": {"one": str(tmp_path / "one")}}, Context(lambda e: None, threading.Event()))
    _chat(s, "one")
    assert len(s.merged) == 0 and s.merged.built == 0
    monkeypatch.setenv("MODELFACTORY_WORKER_MERGED_COPIES", "two")
    with pytest.raises(ValueError, match="MODELFACTORY_WORKER_MERGED_COPIES.*'two'"):
        copies_from_env()


def test_context_attribution_with_an_adapter_measures_on_the_merged_copy_as_on_peft(llama_dir, tmp_path, monkeypatch):
    from modelfactory_worker.attribution import attribute_command

    make_adapter(llama_dir, str(tmp_path / "one"), 1)
    cmd = {
        "cmd": "attribute",
        "adapter": "one",
        "sources": {"before": "Sources:\n", "passages": ["[1] the red pump\n", "[2] a blue valve\n", "[3] the green tank\n"], "after": ""},
        "messages": [{"role": "user", "content": "which pump?"}],
        "answer": "the red pump",
    }
    drops = {}
    for copies in ("1", "0"):
        monkeypatch.setenv("MODELFACTORY_WORKER_MERGED_COPIES", copies)
        s = Session(1e12, "cpu")
        s.load({"cmd": "load", "model": llama_dir, "adapters": {"one": str(tmp_path / "one")}}, Context(lambda e: None, threading.Event()))
        out = attribute_command(s, cmd, Context(lambda e: None, threading.Event()))
        assert s.merged.built == (1 if copies == "1" else 0)
        drops[copies] = [p["log_prob_drop"] for p in out["passages"]]
    assert drops["1"] == pytest.approx(drops["0"], abs=1e-3)
