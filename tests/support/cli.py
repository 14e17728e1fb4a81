"""Run the real `fairscreen` command in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(
    data_dir: Path, *args: str, db_url: str | None = None, base_url: str = "http://cli.test"
) -> subprocess.CompletedProcess[str]:
    env = {
        "FAIRSCREEN_DATA_DIR": str(data_dir),
        "PATH": "/usr/bin:/bin",
        "FAIRSCREEN_BASE_URL": base_url,
        "FAIRSCREEN_DEMO_AUDIT_CASES": "12",
    }
    if db_url:
        env["FAIRSCREEN_DATABASE_URL"] = db_url
    return subprocess.run(
        [sys.executable, "-m", "fairscreen.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir.parent,
        timeout=300,
    )
