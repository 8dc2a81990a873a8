"""Filters for the logging configuration (``settings.LOGGING``)."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Keep the one-line warning Django's ``django.request`` logger writes for a 403 or 404
    page, without the traceback of the ``PermissionDenied`` or ``Http404`` behind it.

    A refusal is the policy doing its job (``core.policy``), not a fault: its traceback, through
    the middleware stack, made every refused page a screenful of production log, and formatting
    it was about a tenth of the permission matrix's time (tests/foundation/test_permission_matrix.py
    alone: 55.4 s -> 51.9 s; two thirds of its requests are refused). Errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404):
            record.exc_info = None
            record.exc_text = None
        return True
