"""The one error type of the worker; its `code` is what the protocol's error event carries."""

from __future__ import annotations

from typing import Any

# Every code the worker can send. PROTOCOL.md and trainer-node/src/worker-protocol.ts list the same.
ERROR_CODES = (
    "bad_json",  # a line that is not a JSON object
    "bad_request",  # a command with a missing or invalid field
    "unknown_command",
    "unsupported_protocol",
    "file_not_found",
    "invalid_record",  # a dataset line that is not a canonical record
    "unsupported_model",  # a folder transformers cannot load as a causal LM
    "not_loaded",  # a command that needs a model before `load`
    "unknown_adapter",
    "out_of_memory",
    "cancelled",  # a queued command cancelled before it started
    "internal",  # anything else; the message says what
)


class WorkerError(Exception):
    """An error with a protocol code, a short message and optional details."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None):
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


def is_out_of_memory(exc: BaseException) -> bool:
    """True for CUDA OOM, Python MemoryError and the CPU allocator's failure (a RuntimeError)."""
    if isinstance(exc, MemoryError):
        return True
    name = type(exc).__name__
    if name in ("OutOfMemoryError",):
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and ("can't allocate memory" in text or "out of memory" in text.lower())


def as_worker_error(exc: BaseException, command: str) -> WorkerError:
    """What a failure of `command` is on the protocol: a WorkerError as raised, an out-of-memory
    failure as `out_of_memory`, anything else as `internal` with the exception's type and text."""
    if isinstance(exc, WorkerError):
        return exc
    if is_out_of_memory(exc):
        return WorkerError("out_of_memory", f"out of memory during '{command}': {str(exc)[:300]}")
    return WorkerError("internal", f"{type(exc).__name__}: {str(exc)[:500]}")
