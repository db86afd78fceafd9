"""The reference the `train` suite compares against: plain transformers `Trainer` + PEFT with
LLaMA-Factory's default LoRA SFT settings, on the same model and the same tokenized data.

LLaMA-Factory defaults used (its `examples/train_lora/*_lora_sft.yaml` and argument defaults):
per-device batch 1, gradient accumulation 8, no packing (pad to the longest, multiple of 8),
gradient checkpointing on (re-entrant), LoRA on all linear layers with dropout 0 and alpha = 2 r,
cosine schedule with 10 % warmup, learning rate 1e-4. The rank is set to ours (16) so both sides
do the same adapter work; fp32 on CPU (its bf16 default needs a GPU).
"""

from __future__ import annotations

import tempfile


def run_baseline(model_dir: str, examples, *, steps: int, rank: int, ready, wait, on_begin, on_end) -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq, Trainer, TrainerCallback, TrainingArguments

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model.enable_input_require_grads()  # what LLaMA-Factory does for re-entrant checkpointing
    model = get_peft_model(
        model, LoraConfig(task_type="CAUSAL_LM", r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules="all-linear")
    )
    # transformers shifts labels itself: the label at j is token j where it is a response token.
    rows = [{"input_ids": e.input_ids, "attention_mask": [1] * len(e.input_ids), "labels": [-100] + e.targets[:-1]} for e in examples]
    counter = {"tokens": 0}

    def count(module, args, kwargs):  # real (unpadded) tokens of every micro-batch the model runs on
        counter["tokens"] += int(kwargs["attention_mask"].sum())

    model.register_forward_pre_hook(count, with_kwargs=True)

    class Pace(TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            ready(lambda: counter["tokens"])

        def on_step_begin(self, args, state, control, **kw):
            wait()
            on_begin()

        def on_step_end(self, args, state, control, **kw):
            on_end(model)

    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir,
            per_device_train_batch_size=1,
            gradient_accumulation_steps=8,
            learning_rate=1e-4,
            lr_scheduler_type="cosine",
            warmup_ratio=0.1,
            max_steps=steps,
            logging_steps=1,
            save_strategy="no",
            report_to=[],
            gradient_checkpointing=True,
            gradient_checkpointing_kwargs={"use_reentrant": True},
            use_cpu=not torch.cuda.is_available(),
            bf16=torch.cuda.is_available(),
            dataloader_num_workers=0,
            remove_unused_columns=False,
            seed=42,
            disable_tqdm=True,
        )
        Trainer(
            model=model,
            args=args,
            train_dataset=rows,
            data_collator=DataCollatorForSeq2Seq(tok, pad_to_multiple_of=8, label_pad_token_id=-100),
            callbacks=[Pace()],
        ).train()
