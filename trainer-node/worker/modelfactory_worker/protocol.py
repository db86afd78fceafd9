"""The JSON-lines protocol `modelfactory.worker/1`: command names, field checks, event shapes, and
the writer that puts events on the protocol stream (the worker's stdout, or a rank's pipe).

One JSON object per line each way. Commands carry `cmd` and `id`; every event about a command
echoes its `id`. PROTOCOL.md is the reference; trainer-node/src/worker-protocol.ts mirrors it.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from typing import Any

from . import PROTOCOL
from .errors import WorkerError

COMMANDS = (
    "info",
    "load",
    "count_tokens",
    "train",
    "evaluate",
    "generate",
    "attribute",
    "influence_index",
    "influence",
    "save",
    "export",
    "cancel",
    "shutdown",
)
EVENTS = ("ready", "progress", "checkpoint", "token", "result", "error")
# Handled as soon as they are read, even while a long command runs.
CONTROL_COMMANDS = ("cancel", "shutdown", "info")


def parse_command(line: str) -> dict:
    """Decode one line into a command object; raises WorkerError with the command id when known."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise WorkerError("bad_json", f"not a JSON line ({e.msg} at column {e.colno})") from None
    if not isinstance(obj, dict):
        raise WorkerError("bad_json", "a command must be a JSON object")
    cid = obj.get("id")
    if not isinstance(cid, (str, int)) or isinstance(cid, bool) or cid == "":
        raise WorkerError("bad_request", "every command needs an 'id' (a non-empty string or an integer)")
    proto = obj.get("protocol", PROTOCOL)
    if proto != PROTOCOL:
        raise WorkerError("unsupported_protocol", f"this worker speaks {PROTOCOL}, the command says {proto!r}")
    cmd = obj.get("cmd")
    if cmd not in COMMANDS:
        raise WorkerError("unknown_command", f"unknown command {cmd!r}; known: {', '.join(COMMANDS)}", {"known": list(COMMANDS)})
    return obj


def command_id(line: str) -> Any:
    """Best effort: the id of a line that failed to parse, so its error can still be matched."""
    try:
        obj = json.loads(line)
        cid = obj.get("id") if isinstance(obj, dict) else None
        return cid if isinstance(cid, (str, int)) and not isinstance(cid, bool) else None
    except (json.JSONDecodeError, AttributeError):
        return None


def field(cmd: dict, name: str, kind: type | tuple, default: Any = ..., *, allow_none: bool = False) -> Any:
    """Read a field of a command, checking its type; `...` as default means required."""
    if name not in cmd or (cmd[name] is None and not allow_none):
        if default is ...:
            raise WorkerError("bad_request", f"'{cmd.get('cmd')}' needs field '{name}'")
        return default
    value = cmd[name]
    if value is None and allow_none:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        names = " or ".join(k.__name__ for k in kinds)
        raise WorkerError("bad_request", f"'{cmd.get('cmd')}' field '{name}' must be {names}, got {value!r}")
    return value


def _clean(value: Any) -> Any:
    """JSON has no NaN or Infinity: send null instead so every line stays strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def encode_event(event: dict) -> str:
    assert event.get("event") in EVENTS, event
    return json.dumps(_clean(event), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def error_event(cid: Any, err: WorkerError) -> dict:
    return {"event": "error", "id": cid, "code": err.code, "message": err.message, "details": err.details}


class Writer:
    """Serialises events onto the protocol stream (the original stdout)."""

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, event: dict) -> None:
        line = encode_event(event)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


def protocol_stream():
    """Keep a private handle on stdout for protocol lines; point fd 1 and sys.stdout at stderr so no
    library print (Python or native) can corrupt the protocol."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out
