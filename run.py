#!/usr/bin/env python3
"""One-step set-up and launcher for LedgerBridge (needs only Python 3.11+).

    python3 run.py dev      # embedded Redis + lexoffice sandbox + gateway, demo tenant, curl examples
    python3 run.py test     # the whole test suite

On first use it creates `.tools/` (a private venv holding the pinned `uv`), then `uv` builds `.venv/`
exactly from `uv.lock`. Any other command runs `ledgerbridge <command>` (`python3 run.py tenants list`);
`shell` runs a program inside the environment (`python3 run.py shell python -m bench.quota`). Further
arguments are passed on (`python3 run.py test -k pacer`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

UV_VERSION = "0.13.9"
ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"


def _uv() -> Path:
    uv = TOOLS / "bin" / "uv"
    if not uv.exists():
        print(f"run.py: installing uv {UV_VERSION} into {TOOLS} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        subprocess.run(
            [str(TOOLS / "bin" / "python"), "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"], check=True
        )
    return uv


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        sys.exit(__doc__)
    command, rest = argv[0], argv[1:]
    uv = str(_uv())
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(ROOT / ".venv"), UV_PYTHON=sys.executable)
    subprocess.run([uv, "sync", "--frozen", "--quiet"], cwd=ROOT, env=env, check=True)
    if command == "test":
        args = [uv, "run", "--frozen", "--no-sync", "pytest", *rest]
    elif command == "shell":
        args = [uv, "run", "--frozen", "--no-sync", *rest]
    else:
        args = [uv, "run", "--frozen", "--no-sync", "ledgerbridge", command, *rest]
    return subprocess.call(args, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
