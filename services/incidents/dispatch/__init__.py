"""The incidents service's process managers: carrying out approved requests, and undoing them."""

from __future__ import annotations

from .flow import Dispatch
from .undo import Undo

REACTIONS = (Dispatch(), Undo())
