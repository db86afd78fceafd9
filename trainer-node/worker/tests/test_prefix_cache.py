"""The KV prefix cache: a follow-up prompt prefills only its new tokens and gives the same logits
and tokens as computing everything again; entries never cross adapters, respect the byte budget,
and vanish when the weights change."""

import torch

from modelfactory_worker.generate import SamplingParams, adapter_active, generate
from modelfactory_worker.lora import load_adapter
from modelfactory_worker.models import load_model
from modelfactory_worker.prefix_cache import PrefixCache, budget_from_env

from test_generate import make_adapter

TURN1 = [1] + list(range(40, 100))  # a 61-token "conversation so far"


def gen(lm, ids, prefix=None, adapter=None, n=12):
    return generate(lm.model, lm.tokenizer, ids, SamplingParams(max_new_tokens=n), lm.device, prefix=prefix, adapter=adapter)


def test_follow_up_reuses_the_conversation_and_matches_a_full_prefill(llama_dir):
    lm = load_model(llama_dir)
    lm.model.generation_config.eos_token_id = None
    lm.model.config.eos_token_id = None
    lm.tokenizer.eos_token = None
    cache = PrefixCache(64 << 20)
    first = gen(lm, TURN1, cache)
    assert first["cached_tokens"] == 0 and len(cache) == 1
    # The next turn: the earlier prompt, the model's own answer, then new tokens.
    turn2 = TURN1 + first["token_ids"] + [7, 8, 9, 10]
    cached = gen(lm, turn2, cache)
    fresh = gen(lm, turn2)
    # Every token of turn 1 and of its answer is reused: the answer's last token was never fed.
    assert cached["cached_tokens"] == len(TURN1) + len(first["token_ids"]) - 1
    assert cached["token_ids"] == fresh["token_ids"] and fresh["cached_tokens"] == 0

    # Logits after a cropped, extended cache equal a full forward pass within float tolerance.
    with torch.inference_mode():
        full = lm.model(input_ids=torch.tensor([turn2])).logits[0, -1]
        past, reused = cache.take(None, turn2)
        assert reused == len(turn2) - 1  # the stored sequence covers the whole prompt but its last token
        tail = lm.model(input_ids=torch.tensor([turn2[reused:]]), past_key_values=past).logits[0, -1]
    assert torch.allclose(full, tail, atol=1e-4), (full - tail).abs().max()


def test_a_prompt_that_diverges_early_reuses_only_the_shared_prefix(llama_dir):
    lm = load_model(llama_dir)
    cache = PrefixCache(64 << 20)
    gen(lm, TURN1, cache)
    other = TURN1[:20] + [5] * 30
    out = gen(lm, other, cache)
    assert out["cached_tokens"] == 20
    assert out["token_ids"] == gen(lm, other)["token_ids"]
    tiny = [1, 40, 41, 6, 6, 6, 6, 6, 6, 6]  # shares 3 tokens: below the reuse floor, recomputed
    assert gen(lm, tiny, cache)["cached_tokens"] == 0


def test_entries_stay_with_their_adapter(llama_dir, tmp_path):
    make_adapter(llama_dir, str(tmp_path / "one"), 1)
    lm = load_model(llama_dir)
    lm.model = load_adapter(lm.model, str(tmp_path / "one"), "one")
    cache = PrefixCache(64 << 20)
    with adapter_active(lm.model, None):
        base = gen(lm, TURN1, cache, adapter=None)
    with adapter_active(lm.model, "one"):
        tuned = gen(lm, TURN1, cache, adapter="one")
        assert tuned["cached_tokens"] == 0  # the base's keys and values are not the adapter's
        again = gen(lm, TURN1, cache, adapter="one")
    assert again["cached_tokens"] == len(TURN1) - 1 and again["token_ids"] == tuned["token_ids"]
    assert base["token_ids"] != tuned["token_ids"]


def test_budget_evicts_oldest_and_zero_turns_it_off(llama_dir, monkeypatch):
    lm = load_model(llama_dir)
    probe = PrefixCache(1 << 30)
    gen(lm, TURN1, probe)
    one = probe.nbytes
    # Keys and values of every layer, counted as reserved: the 61-token prefill reserves room for
    # twice its length, which the 11 generated tokens fed back fit in (decode.GrowingCache).
    cfg = lm.model.config
    per_token = 2 * cfg.num_hidden_layers * cfg.num_key_value_heads * (cfg.hidden_size // cfg.num_attention_heads) * 4
    assert one == per_token * 2 * len(TURN1)
    cache = PrefixCache(int(one * 2.5))
    for start in (40, 140, 240):
        gen(lm, [1] + list(range(start, start + 60)), cache)
    assert len(cache) == 2 and cache.nbytes <= cache.budget
    assert gen(lm, TURN1 + [3], cache)["cached_tokens"] == 0  # the oldest (TURN1's) went first
    off = PrefixCache(0)
    gen(lm, TURN1, off)
    assert len(off) == 0 and gen(lm, TURN1, off)["cached_tokens"] == 0

    monkeypatch.setenv("MODELFACTORY_WORKER_KV_CACHE_MB", "64")
    assert budget_from_env() == 64 << 20
    monkeypatch.setenv("MODELFACTORY_WORKER_KV_CACHE_MB", "lots")
    try:
        budget_from_env()
        raise AssertionError("a bad value must be refused")
    except ValueError as e:
        assert "MODELFACTORY_WORKER_KV_CACHE_MB" in str(e) and "'lots'" in str(e)
