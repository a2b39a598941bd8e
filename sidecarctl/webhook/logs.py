"""Structured logs: one JSON object a line on stderr, with the request's fields beside the message."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER_NAME = "sidecarctl.webhook"
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        # fields passed with `extra=` (pod, uid, path, result, ...) become top-level keys
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.levelno >= logging.ERROR:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(entry, default=str)


def setup(level: str = "info", stream: Any = None) -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers.clear()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JSONFormatter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
    # what asyncio and aiohttp report themselves (a transport's fatal error, a malformed request)
    # goes through the same one-line JSON handler, never as a multi-line traceback
    for name in ("asyncio", "aiohttp"):
        other = logging.getLogger(name)
        other.handlers = [handler]
        other.setLevel(max(logging.WARNING, logger.level))
        other.propagate = False
    return logger


def get(name: str = "") -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)


def streams() -> set[int]:
    """The file descriptors the webhook's log handlers write to (kept open in forked workers)."""
    fds: set[int] = set()
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        stream = getattr(handler, "stream", None)
        try:
            fds.add(stream.fileno())  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            pass
    return fds
