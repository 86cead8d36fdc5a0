"""Structured JSON logging (structlog).

Everything the process logs is one JSON object per line: structlog events (the access log,
``talentbase.api.middleware``) and standard-library records (uvicorn, alembic) alike, each with
``timestamp``, ``level`` and ``event``.

Personal data never reaches a log line: the access log names the route template, never the raw
path or query string, and never a body; SQL parameters are hidden by the engine
(``hide_parameters``). Exceptions are logged as their types and stack frames only, without
their messages: a message can quote stored values (PostgreSQL's ``DETAIL: Key (email)=(...)``,
a validation error's input), and the request id ties the line to the request for debugging.
"""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger


def configure_logging(level: str = "info", stream: TextIO | None = None) -> None:
    """JSON lines on ``stream`` (stdout by default) for structlog and the standard library.

    ``level`` applies to talentbase's own events; other libraries' records go through at INFO
    or above only, whatever ``level``: their debug output quotes statement parameters
    (aiosqlite logs each call with its arguments). Safe to call again (the last call wins):
    loggers are not cached, which costs microseconds a line and lets a test point every logger
    at a new stream.
    """
    output = stream or sys.stdout
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    common: list[Processor] = [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        exception_without_message,
    ]
    handler = _JsonLinesHandler(output)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *common],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _JsonLinesHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(max(numeric, logging.INFO))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            *common,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(output),
        cache_logger_on_first_use=False,
    )


class _JsonLinesHandler(logging.StreamHandler[TextIO]):
    """The root handler ``configure_logging`` installs (and replaces when called again)."""


def exception_without_message(
    _logger: WrappedLogger, _method: str, event_dict: EventDict
) -> EventDict:
    """Replaces ``exc_info`` by ``exception``: the exception's type, its stack frames
    (``file:line in function``) and the same for its cause or context, never a message."""
    exc_info = event_dict.pop("exc_info", None)
    error = _exception_of(exc_info)
    if error is not None:
        event_dict["exception"] = describe_exception(error)
    return event_dict


def describe_exception(error: BaseException, _seen: frozenset[int] = frozenset()) -> dict[str, Any]:
    """``{"type", "frames", "cause"?}`` for ``error``: no message, no argument, no local."""
    frames = []
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append(f"{code.co_filename}:{tb.tb_lineno} in {code.co_name}")
        tb = tb.tb_next
    kind = type(error)
    described: dict[str, Any] = {"type": f"{kind.__module__}.{kind.__qualname__}", "frames": frames}
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    seen = _seen | {id(error)}
    if cause is not None and id(cause) not in seen:
        described["cause"] = describe_exception(cause, seen)
    return described


def _exception_of(exc_info: Any) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info[1] if isinstance(exc_info[1], BaseException) else None
    if exc_info:
        return sys.exc_info()[1]
    return None
