"""A real background worker process (``manage.py papo_worker``) for tests."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from .server import BACKEND, Stack


class Worker:
    """One ``papo_worker`` on ``stack``, with the test's environment on top."""

    def __init__(self, stack: Stack, extra_env: dict[str, str] | None = None,
                 name: str = "worker") -> None:
        self.stack = stack
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(stack.env["PAPO_VAR_DIR"]) / f"{name}.log"

    def start(self) -> Worker:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "papo_worker", "--interval", "0.2"],
            cwd=BACKEND, env=self.stack.environ(self.extra_env), stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while "papo worker" not in self.log():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start: {self.log()}")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, as when a machine dies."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM: the task under way finishes, then the worker exits."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""
