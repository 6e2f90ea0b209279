"""Run Papo as N daphne processes behind nginx on this host.

    python deploy/cluster.py --processes 2 --port 8080

Needs ``DATABASE_URL`` and ``REDIS_URL`` (several processes share nothing
else), ``SECRET_KEY`` and ``ALLOWED_HOSTS`` as in production, and nginx
(Debian: ``apt-get install nginx``). Static files are collected into
``STATIC_ROOT`` and served by nginx. On several hosts, run
``python -m papo.serve --bind 0.0.0.0 --port P`` on each and list every
``host:port`` in the upstream block of deploy/nginx.conf.template.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"


def render(listen: int, upstreams: list[str], static: str, run_dir: str) -> str:
    servers = "\n        ".join(f"server {u} max_fails=0;" for u in upstreams)
    return (TEMPLATE.read_text().replace("@UPSTREAMS@", servers)
            .replace("@LISTEN@", str(listen)).replace("@STATIC@", static)
            .replace("@RUN@", run_dir))


def start_nginx(conf_text: str, run_dir: str) -> subprocess.Popen:
    conf = Path(run_dir) / "nginx.conf"
    conf.write_text(conf_text)
    return subprocess.Popen(["nginx", "-p", run_dir, "-c", str(conf), "-g", "daemon off;"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--first-backend-port", type=int, default=8101)
    args = parser.parse_args()
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} must be set: processes share the database and Redis")
    env = {**os.environ, "PAPO_TRUSTED_PROXIES": os.environ.get("PAPO_TRUSTED_PROXIES",
                                                                "127.0.0.1")}
    backend = ROOT / "backend"
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=backend, env=env, check=True)
    static = env.get("STATIC_ROOT", str(ROOT / "var" / "static"))
    ports = [args.first_backend_port + i for i in range(args.processes)]
    procs = [subprocess.Popen([sys.executable, "-m", "papo.serve", "--port", str(p)],
                              cwd=backend, env=env) for p in ports]
    run_dir = tempfile.mkdtemp(prefix="papo-nginx-")
    nginx = start_nginx(render(args.port, [f"127.0.0.1:{p}" for p in ports], static, run_dir),
                        run_dir)
    print(f"Papo on http://127.0.0.1:{args.port} ({args.processes} daphne processes: {ports})")
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        for proc in [nginx, *procs]:
            proc.terminate()


if __name__ == "__main__":
    main()
