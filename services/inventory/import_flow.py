"""Census imports: stage a CSV file whole (or reject it whole), then receive its rows one by one.

Each row is received under a command id derived from the import and the row's line,
so running an import again — after a restart, or on a second replica at the same
time — receives every row exactly once. Progress (`imported` of `total_rows`) shows
in the import's read model while it runs.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from dataclasses import replace

from shared.application import Application, CommandContext, Outcome
from shared.envelope import event_id_for
from shared.errors import AnbeiError, Conflict

from .domain import imports
from .domain.census import Catalogue, RejectedRow
from .domain.imports import FinishImport, Import, StageImport, row_command_id
from .domain.stock_commands import ReceiveCensusRow
from .handlers import change_stock
from .projections.keys import IMPORTS, ITEMS, WAREHOUSES


def stage(app: Application, command: StageImport, context: CommandContext) -> Outcome[Import]:
    app.runner.catch_up()
    with app.views.reading() as views:
        catalogue = Catalogue(
            open_warehouses=frozenset(doc["warehouse_id"] for doc in views.list(WAREHOUSES)
                                      if doc["status"] == "open"),
            shelf_life={doc["item_id"]: doc["shelf_life_days"] for doc in views.list(ITEMS)},
        )
    return app.execute(imports.stream_id(command.import_id), imports.decider(catalogue), command, context)


def running(app: Application) -> list[str]:
    """Ids of imports staged and not yet completed (here or on another replica)."""
    if app.runner.lag():
        app.runner.catch_up()
    with app.views.reading() as views:
        return [doc["import_id"] for doc in views.list(IMPORTS) if doc["status"] == "running"]


def run(app: Application, import_id: str, stop: threading.Event | None = None) -> None:
    """Receive every row not yet received, then record the import as completed (unless
    `stop` is set first: the next run resumes)."""
    stream = imports.stream_id(import_id)
    history = app.store.read_stream(stream)
    state = imports.imports.fold(imports.imports.event_from(e.type, e.data) for e in history)
    if state.status != "running":
        return
    started = history[0]
    context = CommandContext(command_id=f"inventory:import:{import_id}", actor=started.metadata.actor,
                             correlation_id=started.metadata.correlation_id,
                             causation_id=started.metadata.command_id, occurred_at=started.occurred_at)
    imported, failed = 0, []
    for row in state.rows:
        if stop is not None and stop.is_set():
            return
        command_id = row_command_id(import_id, row.line)
        if app.store.get_event(event_id_for(command_id, 0)) is None:
            receipt = ReceiveCensusRow(warehouse_id=row.warehouse_id, item_id=row.item_id,
                                       import_id=import_id, line=row.line, quantity=row.quantity,
                                       lot=row.lot, expires_on=row.expires_on, reference=row.reference)
            try:
                change_stock(app, receipt, replace(context, command_id=command_id))
            except AnbeiError as error:
                failed.append(RejectedRow(line=row.line, field=error.field or "row", value="",
                                          reason=error.message))
                continue
        imported += 1
    finish = FinishImport(import_id=import_id, imported=imported, failed=tuple(failed))
    done = replace(context, command_id=f"{context.command_id}:done")
    with suppress(Conflict):  # another replica finished it first
        app.execute(stream, imports.imports, finish, done)
