"""Log formats: plain text (the default) or one JSON object per line (KB_LOG_FORMAT=json), both
with the request id of the request a line was written in."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from web.core.request_id import RequestIdFilter

# Fields a record may carry through `extra=` that belong in the JSON line.
EXTRA_FIELDS = ("method", "path", "status", "duration_ms")


class JsonLogFormatter(logging.Formatter):
    """Formats a record as one line of JSON: time, level, logger, message, request id (and the
    request line's method, path, status and duration, the exception's traceback if any)."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a single-line JSON object."""
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        line.update({k: getattr(record, k) for k in EXTRA_FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(log_format: str) -> dict[str, Any]:
    """Return the logging dictConfig for uvicorn and the app in this format ("plain" or
    "json"): uvicorn's own loggers and kb.* write through one handler that knows request ids."""
    formatter: dict[str, Any] = (
        {"()": "web.core.json_logs.JsonLogFormatter"} if log_format == "json" else {"format": PLAIN}
    )
    handler = ["default"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": handler, "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": handler, "level": "INFO", "propagate": False},
            "kb": {"handlers": handler, "level": "INFO", "propagate": False},
        },
    }
