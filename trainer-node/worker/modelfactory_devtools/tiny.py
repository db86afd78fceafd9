"""Writes small random-initialised causal LMs with a BPE tokenizer trained locally.

For tests, benchmarks and the demo: no weights can be downloaded here, so we make our own, in
the real architectures (LLaMA, Mistral, Qwen2, Gemma, Phi-3) that transformers loads.
"""

from __future__ import annotations

import os

from modelfactory_worker.models import pick_dtype  # noqa: F401  (sets the offline environment first)

import torch

from modelfactory_worker.chat import DEFAULT_CHAT_TEMPLATE
from modelfactory_worker.errors import WorkerError
from .synthetic import corpus

ARCHITECTURES = ("llama", "mistral", "qwen2", "gemma", "phi3")

# hidden, layers, heads, kv heads, intermediate, vocab. "25m" and "110m" are the benchmark's LLaMA sizes.
SIZES = {
    "tiny": (64, 2, 4, 2, 128, 512),
    "small": (128, 4, 4, 4, 352, 1024),
    "25m": (512, 6, 8, 8, 1376, 8192),
    "110m": (768, 12, 12, 12, 2304, 8192),
}

SPECIAL_TOKENS = ["<pad>", "<s>", "<|im_start|>", "<|im_end|>", "<|endoftext|>"]


def train_tokenizer(vocab_size: int, seed: int = 0):
    """A byte-level BPE tokenizer (any text encodes) trained on our synthetic corpus, ChatML template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus(4000, seed=seed), trainer)
    bos = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="<|im_end|>",
        pad_token="<pad>",
        additional_special_tokens=["<|im_start|>", "<|endoftext|>"],
    )
    fast.chat_template = DEFAULT_CHAT_TEMPLATE
    return fast


def make_config(arch: str, size: str, tokenizer, max_positions: int = 1024):
    import transformers as tf

    if arch not in ARCHITECTURES:
        raise WorkerError("unsupported_model", f"arch must be one of {', '.join(ARCHITECTURES)}, got {arch!r}")
    if size not in SIZES:
        raise WorkerError("bad_request", f"size must be one of {', '.join(SIZES)}, got {size!r}")
    hidden, layers, heads, kv, inter, vocab = SIZES[size]
    common = dict(
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv,
        intermediate_size=inter,
        vocab_size=max(vocab, len(tokenizer)),
        max_position_embeddings=max_positions,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        initializer_range=hidden**-0.5,
    )  # logits can reach useful sizes even at 64 wide
    if arch == "llama":
        return tf.LlamaConfig(tie_word_embeddings=False, **common)
    if arch == "mistral":
        return tf.MistralConfig(sliding_window=max_positions, tie_word_embeddings=False, **common)
    if arch == "qwen2":
        return tf.Qwen2Config(tie_word_embeddings=True, use_sliding_window=False, **common)
    if arch == "gemma":
        return tf.GemmaConfig(head_dim=hidden // heads, hidden_activation="gelu_pytorch_tanh", **common)
    return tf.Phi3Config(original_max_position_embeddings=max_positions, rope_scaling=None, tie_word_embeddings=False, **common)


def create_model(out_dir: str, arch: str = "llama", size: str = "tiny", seed: int = 0) -> dict:
    """Write config, random weights (safetensors), tokenizer and generation config to out_dir."""
    from transformers import AutoModelForCausalLM, GenerationConfig

    tokenizer = train_tokenizer(SIZES.get(size, SIZES["tiny"])[5], seed=seed)
    config = make_config(arch, size, tokenizer)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32, attn_implementation="sdpa")
    os.makedirs(out_dir, exist_ok=True)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return {"path": out_dir, "arch": arch, "size": size, "parameters": sum(p.numel() for p in model.parameters()), "vocab": len(tokenizer)}
