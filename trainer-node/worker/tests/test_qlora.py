"""QLoRA on CPU: NF4 levels as published, <= 4.2 stored bits per weight, dequantization error
within NF4's bound, exact gradients through the 4-bit layer, and training steps that lower the loss."""

import torch
import torch.nn.functional as F

from conftest import make_trainer
from modelfactory_worker import nf4
from modelfactory_worker.models import load_model
from modelfactory_worker.nf4 import NF4Linear
from modelfactory_worker.qlora import quantization_report
from modelfactory_devtools.synthetic import instruction_records

# Table of NF4 values in the QLoRA paper (Dettmers et al. 2023, appendix E).
PUBLISHED_NF4 = [
    -1.0,
    -0.6961928009986877,
    -0.5250730514526367,
    -0.39491748809814453,
    -0.28444138169288635,
    -0.18477343022823334,
    -0.09105003625154495,
    0.0,
    0.07958029955625534,
    0.16093020141124725,
    0.24611230194568634,
    0.33791524171829224,
    0.44070982933044434,
    0.5626170039176941,
    0.7229568362236023,
    1.0,
]


def test_code_derived_from_normal_quantiles_matches_the_paper():
    assert torch.allclose(nf4.nf4_code(), torch.tensor(PUBLISHED_NF4), atol=1e-6)


def test_error_within_nf4_bound_and_exact_levels_roundtrip():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(96, 200, generator=g) * 0.05  # 19200 weights: 300 blocks, 2 double-quant blocks
    q = nf4.quantize(w)
    deq = nf4.dequantize(q)
    blocks = w.flatten().view(-1, nf4.BLOCK)
    absmax = blocks.abs().amax(dim=1)
    code = nf4.CODE
    half_gap = ((code[1:] - code[:-1]) / 2).max()
    # Rounding a scale to int8 moves it by at most half a step of its double-quant block.
    scale_err = (q.absmax_scale / 2).repeat_interleave(nf4.DQ_BLOCK)[: absmax.numel()]
    bound = absmax * half_gap + scale_err + 1e-7
    err = (deq.flatten().view(-1, nf4.BLOCK) - blocks).abs()
    assert (err <= bound[:, None]).all()
    assert err.mean() < 0.1 * absmax.mean()  # and far from the bound on average
    # A weight that is exactly a level times its block's absmax comes back up to the scale error only.
    levels = code[torch.randint(0, 16, (nf4.BLOCK * 4,), generator=g)] * 0.3
    levels[:: nf4.BLOCK] = 0.3  # each block's absmax
    back = nf4.dequantize(nf4.quantize(levels))
    assert (back - levels).abs().max() <= nf4.dequantize_absmax(nf4.quantize(levels)).sub(0.3).abs().max() + 1e-7


def test_stored_bits_per_parameter(llama_dir):
    lm = load_model(llama_dir, quantization="nf4", quant_backend="cpu")
    rep = quantization_report(lm.model)
    n_linear = sum(m.in_features * m.out_features for m in lm.model.modules() if isinstance(m, NF4Linear))
    assert rep["quantized_parameters"] == n_linear == 2 * (64 * 64 * 2 + 64 * 32 * 2 + 3 * 64 * 128)
    assert 4.0 < rep["bits_per_parameter"] <= 4.2
    assert rep["ratio_to_bf16"] <= 0.3
    packed = sum(
        m.packed.numel() + m.absmax_q.numel() + 4 * m.absmax_scale.numel() + 4 for m in lm.model.modules() if isinstance(m, NF4Linear)
    )
    assert rep["stored_bytes"] == packed


def test_gradient_through_nf4_layer_is_exact():
    g = torch.Generator().manual_seed(1)
    lin = torch.nn.Linear(64, 48, bias=True)
    q = NF4Linear(lin)
    x = torch.randn(5, 64, generator=g, requires_grad=True)
    q(x).pow(2).sum().backward()
    x2 = x.detach().clone().requires_grad_(True)
    F.linear(x2, q.dequantized(), q.bias).pow(2).sum().backward()
    assert torch.allclose(x.grad, x2.grad, atol=1e-5)
    assert q.bias.grad is None  # the base stays frozen


def test_qlora_training_lowers_the_loss(llama_dir, tmp_path):
    lm = load_model(llama_dir, quantization="nf4", quant_backend="cpu")
    t = make_trainer(
        lm,
        instruction_records(8, seed=1),
        {
            "method": "qlora",
            "max_steps": 12,
            "learning_rate": 2e-2,
            "batch_size": 8,
            "scheduler": "constant",
            "lora": {"r": 8, "alpha": 16},
        },
        tmp_path,
    )
    res = t.run()
    assert res.losses[1] < res.losses[0]
    assert res.losses[-1] < 0.6 * res.losses[0]
    assert all(
        not isinstance(m, torch.nn.Linear) or isinstance(m, NF4Linear) or "lora_" in n or n.endswith("lm_head")
        for n, m in t.model.named_modules()
    )
