"""Records -> the model's chat template -> token ids, with the loss mask on response tokens only.

Each assistant turn is tokenized as its own segment after the prompt that precedes it, which is
exactly what the model sees at generation time (prompt tokens, then its own tokens).
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import ChatRecord, Message, DatasetRecord, TextRecord

IGNORE = -100

# ChatML: the default for tokenizers without a chat template. The tiny models carry it as theirs.
DEFAULT_CHAT_TEMPLATE = (
    "{{ bos_token if bos_token else '' }}"
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


@dataclass
class Example:
    """One tokenized record. targets[i] is the token to predict after input_ids[i], or IGNORE."""

    input_ids: list[int]
    targets: list[int]

    @property
    def trained_tokens(self) -> int:
        return sum(1 for t in self.targets if t != IGNORE)


class ChatFormatter:
    """Applies a tokenizer's chat template (or ChatML) and tokenizes records for training."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.template = getattr(tokenizer, "chat_template", None) or DEFAULT_CHAT_TEMPLATE
        self._merge_system = False

    def render(self, messages: tuple[Message, ...] | list[Message], add_generation_prompt: bool) -> str:
        conv = [{"role": m.role, "content": m.content} for m in messages]
        if self._merge_system:
            conv = _merge_system(conv)
        try:
            return self.tokenizer.apply_chat_template(
                conv, chat_template=self.template, tokenize=False, add_generation_prompt=add_generation_prompt
            )
        except Exception:
            # Some templates (Gemma's) refuse a system role: fold it into the first user turn.
            if self._merge_system or not any(m["role"] == "system" for m in conv):
                raise
            self._merge_system = True
            return self.render(messages, add_generation_prompt)

    def encode_text(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def encode_prompt(self, messages: tuple[Message, ...] | list[Message]) -> list[int]:
        """Token ids of a conversation followed by the assistant's generation prompt."""
        return self.encode_text(self.render(messages, add_generation_prompt=True))

    def encode_record(self, record: DatasetRecord) -> tuple[list[int], list[bool]]:
        """Token ids and, per token, whether it is part of a response (trained)."""
        if isinstance(record, TextRecord):
            ids = self.tokenizer(record.text, add_special_tokens=True)["input_ids"]
            eos = self.tokenizer.eos_token_id
            if eos is not None and (not ids or ids[-1] != eos):
                ids = ids + [eos]
            return ids, [True] * len(ids)
        assert isinstance(record, ChatRecord)
        ids: list[int] = []
        trained: list[bool] = []
        done = ""  # the rendered text already tokenized
        msgs = record.messages
        for i, m in enumerate(msgs):
            if m.role != "assistant":
                continue
            prompt = self.render(msgs[:i], add_generation_prompt=True)
            full = self.render(msgs[: i + 1], add_generation_prompt=False)
            context, answer = _split(done, prompt, full)
            context_ids = self.encode_text(context)
            answer_ids = self.encode_text(answer)
            ids += context_ids + answer_ids
            trained += [False] * len(context_ids) + [True] * len(answer_ids)
            done = full
        return ids, trained

    def example(self, record: DatasetRecord, max_len: int) -> Example | None:
        """Tokenize, truncate to max_len and shift; None when no trained token survives truncation."""
        ids, trained = self.encode_record(record)
        ids, trained = ids[:max_len], trained[:max_len]
        targets = [IGNORE] * len(ids)
        # The target of position i is token i+1; it is trained when token i+1 is a response token.
        for i in range(len(ids) - 1):
            if trained[i + 1]:
                targets[i] = ids[i + 1]
        ex = Example(ids, targets)
        return ex if ex.trained_tokens > 0 else None


def _split(done: str, prompt: str, full: str) -> tuple[str, str]:
    """Text to add as context (after `done`) and as the answer, given the rendered prompt and turn."""
    if not prompt.startswith(done):  # template not prefix-stable: keep what is common
        done = done[: _common_prefix(done, prompt)]
    if full.startswith(prompt):
        return prompt[len(done) :], full[len(prompt) :]
    cut = _common_prefix(prompt, full)
    return full[len(done) : cut], full[cut:]


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _merge_system(conv: list[dict]) -> list[dict]:
    system = "\n\n".join(m["content"] for m in conv if m["role"] == "system")
    rest = [dict(m) for m in conv if m["role"] != "system"]
    for m in rest:
        if m["role"] == "user":
            m["content"] = f"{system}\n\n{m['content']}" if system else m["content"]
            break
    return rest
