"""Serve ipcity through gunicorn, with the nightly work scheduled in the same process when there is no broker.

`./bin/start` ends here. gunicorn runs as a child process, so the schedule thread below lives in a process
that never forks. ALLOWED_HOSTS follows the address served: a specific address allows itself, 0.0.0.0
allows this machine's names and addresses (printed at start). DEBUG=1 serves with Django's development
server instead, for a developer who wants tracebacks and auto-reload.

With REDIS_URL set, Celery beat and a worker do the nightly work (`bin/serve-production`); without it
there is no beat, so this command runs the same beat schedule from a thread and it is never silently absent.
"""

import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipcity.celery import app
from ops.deployment import deployment_warnings

logger = logging.getLogger(__name__)


def _seconds_until(hour: int, minute: int) -> float:
    now = timezone.localtime()
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += dt.timedelta(days=1)
    return (target - now).total_seconds()


def run_schedule_once() -> list[str]:
    """Every beat entry once, as at start (catching up a night the machine was off); returns the failures."""
    app.loader.import_default_modules()  # registers every app's tasks, as a worker does at start
    return [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if not _run(entry)]


def _run_schedule_forever():
    run_schedule_once()
    entries = list(settings.CELERY_BEAT_SCHEDULE.values())
    while True:
        waits = [(_seconds_until(min(e["schedule"].hour), min(e["schedule"].minute)), e) for e in entries]
        seconds, entry = min(waits, key=lambda w: w[0])
        time.sleep(seconds)
        _run(entry)


def _run(entry) -> bool:
    try:
        app.tasks[entry["task"]].delay()
    except Exception:
        logger.exception("scheduled task %s failed", entry["task"])
        return False
    return True


ANY_ADDRESS = ("0.0.0.0", "::", "")


def parse_addrport(addrport: str) -> tuple[str, int]:
    """'8000', '0.0.0.0:8000', '10.1.2.3:8000' or '[::]:8000' → (host, port); a bad one raises CommandError."""
    host, _, port = addrport.rpartition(":")
    host = host.strip("[]") if host else "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"serve: {addrport!r} is not host:port (e.g. 127.0.0.1:8000 or 0.0.0.0:8000)")
    return host, int(port)


def served_hosts(host: str) -> list[str]:
    """The Host headers a browser may send to reach this address; 0.0.0.0 means every name of the machine."""
    if host not in ANY_ADDRESS:
        return [host]
    names = {"127.0.0.1", "localhost", socket.gethostname(), socket.getfqdn()}
    try:
        names.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None))
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing; it picks the outgoing interface
            names.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(n for n in names if n)


class Command(BaseCommand):
    help = (
        "Serve ipcity through gunicorn (DEBUG=1: the development server); without REDIS_URL also the nightly schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default=os.environ.get("ADDR", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "3")),
            help="gunicorn worker processes (default WEB_CONCURRENCY or 3)",
        )

    def handle(self, *args, addrport, workers, **options):
        host, port = parse_addrport(addrport)
        hosts = list(dict.fromkeys([*settings.ALLOWED_HOSTS, *served_hosts(host)]))
        for warning in deployment_warnings():
            logger.warning(warning)
            self.stderr.write(f"警告: {warning}")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            threading.Thread(target=_run_schedule_forever, name="nightly-schedule", daemon=True).start()
            self.stdout.write(
                "Nightly schedule running in-process (no REDIS_URL): " + ", ".join(settings.CELERY_BEAT_SCHEDULE)
            )
        else:
            self.stdout.write("REDIS_URL set: run `celery -A ipcity worker` and `celery -A ipcity beat`.")
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.stdout.write(f"Serving {settings.SITE_URL} on {bind}; ALLOWED_HOSTS = {', '.join(hosts)}")
        if settings.DEBUG:
            self.stdout.write("DEBUG=1: Django's development server (tracebacks shown to every visitor).")
            os.environ["ALLOWED_HOSTS"] = ",".join(hosts)
            settings.ALLOWED_HOSTS = hosts
            call_command("runserver", bind, use_reloader=False)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        sys.exit(self._gunicorn(bind, hosts, workers))

    def _gunicorn(self, bind: str, hosts: list[str], workers: int) -> int:
        """Run gunicorn as a child and pass it TERM/INT/HUP, so stopping `serve` stops the server."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "ipcity.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--timeout",
            os.environ.get("GUNICORN_TIMEOUT", "120"),
            "--access-logfile",
            "-",
            "--no-control-socket",  # gunicorn 27's default socket is per user: two instances would share it
            "--chdir",
            str(settings.BASE_DIR),
        ]
        child = subprocess.Popen(command, env={**os.environ, "ALLOWED_HOSTS": ",".join(hosts)})
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda received, frame: child.send_signal(received))
        return child.wait()
