"""Structured logging (JSON lines on stderr) for the big-data centre's operations."""

from __future__ import annotations

import logging
import sys

import structlog

from .core.settings import settings

_configured = False


def configure_logging() -> None:
    global _configured
    if _configured:
        return
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False) if settings().log_json \
        else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            renderer,
        ],
        # sys.stderr looked up at each use, not bound once: a replaced stream (a test's capture, a daemon's
        # redirection) is never written after it was closed
        logger_factory=lambda *_args: structlog.PrintLogger(file=sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    )
    _configured = True
