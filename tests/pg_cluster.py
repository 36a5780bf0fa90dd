"""A throwaway PostgreSQL cluster for tests, from the Debian `postgresql` package's binaries.

The PostgreSQL backend is tested against a real server, not a mock: one cluster in a temporary
directory, listening only on 127.0.0.1 on a free port (its unix socket inside that directory, so it
never meets a system cluster), trust authentication, and fsync off because the data is thrown away.
initdb and pg_ctl refuse to run as root; as root (CI, this machine) they run as the `postgres`
system user that the Debian package creates, and the temporary directory is handed to that user.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql

DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
MISSING_MESSAGE = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH nor in "
    f"{DEBIAN_BIN_GLOB}: install Debian's `postgresql` package (apt-get install postgresql)"
)
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",  # the cluster is thrown away: durability only costs time
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}
_PORT_IN_USE = re.compile(r"could not bind|address already in use", re.IGNORECASE)


def find_pg_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: PATH first, else the newest /usr/lib/postgresql/N/bin.

    Debian puts the server binaries outside PATH (only wrappers such as pg_ctlcluster are in /usr/bin).
    """
    initdb = shutil.which("initdb")
    if initdb:
        bin_dir = Path(initdb).resolve().parent
        if (bin_dir / "pg_ctl").exists():
            return bin_dir
    candidates = [Path(p) for p in glob.glob(DEBIAN_BIN_GLOB)]
    candidates.sort(key=lambda p: _version_key(p.parent.name), reverse=True)
    for bin_dir in candidates:
        if (bin_dir / "initdb").exists() and (bin_dir / "pg_ctl").exists():
            return bin_dir
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def _free_port() -> int:
    """A port free on 127.0.0.1 right now (the server may still lose the race: start() retries)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgClusterError(RuntimeError):
    """The cluster could not be set up, started or stopped; the message carries the server's words."""


class PgCluster:
    """One PostgreSQL cluster in a temporary directory; `with PgCluster() as cluster:` starts and removes it.

    Connect as the superuser `postgres` without a password: `cluster.url(dbname)`.
    """

    def __init__(self, bin_dir: Path | None = None, *, locale: str = "C", start_timeout: float = 60.0):
        """`locale` C by default: text sorts by code point, as SQLite's default BINARY collation does."""
        found = bin_dir or find_pg_bin()
        if found is None:
            raise PgClusterError(MISSING_MESSAGE)
        self.bin_dir = Path(found)
        self.locale = locale
        self.start_timeout = start_timeout
        self.host = "127.0.0.1"
        self.port = 0
        self.base_dir: Path | None = None
        self._run_as: dict[str, Any] = {}
        self._running = False

    # paths inside the temporary directory
    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base() / "sock"

    @property
    def log_path(self) -> Path:
        return self._base() / "server.log"

    def _base(self) -> Path:
        if self.base_dir is None:
            raise PgClusterError("the cluster has not been started")
        return self.base_dir

    def __enter__(self) -> PgCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """initdb into a fresh temporary directory, configure, and start on a free port."""
        if self.base_dir is not None:
            raise PgClusterError("this PgCluster was already started; make a new one")
        self._run_as = self._drop_root()
        # Short prefix: the socket path (<dir>/sock/.s.PGSQL.<port>) must fit in 107 bytes.
        self.base_dir = Path(tempfile.mkdtemp(prefix="pgtest-"))
        atexit.register(self.stop)
        try:
            self.socket_dir.mkdir()
            if self._run_as:
                for path in (self.base_dir, self.socket_dir):
                    os.chown(path, self._run_as["user"], self._run_as["group"])
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                f"--locale={self.locale}", "--no-sync", "--no-instructions",
            )  # fmt: skip
            self._configure()
            self._start_server()
        except BaseException:
            self.stop()
            raise

    def _drop_root(self) -> dict[str, Any]:
        """Popen keywords that run the server tools as `postgres` when we are root (initdb refuses root)."""
        if os.geteuid() != 0:
            return {}
        try:
            entry = pwd.getpwnam("postgres")
        except KeyError:
            raise PgClusterError(
                "running as root, and initdb refuses root, but there is no `postgres` system user to run it "
                "as (Debian's postgresql package creates one): install the package or run the tests as a "
                "normal user"
            ) from None
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _configure(self) -> None:
        settings = {**SERVER_SETTINGS, "unix_socket_directories": f"'{self.socket_dir}'"}
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/pg_cluster.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        # Only the unix socket and 127.0.0.1, both without a password.
        (self.data_dir / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n", encoding="utf-8"
        )

    def _start_server(self, attempts: int = 5) -> None:
        """pg_ctl start on a free port; another process can take the port between the probe and the bind."""
        for attempt in range(attempts):
            self.port = _free_port()
            try:
                self._run(
                    "pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_path), "-w",
                    "-t", str(int(self.start_timeout)), "-o", f"-p {self.port}",
                )  # fmt: skip
            except PgClusterError:
                if attempt + 1 < attempts and _PORT_IN_USE.search(self._log_tail()):
                    continue
                raise
            self._running = True
            return

    def stop(self) -> None:
        """Stop the server at once (-m immediate: nothing to keep) and remove the temporary directory."""
        if self.base_dir is None:
            return
        atexit.unregister(self.stop)
        try:
            if self._running or (self.data_dir / "postmaster.pid").exists():
                self._stop_server()
        finally:
            self._running = False
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None

    def _stop_server(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w", "-t", "30")
        except (PgClusterError, subprocess.TimeoutExpired):
            # pg_ctl could not do it: SIGQUIT is the postmaster's own immediate shutdown.
            pid = self._postmaster_pid()
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGQUIT)
                    deadline = time.monotonic() + 10
                    while time.monotonic() < deadline:
                        os.kill(pid, 0)
                        time.sleep(0.1)
                    os.kill(pid, signal.SIGKILL)

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.data_dir / "postmaster.pid").read_text().splitlines()[0]
            return int(first)
        except (OSError, IndexError, ValueError):
            return None

    def _run(self, tool: str, *args: str) -> None:
        """Run one server tool (as `postgres` when root); a failure raises with its output and the log."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # no PGPORT, PGDATA, ... leaks
        env["LC_ALL"] = "C"
        proc = subprocess.run(
            [str(self.bin_dir / tool), *args],
            cwd=self._base(),  # the postgres user may not be able to enter the caller's directory
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=self.start_timeout + 30,
            check=False,
            **self._run_as,
        )
        if proc.returncode != 0:
            raise PgClusterError(
                f"{tool} {' '.join(args)} failed with exit code {proc.returncode}:\n"
                f"{proc.stdout}{proc.stderr}\n--- server log ---\n{self._log_tail()}"
            )

    def _log_tail(self, limit: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-limit:]
        except OSError:
            return "(no server log)"

    def url(self, dbname: str = "postgres") -> str:
        """libpq URL of one database on this cluster, as the passwordless superuser."""
        if not self._running:
            raise PgClusterError("the cluster is not running")
        return f"postgresql://postgres@{self.host}:{self.port}/{dbname}"

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url("postgres"), autocommit=True)  # CREATE DATABASE needs autocommit

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database even if a test left connections open (WITH (FORCE) ends them)."""
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def terminate_connections(self, dbname: str) -> int:
        """End every other session on `dbname`, as a server restart or a network cut would; returns how many.

        The 5 s timeout makes pg_terminate_backend wait until each backend has exited, so the caller's
        next query on a terminated connection fails deterministically.
        """
        with self._admin() as conn:
            rows = conn.execute(
                "select pg_terminate_backend(pid, 5000) from pg_stat_activity "
                "where datname = %s and pid <> pg_backend_pid()",
                (dbname,),
            ).fetchall()
        return sum(1 for (ended,) in rows if ended)
