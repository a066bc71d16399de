"""Service logs: a client's mistake is one line with its code; a real fault keeps its traceback."""

from __future__ import annotations

import logging
import sys
from types import SimpleNamespace

from shared.errors import Conflict
from shared.runner import ExpectedErrorsOnOneLine


def nameko_record(error: Exception) -> logging.LogRecord:
    """What nameko's container logs when a worker raises `error`."""
    try:
        raise error
    except Exception:
        exc_info = sys.exc_info()
    worker_ctx = SimpleNamespace(entrypoint=SimpleNamespace(method_name="record_movement"))
    return logging.LogRecord("nameko.containers", logging.WARNING, __file__, 1,
                             "(expected) error handling worker %s: %s", (worker_ctx, error), exc_info)


def test_an_expected_error_is_logged_as_one_line_with_its_code() -> None:
    record = nameko_record(Conflict("only 8 on hand", field="quantity", code="insufficient_stock"))
    assert ExpectedErrorsOnOneLine().filter(record)
    assert record.exc_info is None and record.levelname == "INFO"
    assert record.getMessage() == "record_movement answered insufficient_stock: quantity: only 8 on hand"


def test_a_real_fault_keeps_its_traceback() -> None:
    record = nameko_record(KeyError("boom"))
    assert ExpectedErrorsOnOneLine().filter(record)
    assert record.exc_info is not None and record.levelname == "WARNING"
