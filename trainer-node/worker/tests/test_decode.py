"""The decode loop's cache and attention (decode.py) and chat on serving copies (serving.py: the
adapter merged in, bf16 where the CPU has it): faster paths that must give what the plain ones give."""

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
from modelfactory_worker import serving
from modelfactory_worker.serving import DEFAULT_COPIES, MergedCopies, copies_from_env, serving_precision_from_env
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
    # Several query tokens with a mask, or a sliding window's masked step: SDPA's own result, bit for bit.
    q4 = torch.randn(2, 9, 4, 64, generator=g)
    causal = torch.ones(2, 1, 4, 37, dtype=torch.bool).tril(33)
    for args, m in (((q4, k, v, causal), module), ((q, k, v, mask), _Attn(3, 16).eval())):
        assert torch.equal(_decode_attention(m, *args, scaling=0.125)[0], sdpa_attention_forward(m, *args, scaling=0.125)[0])


def _sdpa_kernels(fn) -> set[str]:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    return {e.key for e in prof.key_averages() if "scaled_dot_product" in e.key}


def test_an_unmasked_prefill_with_grouped_heads_takes_sdpa_flash_kernel_with_the_same_result_and_gradients():
    """transformers asks SDPA for grouped heads when there is no mask; a CPU then runs the unfused
    math path (5x slower for a 1,100-token prefill). The heads are repeated first instead."""
    g = torch.Generator().manual_seed(1)
    q = torch.randn(2, 9, 48, 64, generator=g, requires_grad=True)
    k = torch.randn(2, 3, 48, 64, generator=g, requires_grad=True)
    v = torch.randn(2, 3, 48, 64, generator=g, requires_grad=True)
    module = _Attn(3).train()
    ours, _ = _decode_attention(module, q, k, v, None, scaling=0.125)
    grads = torch.autograd.grad(ours.square().sum(), (q, k, v))
    ref, _ = sdpa_attention_forward(module, q, k, v, None, scaling=0.125)
    torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-5)
    for mine, theirs in zip(grads, torch.autograd.grad(ref.square().sum(), (q, k, v))):
        torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-4)
    with torch.no_grad():
        theirs = _sdpa_kernels(lambda: sdpa_attention_forward(module, q, k, v, None, scaling=0.125))
        mine = _sdpa_kernels(lambda: _decode_attention(module, q, k, v, None, scaling=0.125))
    assert any("math" in name for name in theirs), theirs  # what the change is for: if this fails, SDPA got better
    assert not any("math" in name for name in mine) and any("flash" in name for name in mine), mine


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

    monkeypatch.setenv("MODELFACTORY_WORKER_SERVING_PRECISION", "float32")  # the merge alone, compared exactly
    monkeypatch.setenv("MODELFACTORY_WORKER_MERGED_COPIES", "1")
    s = Session(1e12, "cpu")
    s.load(
        {"cmd": "load", "model": llama_dir, "adapters": {"one": str(tmp_path / "one"), "two": str(tmp_path / "two")}},
        Context(lambda e: None, threading.Event()),
    )
    assert s.merged.limit == 1 and s.merged.precision == "float32"
    assert _chat(s, "one")["text"] == want["one"] and s.merged.stats()["copies"] == ["one"]
    assert _chat(s, None)["text"] == want[None] and s.merged.stats()["copies"] == ["one"]  # an fp32 base needs no copy
    assert _chat(s, "two")["text"] == want["two"] and s.merged.stats()["copies"] == ["two"]  # one copy at a time
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
    cpu = torch.device("cpu")
    for precision in ("float32", "bfloat16", "int8"):
        copies = MergedCopies(1, precision)
        assert copies.eligible(lm.model, cpu, "none", "one")
        assert not copies.eligible(lm.model, cpu, "nf4", "one")
        assert not copies.eligible(lm.model, torch.device("cuda"), "none", "one")
        assert not MergedCopies(0, precision).eligible(lm.model, cpu, "none", "one")
        assert not copies.eligible(load_model(llama_dir).model, cpu, "none", "one")  # not a PEFT model: nothing to merge
        # The base is answered from a copy only to change its precision.
        assert copies.eligible(lm.model, cpu, "none", None) == (precision != "float32")
        assert not copies.eligible(lm.model, torch.device("cuda"), "none", None)
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
    monkeypatch.setenv("MODELFACTORY_WORKER_SERVING_PRECISION", "float32")
    for copies in ("1", "0"):
        monkeypatch.setenv("MODELFACTORY_WORKER_MERGED_COPIES", copies)
        s = Session(1e12, "cpu")
        s.load({"cmd": "load", "model": llama_dir, "adapters": {"one": str(tmp_path / "one")}}, Context(lambda e: None, threading.Event()))
        out = attribute_command(s, cmd, Context(lambda e: None, threading.Event()))
        assert s.merged.built == (1 if copies == "1" else 0)
        drops[copies] = [p["log_prob_drop"] for p in out["passages"]]
    assert drops["1"] == pytest.approx(drops["0"], abs=1e-3)


def _answer_log_probs(model, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([ids])).logits[0, :-1].float()
    return logits.log_softmax(-1).gather(1, torch.tensor(ids[1:])[:, None])[:, 0]


@pytest.mark.parametrize("precision", ["bfloat16", "int8"])
def test_a_lower_serving_precision_answers_from_copies_of_the_base_and_the_merged_adapter_and_leaves_the_fp32_model_alone(
    llama_dir, tmp_path, monkeypatch, precision
):
    make_adapter(llama_dir, str(tmp_path / "one"), 1)
    monkeypatch.setenv("MODELFACTORY_WORKER_SERVING_PRECISION", precision)
    monkeypatch.delenv("MODELFACTORY_WORKER_MERGED_COPIES", raising=False)  # 2: the base and the adapter
    s = Session(1e12, "cpu")
    s.load({"cmd": "load", "model": llama_dir, "adapters": {"one": str(tmp_path / "one")}}, Context(lambda e: None, threading.Event()))
    assert s.merged.limit == DEFAULT_COPIES == 2 and s.merged.precision == precision
    _chat(s, None)
    _chat(s, "one")
    assert s.merged.stats() == {"limit": 2, "precision": precision, "copies": [None, "one"], "built": 2}
    assert all(p.dtype == torch.float32 for p in s.loaded.model.parameters())  # training and evaluation keep fp32
    ids = s.loaded.tokenizer("the pump feeds the tank and the valve")["input_ids"]
    for adapter in (None, "one"):
        with s.serving(s.loaded, adapter) as model:
            assert not any("lora" in name for name, _ in model.named_parameters())
            if precision == "bfloat16":
                assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
            else:
                linears = [m for m in model.modules() if isinstance(m, (torch.nn.Linear, serving.Int8Linear))]
                assert linears and all(isinstance(m, serving.Int8Linear) for m in linears)
                assert all(m.weight_int8.dtype == torch.int8 for m in linears)
                assert {p.dtype for p in model.parameters()} == {torch.float32}  # embeddings and norms
            fast = _answer_log_probs(model, ids)
        with adapter_active(s.loaded.model, adapter) as model:
            exact = _answer_log_probs(model, ids)
        assert not torch.equal(fast, exact)
        # Rounding, not another model: on this random tiny model bf16 moves a token's loss by
        # 0.4 % on average and int8 weights by up to 1.3 % (on SmolLM2's demo answers, 0.05 %).
        share = 0.01 if precision == "bfloat16" else 0.03
        torch.testing.assert_close(fast, exact, rtol=0.15, atol=0.05)
        assert (fast - exact).abs().mean() < share * exact.abs().mean()
    assert s.merged.built == 2  # both served from the copies kept
    s.load({"cmd": "load", "adapters": {"one": str(tmp_path / "one")}}, Context(lambda e: None, threading.Event()))
    assert len(s.merged) == 0


def test_an_int8_linear_layer_computes_the_linear_layer_within_its_rounding():
    g = torch.Generator().manual_seed(3)
    linear = torch.nn.Linear(96, 40, bias=True)
    with torch.no_grad():
        linear.weight.copy_(torch.randn(40, 96, generator=g))
        linear.bias.copy_(torch.randn(40, generator=g))
    for widen in (torch.bfloat16, torch.float32):  # a prefill's widened weight, with and without native bf16
        q = serving.Int8Linear(linear, widen)
        assert q.weight_int8.abs().amax(dim=1).eq(127).all()  # each row uses its whole range
        # A decode step's few rows (the int8 kernel) and a prefill's many (the weight widened).
        for shape in ((2, 5, 96), (3, serving.PACKED_ROWS, 96)):
            x = torch.randn(*shape, generator=g)
            y = q(x)
            assert y.shape == (*shape[:-1], 40) and y.dtype == torch.float32
            want = linear(x).detach()
            assert (y - want).abs().max() < 0.02 * want.abs().max()  # 8-bit weights, bf16 inputs
        if widen is torch.float32:  # the int8 weight times its scale, multiplied in fp32: exact
            x = torch.randn(1, 3 * serving.PACKED_ROWS, 96, generator=g)
            exact = x @ (q.weight_int8.float() * q.scale.float()[:, None]).T + linear.bias.detach()
            torch.testing.assert_close(q(x), exact)


def test_int8_serving_widens_prefills_to_bf16_only_where_the_cpu_multiplies_bf16_natively(monkeypatch):
    for native, widen in ((True, torch.bfloat16), (False, torch.float32)):
        monkeypatch.setattr(serving, "cpu_has_native_bf16", lambda native=native: native)
        model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
        serving._to_precision(model, "int8")
        assert [m.widen for m in model.modules() if isinstance(m, serving.Int8Linear)] == [widen, widen]


def test_the_serving_precision_is_int8_unless_another_is_asked_for(monkeypatch, capsys):
    monkeypatch.delenv("MODELFACTORY_WORKER_SERVING_PRECISION", raising=False)
    for native, want in ((True, "int8"), (False, "int8")):
        monkeypatch.setattr(serving, "cpu_has_native_bf16", lambda native=native: native)
        assert serving_precision_from_env() == want
        monkeypatch.setenv("MODELFACTORY_WORKER_SERVING_PRECISION", "auto")
        assert serving_precision_from_env() == want
        monkeypatch.delenv("MODELFACTORY_WORKER_SERVING_PRECISION")
    assert capsys.readouterr().err == ""
    for precision in ("float32", "bfloat16", "int8"):
        monkeypatch.setenv("MODELFACTORY_WORKER_SERVING_PRECISION", precision)
        for native in (True, False):
            monkeypatch.setattr(serving, "cpu_has_native_bf16", lambda native=native: native)
            assert serving_precision_from_env() == precision
            warned = "emulated here, and a prefill is slower than in float32" in capsys.readouterr().err
            assert warned == (not native and precision == "bfloat16")
    monkeypatch.setenv("MODELFACTORY_WORKER_SERVING_PRECISION", "half")
    with pytest.raises(ValueError, match="MODELFACTORY_WORKER_SERVING_PRECISION must be auto, float32, bfloat16 or int8, got 'half'"):
        serving_precision_from_env()
