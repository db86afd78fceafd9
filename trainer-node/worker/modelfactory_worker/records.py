"""Canonical dataset records (schema `modelfactory.record/1`) as the SDK writes them, read from JSONL.

Each record is checked at the boundary; an error names the file, the line and the field.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterator, Union

from .errors import WorkerError

RECORD_SCHEMA = "modelfactory.record/1"
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    role: str
    content: str


@dataclass(frozen=True)
class ChatRecord:
    """A conversation; every assistant turn is trained on, everything else is context."""

    messages: tuple[Message, ...]
    kind: str = "chat"  # the record's kind in the file: "chat" or "instruction"


@dataclass(frozen=True)
class TextRecord:
    """Plain text; every token is trained on."""

    text: str
    kind: str = "text"


# One name for a dataset record across the project (DatasetRecord in the SDK); instruction
# records arrive as chat records (records.py turns them into a user and an assistant turn).
DatasetRecord = Union[ChatRecord, TextRecord]


def _fail(path: str, line: int, message: str) -> WorkerError:
    return WorkerError("invalid_record", f"{path}:{line}: {message}", {"path": path, "line": line})


def _string(obj: dict, key: str, path: str, line: int, allow_empty: bool = False) -> str:
    if key not in obj:
        raise _fail(path, line, f"missing field '{key}'")
    value = obj[key]
    if not isinstance(value, str):
        raise _fail(path, line, f"field '{key}' must be a string, got {type(value).__name__}")
    if not allow_empty and value == "":
        raise _fail(path, line, f"field '{key}' must not be empty")
    return value


def parse_record(obj: object, path: str = "<memory>", line: int = 1) -> DatasetRecord:
    """Validate one decoded JSON value and turn it into a DatasetRecord."""
    if not isinstance(obj, dict):
        raise _fail(path, line, "a record must be a JSON object")
    if obj.get("schema") != RECORD_SCHEMA:
        raise _fail(path, line, f"field 'schema' must be '{RECORD_SCHEMA}', got {obj.get('schema')!r}")
    kind = obj.get("kind")
    if kind == "instruction":
        instruction = _string(obj, "instruction", path, line)
        extra = _string(obj, "input", path, line, allow_empty=True) if "input" in obj else ""
        output = _string(obj, "output", path, line)
        prompt = instruction if not extra else f"{instruction}\n\n{extra}"
        return ChatRecord((Message("user", prompt), Message("assistant", output)), "instruction")
    if kind == "chat":
        messages = obj.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _fail(path, line, "field 'messages' must be a non-empty array")
        parsed = []
        for i, m in enumerate(messages):
            if not isinstance(m, dict):
                raise _fail(path, line, f"messages[{i}] must be an object")
            role = m.get("role")
            if role not in ROLES:
                raise _fail(path, line, f"messages[{i}].role must be one of {', '.join(ROLES)}, got {role!r}")
            content = m.get("content")
            if not isinstance(content, str):
                raise _fail(path, line, f"messages[{i}].content must be a string")
            parsed.append(Message(role, content))
        if not any(m.role == "assistant" for m in parsed):
            raise _fail(path, line, "a chat record needs at least one assistant message")
        return ChatRecord(tuple(parsed))
    if kind == "text":
        return TextRecord(_string(obj, "text", path, line))
    raise _fail(path, line, f"field 'kind' must be 'instruction', 'chat' or 'text', got {kind!r}")


def iter_records(path: str) -> Iterator[DatasetRecord]:
    """Yield the records of a JSONL file; blank lines are skipped."""
    if not os.path.isfile(path):
        raise WorkerError("file_not_found", f"dataset file not found: {path}", {"path": path})
    with open(path, "r", encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise _fail(path, line_no, f"not valid JSON ({e.msg} at column {e.colno})") from None
            yield parse_record(obj, path, line_no)


def read_records(path: str) -> list[DatasetRecord]:
    records = list(iter_records(path))
    if not records:
        raise WorkerError("invalid_record", f"{path}: the file holds no records", {"path": path})
    return records


def prompt_and_reference(record: DatasetRecord) -> tuple[tuple[Message, ...], str] | None:
    """Split a chat record into (context up to the last answer, last answer) for BLEU/ROUGE."""
    if not isinstance(record, ChatRecord):
        return None
    last = max(i for i, m in enumerate(record.messages) if m.role == "assistant")
    return record.messages[:last], record.messages[last].content
