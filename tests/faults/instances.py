"""Private PostgreSQL and Redis instances for the fault tests, on their own ports under /tmp.

The fault tests stop, kill and restart these; they never touch the machine's shared 5432 and 6379.
.ci/run brings them up before pytest (pytest-django reads DATABASE_URL when it starts) and down after:

    eval "$(python tests/faults/instances.py up)"    # prints the DATABASE_URL and REDIS_URL to export
    python tests/faults/instances.py down
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "5440"))
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6390"))
ROOT = Path(os.environ.get("FAULTS_DIR", "/tmp/ipcity-faults"))
PG_DATA = ROOT / "pg"
REDIS_DIR = ROOT / "redis"
DATABASE_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/ipcity"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"no {name} under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not happen within {seconds} s")


# --- PostgreSQL ------------------------------------------------------------------------------------------


def pg_init():
    if (PG_DATA / "PG_VERSION").exists():
        return
    PG_DATA.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(ROOT, "postgres")
        shutil.chown(PG_DATA, "postgres")
    subprocess.run(
        _as_postgres([_pg_bin("initdb"), "-D", str(PG_DATA), "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with open(PG_DATA / "postgresql.conf", "a") as conf:
        conf.write(
            f"\nport = {PG_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{PG_DATA}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 60\n"
        )


def pg_start():
    pg_init()
    subprocess.run(
        _as_postgres([_pg_bin("pg_ctl"), "-D", str(PG_DATA), "-l", str(PG_DATA / "server.log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _wait(lambda: _listening(PG_PORT), 20, "PostgreSQL listening")
    subprocess.run(  # the database DATABASE_URL names (pytest-django creates test_ipcity beside it)
        [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "ipcity"],
        check=False,
        capture_output=True,
    )


def pg_stop(mode: str = "fast"):
    if (PG_DATA / "postmaster.pid").exists():
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(PG_DATA), "-m", mode, "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )
    _wait(lambda: not _listening(PG_PORT), 20, "PostgreSQL stopped")


# --- Redis -----------------------------------------------------------------------------------------------


def redis_start():
    """A broker that keeps nothing on disk: a stop loses every queued message, the worst case."""
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize", "yes",
            "--bind", "127.0.0.1",
            "--port", str(REDIS_PORT),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(REDIS_DIR),
            "--pidfile", str(REDIS_DIR / "redis.pid"),
            "--logfile", str(REDIS_DIR / "redis.log"),
        ],
        check=True,
    )  # fmt: skip
    _wait(lambda: _listening(REDIS_PORT), 10, "Redis listening")


def redis_stop():
    subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], check=False, capture_output=True)
    _wait(lambda: not _listening(REDIS_PORT), 10, "Redis stopped")


def up():
    for port in (PG_PORT, REDIS_PORT):
        if _listening(port):
            raise RuntimeError(f"port {port} is taken: the fault tests need it for their private instance")
    pg_start()
    redis_start()
    print(f"export DATABASE_URL={DATABASE_URL} REDIS_URL={REDIS_URL} FAULTS_INSTANCES=1")


def down():
    redis_stop()
    pg_stop("immediate")
    shutil.rmtree(ROOT, ignore_errors=True)


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1]]()
