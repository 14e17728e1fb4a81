"""A throwaway PostgreSQL cluster for the test session (initdb + pg_ctl, Unix socket).

PostgreSQL refuses to run as root, and CI runs as root: the cluster then runs as the
`postgres` system user that Debian's package creates, through `runuser`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresCluster:
    """One cluster in a folder of its own, reached only by its Unix socket in that folder.

    `name` (the pytest-xdist worker id in tests) goes into the folder's name; two clusters
    never share a folder, a socket or a database, whatever their ports.
    """

    def __init__(self, name: str = "main") -> None:
        bindir = _bin_dir()
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries not found: apt-get install postgresql")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix=f"fs-pg-{name}-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.sock.mkdir()
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            user = "postgres"
            try:
                pwd.getpwnam(user)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
            shutil.chown(self.root, user)
            shutil.chown(self.sock, user)
            os.chmod(self.root, 0o755)
            self.as_user = ["runuser", "-u", user, "--"]

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def start(self) -> str:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "fairscreen",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        opts = (
            f"-k {self.sock} -p {self.port} -c listen_addresses='' -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._opts = opts
        self._start_server()
        return self.url("postgres")

    def _start_server(self) -> None:
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            self._opts,
            "-w",
            "-l",
            str(self.root / "log"),
            "start",
        )

    def pause(self) -> None:
        """Stop the server as an outage would (fast shutdown: sessions are cut)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server again after `pause`, with the same options (no-op if running)."""
        status = subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        if status.returncode != 0:
            self._start_server()

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://fairscreen@/{db}?host={self.sock}&port={self.port}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            host=str(self.sock),
            port=self.port,
            user="fairscreen",
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )
        except subprocess.CalledProcessError:
            pass
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                return
            except OSError:
                time.sleep(0.1)
