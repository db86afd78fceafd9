"""A real worker subprocess driven over its stdin/stdout, as the trainer-node daemon drives it."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time

WORKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class WorkerProcess:
    def __init__(self, env: dict | None = None):
        full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": WORKER_DIR, **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "modelfactory_worker"],
            cwd=WORKER_DIR,
            env=full_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.events: "queue.Queue[dict | None]" = queue.Queue()
        self.raw: list[str] = []
        self.log: list[dict] = []  # every event taken off the queue, in order
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.ready = self.next(timeout=120)
        assert self.ready["event"] == "ready", self.ready

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.raw.append(line)
            self.events.put(json.loads(line))  # a non-JSON line on stdout fails the test here
        self.events.put(None)

    def _drain_stderr(self) -> None:
        self.stderr = []
        for line in self.proc.stderr:
            self.stderr.append(line)

    def send(self, obj) -> None:
        self.proc.stdin.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
        self.proc.stdin.flush()

    def next(self, timeout: float = 120) -> dict:
        ev = self.events.get(timeout=timeout)
        assert ev is not None, "worker closed stdout: " + "".join(getattr(self, "stderr", [])[-20:])
        self.log.append(ev)
        return ev

    def until_done(self, cid, timeout: float = 300) -> tuple[dict, list[dict]]:
        """Events for command `cid` until its result or error; returns (final, all of its events)."""
        deadline = time.monotonic() + timeout
        while True:
            done = [e for e in self.log if e.get("id") == cid and e["event"] in ("result", "error")]
            if done:
                return done[0], [e for e in self.log if e.get("id") == cid]
            self.next(timeout=max(0.1, deadline - time.monotonic()))

    def call(self, cmd: dict, timeout: float = 300) -> tuple[dict, list[dict]]:
        self.send(cmd)
        return self.until_done(cmd["id"], timeout)

    def close(self) -> int:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()
