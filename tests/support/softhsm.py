"""A SoftHSM2 token of its own for a test (Debian's softhsm2 package)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "1234"


def available() -> bool:
    return Path(MODULE).exists() and shutil.which("softhsm2-util") is not None


def make_token(folder: Path, label: str = "fairscreen") -> None:
    """Create a token in `folder` and point SOFTHSM2_CONF at its config."""
    tokens = folder / "tokens"
    tokens.mkdir(parents=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            PIN,
            "--so-pin",
            "5678",
        ],
        check=True,
        capture_output=True,
    )
