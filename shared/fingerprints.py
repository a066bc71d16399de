"""Digests of code, so caches derived from it (snapshots, read models) know when it changed."""

from __future__ import annotations

import hashlib
import inspect
import sys
from typing import Any


def source_digest(code_object: Any) -> str:
    """A digest of the module that defines `code_object` (a function or class), or of its
    bytecode when the source is not available."""
    module = sys.modules.get(code_object.__module__)
    try:
        text = inspect.getsource(module) if module is not None else ""
    except (OSError, TypeError):
        text = ""
    if not text:
        code = getattr(code_object, "__code__", None)
        text = repr((code.co_code, code.co_consts)) if code is not None else code_object.__qualname__
    return hashlib.sha256(text.encode()).hexdigest()
