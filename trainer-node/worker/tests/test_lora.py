"""LoRA by its properties: the adapted model starts equal to the base, only adapter weights
learn, merging gives W + (alpha/r) B A, and a saved adapter reloads to identical outputs."""

import pytest
import torch

from modelfactory_worker.lora import LoraSpec, adapter_parameters, attach, load_adapter, merged_copy, save_adapter
from modelfactory_worker.models import load_model

IDS = torch.tensor([[1, 40, 41, 42, 43, 44, 45, 46, 47, 48]])


def randomise_b(model, name, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for n, p in adapter_parameters(model, name):
            if "lora_B" in n:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)


def logits(model):
    with torch.no_grad():
        return model(input_ids=IDS).logits


def test_adapted_model_starts_equal_to_base(llama_dir):
    lm = load_model(llama_dir)
    base = logits(lm.model)
    model = attach(lm.model, LoraSpec(r=8, alpha=16), "first")
    assert torch.equal(logits(model), base)


def test_only_adapter_weights_get_gradients(llama_dir):
    lm = load_model(llama_dir)
    model = attach(lm.model, LoraSpec(r=4, alpha=8), "first")
    model.train()
    model(input_ids=IDS, labels=IDS).loss.backward()
    with_grad = {n for n, p in model.named_parameters() if p.grad is not None}
    lora = {n for n, _ in adapter_parameters(model, "first")}
    assert with_grad == lora and len(lora) == 2 * 7 * 2  # A and B, 7 linears, 2 layers
    assert all(p.grad.abs().sum() > 0 for n, p in model.named_parameters() if "lora_B" in n)


@pytest.mark.parametrize("rslora", [False, True])
def test_merge_gives_w_plus_scaled_ba(llama_dir, rslora):
    lm = load_model(llama_dir)
    w0 = lm.model.model.layers[0].self_attn.q_proj.weight.detach().clone()
    spec = LoraSpec(r=4, alpha=12, rslora=rslora)
    model = attach(lm.model, spec, "first")
    randomise_b(model, "first")
    q = model.base_model.model.model.layers[0].self_attn.q_proj
    a, b = q.lora_A["first"].weight.detach().clone(), q.lora_B["first"].weight.detach().clone()
    before = logits(model)
    merged = model.merge_and_unload()
    expected = w0 + (12 / (4**0.5 if rslora else 4)) * b @ a
    assert torch.allclose(merged.model.layers[0].self_attn.q_proj.weight, expected, atol=1e-6)
    assert torch.allclose(logits(merged), before, atol=1e-5)


def test_saved_adapter_reloads_to_identical_outputs(llama_dir, tmp_path):
    lm = load_model(llama_dir)
    model = attach(lm.model, LoraSpec(r=4, alpha=8, targets=["q_proj", "v_proj"]), "first")
    randomise_b(model, "first")
    want = logits(model)
    save_adapter(model, "first", str(tmp_path / "ad"))
    assert sorted(p.name for p in (tmp_path / "ad").iterdir()) == ["adapter_config.json", "adapter_model.safetensors"]
    fresh = load_adapter(load_model(llama_dir).model, str(tmp_path / "ad"), "again")
    assert torch.equal(logits(fresh), want)
    # PEFT itself reads the folder, and a merged export gives the same function.
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    peft_model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(llama_dir), str(tmp_path / "ad"))
    assert torch.allclose(logits(peft_model), want, atol=1e-5)  # another loader, same function
    merged_copy(llama_dir, str(tmp_path / "ad"), str(tmp_path / "merged"))
    assert torch.allclose(logits(AutoModelForCausalLM.from_pretrained(str(tmp_path / "merged"))), want, atol=1e-5)


def test_bad_specs_are_rejected():
    from modelfactory_worker.errors import WorkerError

    for bad in ({"r": 0}, {"alpha": -1}, {"dropout": 1.0}, {"targets": []}, {"rank": 8}):
        with pytest.raises(WorkerError) as e:
            LoraSpec.from_dict(bad)
        assert e.value.code == "bad_request"


def test_saved_adapter_config_is_the_same_under_any_hash_seed(llama_dir, tmp_path):
    """'all-linear' resolves to a set of module names; PEFT writes it in set order, which follows
    PYTHONHASHSEED. The worker sorts it, so one training gives one adapter (and one CID)."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from modelfactory_worker.lora import LoraSpec, attach, save_adapter\n"
        "from modelfactory_worker.models import load_model\n"
        "save_adapter(attach(load_model(sys.argv[1]).model, LoraSpec(r=4, alpha=8), 'a'), 'a', sys.argv[2])\n"
    )
    written = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"seed{seed}"
        subprocess.run([sys.executable, "-c", script, llama_dir, str(out)], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        written.append((out / "adapter_config.json").read_bytes())
    assert written[0] == written[1] == written[2]
    targets = json.loads(written[0])["target_modules"]
    assert targets == sorted(targets) and len(targets) == 14  # 7 linears in each of 2 layers
