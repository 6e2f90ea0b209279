"""Papo's benchmark: one command, fresh servers, a baseline measured in the same run.

    ./papo bench                 # every scenario, 3 repeats (about 25 minutes)
    ./papo bench --quick         # smaller numbers, 1 repeat: does it all work?
    ./papo bench --scenarios busy,capacity --repeat 3

For each scenario and target it starts fresh servers (a new SQLite file or a
new PostgreSQL database, Redis flushed), pins them to CPU 0 and the load
generator (bench/loadgen.py, its own process) to CPU 1, runs the scenario,
and keeps the median and range over the repeats. The baseline target is
bench/relay.py: a bare relay on the ``websockets`` library doing the same
traffic, and Papo's figures are also given as ratios to it. Results go to
bench/results/<timestamp>/ as results.json, table.md and latency.png.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))

from papo.testing.server import Daphne, Stack, free_port, services_missing  # noqa: E402

ORIGIN = "http://bench.papo.invalid"
SERVER_CPU = "0"
GENERATOR_CPU = "1"
PAPO_ENV = {
    # as in production: no DEBUG (Django's debug cursor records every query)
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    # the load comes from one address: lift the per-address limits, keep everything else
    "PAPO_CONNECTIONS_PER_IP": "1000000",
    "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "10000000",
    "PAPO_FRAME_RATE": "1000",
    "PAPO_FRAME_BURST": "1000",
    # a bench agent answers 50 chats at machine speed, far above a person's 30 frames/s
    "PAPO_CONSOLE_FRAME_RATE": "1000",
    "PAPO_CONSOLE_FRAME_BURST": "1000",
    "PAPO_LOG_LEVEL": "WARNING",
    "PAPO_HTTP_RATE": "100000/m",
    # as in production: the tests' check of every frame sent against realtime/outbound.py
    # is off (it was on in every busy run from 2026-12-07 until this line: 3 % of the samples)
    "PAPO_CHECK_FRAMES": "0",
}


def pinned(cpu: str) -> list[str]:
    return ["taskset", "-c", cpu] if shutil.which("taskset") and os.cpu_count() > 1 else []


class Target:
    """A fresh server setup for one run: Papo (embedded or scaled) or the relay."""

    def __init__(self, name: str, agents: int) -> None:
        self.name = name
        self.agents = agents
        self.stack: Stack | None = None
        self.servers: list[Daphne] = []
        self.relay: subprocess.Popen | None = None
        self.site_key = "bench"
        self.sessions: list[str] = []
        self.relay_port = 0

    def start(self) -> None:
        if self.name == "relay":
            self.relay_port = free_port()
            self.relay = subprocess.Popen(
                [*pinned(SERVER_CPU), sys.executable, str(ROOT / "bench" / "relay.py"),
                 "--port", str(self.relay_port)])
            time.sleep(1)
            return
        self.stack = Stack.scaled() if self.name.startswith("scaled") else Stack.embedded()
        # one key for the seeded sessions and the server that reads them
        self.stack.env["SECRET_KEY"] = "bench-" + os.urandom(16).hex()
        self.stack.migrate()
        spec = {"sites": [{"name": "Bench", "origins": [ORIGIN]}],
                "agents": [{"username": f"agent{i}", "sites": ["Bench"],
                            "max_concurrent": 1000} for i in range(self.agents)]}
        seeded = self.stack.seed(spec)
        self.site_key = seeded["sites"]["Bench"]["key"]
        self.sessions = [a["session"] for a in seeded["agents"].values()]
        processes = 2 if self.name == "scaled-2" else 1
        for _ in range(processes):
            server = Daphne(self.stack, PAPO_ENV, prefix=pinned(SERVER_CPU))
            self.servers.append(server.start())

    @property
    def urls(self) -> str:
        if self.relay:
            return f"ws://127.0.0.1:{self.relay_port}"
        return ",".join(s.ws for s in self.servers)

    @property
    def pids(self) -> list[int]:
        return [self.relay.pid] if self.relay else [s.proc.pid for s in self.servers]

    def restart(self) -> float:
        """Stop the servers and start new ones; when (``time.monotonic()``, the same
        clock in every process of this machine) the old ones were all gone: the
        moment every client lost its socket, which the scenarios time from."""
        if self.relay:
            self.relay.terminate()
            self.relay.wait()
            dropped = time.monotonic()
            self.relay = subprocess.Popen(
                [*pinned(SERVER_CPU), sys.executable, str(ROOT / "bench" / "relay.py"),
                 "--port", str(self.relay_port)])
            return dropped
        # all processes at once, as a deployment restarts its processes
        for server in self.servers:
            server.signal_stop()
        for server in self.servers:
            server.wait_stopped()
        dropped = time.monotonic()
        for server in self.servers:
            server.launch()
        for server in self.servers:
            server.wait_healthy()
        return dropped

    def stop(self) -> None:
        if self.relay:
            self.relay.terminate()
            self.relay.wait()
        for server in self.servers:
            server.stop()
        if self.stack:
            self.stack.close()

    def server_errors(self) -> int:
        logs = "".join(s.log() for s in self.servers)
        return logs.count("Traceback") + logs.count("MaxConnectionsError")


def run_generator(target: Target, scenario: str, extra: list[str]) -> dict:
    cmd = [*pinned(GENERATOR_CPU), sys.executable, str(ROOT / "bench" / "loadgen.py"), scenario,
           "--url", target.urls, "--site-key", target.site_key, "--origin", ORIGIN,
           "--sessions", ",".join(target.sessions), "--agents", str(target.agents),
           "--server-pids", ",".join(str(p) for p in target.pids), *extra]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    result = None
    for line in proc.stdout:
        line = line.strip()
        if line == "RESTART":
            dropped = target.restart()
            proc.stdin.write(f"{dropped} {time.monotonic()}\n")
            proc.stdin.flush()
        elif line.startswith("{"):
            result = json.loads(line)
    proc.wait()
    if result is None:
        raise RuntimeError(f"{scenario} on {target.name}: the generator produced no result")
    result["server_errors"] = target.server_errors()
    return result


def plan(quick: bool) -> dict[str, dict]:
    visitors, agents = (200, 4) if quick else (1000, 20)
    seconds = "8" if quick else "20"
    return {
        "busy": {"targets": ["embedded", "scaled-2", "relay"], "agents": agents,
                 "args": ["--visitors", str(visitors), "--rate", str(visitors * 0.4),
                          "--duration", seconds]},
        "capacity": {"targets": ["scaled-2", "relay"], "agents": agents,
                     "args": ["--visitors", str(visitors), "--duration", "6" if quick else "10",
                              "--warmup", "5" if quick else "20",
                              "--rates", "400,800,1200" if quick else
                              "400,500,600,700,800,1000,1200,1600,2000,2400,3200,4000,4800"]},
        "connections": {"targets": ["scaled-1", "relay"], "agents": 0,
                        "args": ["--visitors", "1000" if quick else "10000",
                                 "--in-flight", "500"]},
        "storm": {"targets": ["scaled-2"], "agents": agents,
                  "args": ["--visitors", str(visitors), "--rate", str(visitors * 0.4),
                           "--duration", "12" if quick else "30"]},
        "drop": {"targets": ["scaled-1"], "agents": 0,
                 "args": ["--visitors", "1000" if quick else "5000", "--in-flight", "500"]},
    }


def headline(scenario: str, r: dict) -> dict[str, float | None]:
    """The figures each scenario is judged by."""
    if scenario == "busy":
        s = r["step"]
        return {"v2a_p99_ms": s["v2a_p99_ms"], "a2v_p99_ms": s["a2v_p99_ms"],
                "p50_ms": s["p50_ms"], "generator_cpu": s["generator_cpu_percent"],
                "server_cpu_ms_per_msg": s.get("server_cpu_ms_per_msg"),
                "postgres_cpu_ms_per_msg": s.get("postgres_cpu_ms_per_msg"),
                "desk_routed_s": r.get("desk_routed_s")}
    if scenario == "capacity":
        return {"capacity_msgs_per_s": r["capacity_msgs_per_s"]}
    if scenario == "connections":
        return {"kb_per_connection": r["kb_per_connection"],
                "handshakes_per_s": r["handshakes_per_s"],
                "idle_cpu_percent": r["idle_cpu_percent"],
                "connections": r["connections"],
                "http_5xx": sum(v for k, v in r["http_status"].items() if int(k) >= 500)}
    if scenario == "storm":
        return {"caught_up_s": r["caught_up_s"], "healthy_s": r["healthy_s"]}
    if scenario == "drop":
        return {"reestablished_s": r["reestablished_s"], "healthy_s": r["healthy_s"],
                "reconnected": r["reconnected"],
                "http_5xx": sum(v for k, v in r["http_status"].items() if int(k) >= 500)}
    return {}


def summarise(runs: list[dict], scenario: str) -> dict:
    figures = [headline(scenario, r) for r in runs]
    out: dict = {}
    for key in figures[0]:
        values = [f[key] for f in figures if f[key] is not None]
        if values:
            out[key] = {"median": statistics.median(values), "min": min(values),
                        "max": max(values)}
    out["lost"] = sum(r["lost"] for r in runs)
    out["duplicated"] = sum(r["duplicated"] for r in runs)
    out["redelivered"] = sum(r.get("redelivered", 0) for r in runs)
    out["server_errors"] = sum(r["server_errors"] for r in runs)
    return out


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for target, runs in results.get("capacity", {}).items():
        steps = runs["runs"][0]["steps"]
        rates = [s["offered_msgs_per_s"] for s in steps]
        for key, style in (("p50_ms", ":"), ("p99_ms", "-")):
            ax.plot(rates, [s[key] for s in steps], style, marker="o",
                    label=f"{target} {key[:3]}")
    ax.axhline(100, color="grey", linewidth=0.8)
    ax.set_xlabel("offered load (messages/s)")
    ax.set_ylabel("delivery latency (ms)")
    ax.set_yscale("log")
    ax.set_title("Papo vs raw websockets relay: latency against load")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def table(results: dict) -> str:
    lines = ["| scenario | target | figure | median | range | ratio to relay |",
             "|---|---|---|---|---|---|"]
    for scenario, targets in results.items():
        relay = targets.get("relay", {}).get("summary", {})
        for target, data in targets.items():
            for key, v in data["summary"].items():
                if not isinstance(v, dict):
                    continue
                base = relay.get(key, {}).get("median") if target != "relay" else None
                ratio = f"{v['median'] / base:.2f}x" if base else ""
                lines.append(f"| {scenario} | {target} | {key} | {v['median']:.2f} | "
                             f"{v['min']:.2f} to {v['max']:.2f} | {ratio} |")
            d = data["summary"]
            lines.append(f"| {scenario} | {target} | lost / duplicated / redelivered / "
                         f"server errors | {d['lost']} / {d['duplicated']} / "
                         f"{d['redelivered']} / {d['server_errors']} | | |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scenarios", default="busy,capacity,connections,storm,drop")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--targets", default="",
                   help="only these targets (e.g. scaled-2); the ratios need the relay")
    args = p.parse_args()
    only = set(filter(None, args.targets.split(",")))
    if args.quick:
        args.repeat = 1
    reason = services_missing()
    if reason:
        sys.exit(f"the benchmark needs PostgreSQL and Redis: {reason}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = ROOT / "bench" / "results" / stamp
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    for scenario in args.scenarios.split(","):
        spec = plan(args.quick)[scenario]
        results[scenario] = {}
        for target_name in spec["targets"]:
            if only and target_name not in only:
                continue
            runs = []
            for i in range(args.repeat):
                print(f"--> {scenario} on {target_name} ({i + 1}/{args.repeat})", flush=True)
                target = Target(target_name, spec["agents"])
                target.start()
                try:
                    runs.append(run_generator(target, scenario, spec["args"]))
                finally:
                    target.stop()
            results[scenario][target_name] = {"runs": runs,
                                              "summary": summarise(runs, scenario)}
            print(json.dumps(results[scenario][target_name]["summary"]), flush=True)
    meta = {"date": stamp, "machine": f"{os.cpu_count()} cores, "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
            "command": "python bench/run.py " + " ".join(sys.argv[1:]),
            "repeat": args.repeat}
    (out_dir / "results.json").write_text(json.dumps({"meta": meta, "results": results},
                                                     indent=1))
    md = table(results)
    (out_dir / "table.md").write_text(md + "\n")
    if "capacity" in results:
        chart(results, out_dir / "latency.png")
    print(md)
    print(f"\nresults in {out_dir}")


if __name__ == "__main__":
    main()
