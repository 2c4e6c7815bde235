"""Logging that survives an outage: the same error repeated is written once, then once more with a count.

When PostgreSQL or Redis stops, every request and every task fails the same way; writing each traceback
filled 35 MB in 11 s. RepeatFilter lets the first record of a kind through, swallows its repeats for
WINDOW seconds, and lets the next one after that through with "(repeated N times in the last S s)".
"""

import logging
import threading
import time

WINDOW = 60.0


class RepeatFilter(logging.Filter):
    """Records are the same kind when they share logger, level, message template and exception type."""

    def __init__(self, name: str = "", window: float = WINDOW):
        super().__init__(name)
        self.window = window
        self._seen: dict[tuple, list] = {}  # key -> [first shown at, repeats swallowed since]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (record.name, record.levelno, str(record.msg), exc_type)
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen[0] < self.window:
                seen[1] += 1
                return False
            repeats = seen[1] if seen else 0
            self._seen[key] = [now, 0]
            if len(self._seen) > 1000:  # forget the oldest kinds; a log is not a memory leak
                for old in sorted(self._seen, key=lambda k: self._seen[k][0])[:500]:
                    del self._seen[old]
        if repeats:
            record.msg = f"{record.msg} (repeated {repeats} times in the last {self.window:.0f} s)"
        return True
