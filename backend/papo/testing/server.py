"""Start real daphne processes for tests, on the embedded or the scaled stack."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("PAPO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PAPO_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(url: str, default_port: int) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def services_missing() -> str | None:
    """Why the scaled stack cannot run here, or None when PostgreSQL and Redis answer."""
    missing = [name for name, url, port in (("PostgreSQL", PG_URL, 5432),
                                            ("Redis", REDIS_URL, 6379))
               if not reachable(url, port)]
    return f"{' and '.join(missing)} not reachable" if missing else None


@dataclass
class Stack:
    """A database + channel layer that one or more daphne processes share."""

    name: str
    env: dict[str, str]
    cleanup: list = field(default_factory=list)

    @classmethod
    def embedded(cls) -> Stack:
        tmp = tempfile.mkdtemp(prefix="papo-live-")
        return cls("embedded", {"PAPO_VAR_DIR": tmp})

    @classmethod
    def scaled(cls, redis_url: str | None = None) -> Stack:
        """A fresh PostgreSQL database and a flushed Redis database.

        ``redis_url`` names another Redis than the shared test one, e.g. a
        private ``redis-server`` a fault test may kill (``papo.testing.faults``).
        """
        import psycopg
        import redis

        redis_url = redis_url or REDIS_URL
        db = "papo_live_" + uuid.uuid4().hex[:10]
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
        base = PG_URL.rsplit("/", 1)[0]
        redis.Redis.from_url(redis_url).flushdb()
        tmp = tempfile.mkdtemp(prefix="papo-live-")
        stack = cls("scaled", {
            "PAPO_VAR_DIR": tmp,
            "DATABASE_URL": f"{base}/{db}",
            "REDIS_URL": redis_url,
            "PAPO_CACHE_PREFIX": "t" + uuid.uuid4().hex[:8],
        })

        def drop() -> None:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

        stack.cleanup.append(drop)
        return stack

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
        env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "papo.settings",
                    "PYTHONUNBUFFERED": "1", "PAPO_LOG_LEVEL": "INFO",
                    # every frame a server sends is checked against realtime/outbound.py
                    "PAPO_CHECK_FRAMES": "1",
                    # suites log agents in through the form, all from 127.0.0.1
                    "PAPO_LOGIN_RATE": "600/m"})
        env.update(self.env)
        env.update(extra or {})
        return env

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BACKEND, env=self.environ(),
            check=True, capture_output=True, text=True,
        ).stdout

    def migrate(self) -> None:
        self.manage("migrate", "--noinput", "-v0")

    def seed(self, spec: dict) -> dict:
        out = subprocess.run(
            [sys.executable, "-m", "papo.testing.seed", json.dumps(spec)], cwd=BACKEND,
            env=self.environ(), check=True, capture_output=True, text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    def close(self) -> None:
        for fn in self.cleanup:
            fn()


# Every daphne started in this test run: after each test the root conftest reads
# what their logs gained and fails the test on a frame that broke realtime/outbound.py.
STARTED: list[Daphne] = []
MISMATCH = "frame does not match realtime.outbound:"  # realtime.consumers.codes.OUTBOUND_MISMATCH


class Daphne:
    """One real daphne process serving Papo on a free port."""

    def __init__(self, stack: Stack, extra_env: dict[str, str] | None = None,
                 port: int | None = None, prefix: list[str] | None = None) -> None:
        self.stack = stack
        self.prefix = prefix or []  # e.g. ["taskset", "-c", "0"] to pin it to a CPU
        self.extra_env = extra_env or {}
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(stack.env["PAPO_VAR_DIR"]) / f"daphne-{self.port}.log"
        self._read_to = 0  # how far :meth:`new_mismatches` has read the log
        self.log_start = 0  # where this run's lines begin (a port may come round again)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> Daphne:
        return self.launch().wait_healthy()

    def launch(self) -> Daphne:
        """Start the process without waiting for it (several start side by side)."""
        log = open(self.log_path, "ab")
        if self not in STARTED:
            STARTED.append(self)
        self.log_start = log.tell()
        self.proc = subprocess.Popen(
            [*self.prefix, sys.executable, "-m", "papo.serve", "--port", str(self.port)],
            cwd=BACKEND, env=self.stack.environ(self.extra_env), stdout=log, stderr=log,
        )
        return self

    def wait_healthy(self) -> Daphne:
        assert self.proc is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.http + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"daphne did not start: {self.log()}")

    def stop(self, sig: str = "term") -> None:
        self.signal_stop(sig)
        self.wait_stopped()

    def signal_stop(self, sig: str = "term") -> None:
        """Tell the process to stop without waiting for it (several stop side by side)."""
        if self.proc and self.proc.poll() is None:
            if sig == "kill":
                self.proc.kill()
            else:
                self.proc.terminate()

    def wait_stopped(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def pause(self) -> None:
        """SIGSTOP: the process holds its sockets but does nothing (a stalled server)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def new_mismatches(self) -> list[str]:
        """Lines about frames that broke the outbound schema, since the last call."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._read_to)
                text = f.read()
        except OSError:
            return []
        self._read_to += len(text)
        return [line for line in text.decode(errors="replace").splitlines() if MISMATCH in line]
    def run_log(self) -> str:
        """Everything this run of the process wrote, and nothing before it."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_start)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def log(self, tail: int | None = 4000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return text if tail is None else text[-tail:]
