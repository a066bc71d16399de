"""A census import: a CSV file accepted whole or rejected whole, then received row by row.

Staging reads the file (`census.read`). A file with any rejected row is recorded as
`ImportRejected`, with every row's reason, and imports nothing. A good file is
recorded as `ImportStarted` plus its rows (in chunks), and the service then receives
each row as its own idempotent command (so a restart resumes without doubling) and
records `ImportCompleted`. The same file staged again under the same id changes
nothing; another file under a used id is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import partial
from typing import Annotated, Literal

from pydantic import Field

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, NotFound
from shared.ids import Slug
from shared.streams import stream_id as _stream_id

from .census import Catalogue, CensusRow, RejectedRow, read

CHUNK = 1000
MAX_CSV_CHARS = 20_000_000


class StageImport(Command):
    import_id: Slug
    csv: Annotated[str, Field(max_length=MAX_CSV_CHARS)]


class FinishImport(Command):
    """Internal: every row was tried; `failed` are rows refused when received."""

    import_id: Slug
    imported: int
    failed: tuple[RejectedRow, ...] = ()


ImportCommand = StageImport | FinishImport


class ImportRejected(Event):
    """A census CSV was rejected whole: nothing was imported, and every bad row has its reason."""

    meaning_zh = "库存普查文件整体退回：未导入任何数据，并列出每个错误行的原因。"

    import_id: str
    digest: str
    total_rows: int
    rejected: list[RejectedRow]


class ImportStarted(Event):
    """A census CSV was accepted whole; its rows are received one by one."""

    meaning_zh = "库存普查文件整体受理，逐行入库。"

    import_id: str
    digest: str
    total_rows: int


class ImportRowsStaged(Event):
    """A chunk of an accepted census's rows was staged, to be received row by row."""

    meaning_zh = "已受理普查文件的一批数据行暂存，待逐行入库。"

    import_id: str
    rows: list[CensusRow]


class ImportCompleted(Event):
    """A census import finished: how many rows were received, and which failed."""

    meaning_zh = "库存普查导入完成：成功入库的行数及失败的行。"

    import_id: str
    imported: int
    failed: list[RejectedRow]


@dataclass(frozen=True)
class Import:
    status: Literal["none", "rejected", "running", "completed"] = "none"
    digest: str = ""
    total_rows: int = 0
    rows: tuple[CensusRow, ...] = ()
    rejected: tuple[RejectedRow, ...] = ()


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def decide(command: ImportCommand, state: Import, catalogue: Catalogue | None) -> list[Event]:
    if isinstance(command, FinishImport):
        if state.status != "running":
            return []
        return [ImportCompleted(import_id=command.import_id, imported=command.imported,
                                failed=list(command.failed))]
    digest = digest_of(command.csv)
    if state.status != "none":
        if state.digest == digest:
            return []
        raise Conflict(f"import {command.import_id} already holds another file ({state.status}); "
                       "use a new import id", field="import_id", code="import_exists")
    if catalogue is None:
        raise NotFound("staging an import needs the catalogue", field="import_id")
    census = read(command.csv, catalogue)
    if census.rejected:
        return [ImportRejected(import_id=command.import_id, digest=digest, total_rows=census.total_rows,
                               rejected=list(census.rejected))]
    chunks = [census.rows[start:start + CHUNK] for start in range(0, len(census.rows), CHUNK)]
    return [ImportStarted(import_id=command.import_id, digest=digest, total_rows=census.total_rows),
            *(ImportRowsStaged(import_id=command.import_id, rows=list(chunk)) for chunk in chunks)]


def evolve(state: Import, event: Event) -> Import:
    if isinstance(event, ImportRejected):
        return Import("rejected", event.digest, event.total_rows, rejected=tuple(event.rejected))
    if isinstance(event, ImportStarted):
        return Import("running", event.digest, event.total_rows)
    if isinstance(event, ImportRowsStaged):
        return replace(state, rows=state.rows + tuple(event.rows))
    if isinstance(event, ImportCompleted):
        return replace(state, status="completed", rejected=tuple(event.failed))
    return state


def stream_id(import_id: str) -> str:
    return _stream_id("import", import_id)


def row_command_id(import_id: str, line: int) -> str:
    """The command id of one row: the same on every attempt, so a row is received once."""
    return f"inventory:import:{import_id}:line:{line}"


imports = Decider[ImportCommand, Import](
    lambda command, state: decide(command, state, None), evolve, Import(),
    (ImportRejected, ImportStarted, ImportRowsStaged, ImportCompleted),
)


def decider(catalogue: Catalogue) -> Decider[ImportCommand, Import]:
    return replace(imports, decide=partial(decide, catalogue=catalogue))
