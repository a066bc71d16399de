"""Inventory command handlers: gather the facts a decision needs, then load → decide → append.

A stock decision knows more than its own stream: whether the warehouse is open, what
the item is, when the command happened (lots expire against that moment). The
handler reads those facts from their own streams and hands them to the pure decider.
"""

from __future__ import annotations

from shared.application import Application, CommandContext, Outcome
from shared.errors import NotFound

from .domain import agreements, items, stock, stock_rules, transfers, warehouses
from .domain.agreements import Agreement, AgreementCommand, AgreementFacts, RegisterAgreement
from .domain.items import Item, RegisterItem
from .domain.stock import Stock
from .domain.stock_commands import DispatchTransfer, Recorded, ReverseMovement, StockCommand, StockFacts
from .domain.warehouses import Warehouse, WarehouseCommand


def register_item(app: Application, command: RegisterItem, context: CommandContext) -> Outcome[Item]:
    return app.execute(items.stream_id(command.item_id), items.items, command, context)


def change_warehouse(
    app: Application, command: WarehouseCommand, context: CommandContext
) -> Outcome[Warehouse]:
    stream = warehouses.stream_id(command.warehouse_id)
    return app.execute(stream, warehouses.warehouses, command, context)


def change_stock(app: Application, command: StockCommand, context: CommandContext) -> Outcome[Stock]:
    """Any command on one stock line (receipt, issue, reservation, count, transfer step…)."""
    stream = stock.stream_id(command.warehouse_id, command.item_id)
    facts = stock_facts(app, command, context)
    return app.execute(stream, stock_rules.decider(facts), command, context)


def stock_facts(app: Application, command: StockCommand, context: CommandContext) -> StockFacts:
    destination, transfer_taken, reversing = None, False, None
    if isinstance(command, DispatchTransfer):
        destination = load_warehouse(app, command.to_warehouse_id)
        transfer_taken = app.store.stream_version(transfers.stream_id(command.transfer_id)) > 0
    if isinstance(command, ReverseMovement):
        reversing = _recorded(app, stock.stream_id(command.warehouse_id, command.item_id), command.version)
    return StockFacts(as_of=context.occurred_at, warehouse=load_warehouse(app, command.warehouse_id),
                      item=app.load(items.stream_id(command.item_id), items.items)[0],
                      destination=destination, transfer_taken=transfer_taken, reversing=reversing)


def load_warehouse(app: Application, warehouse_id: str) -> Warehouse:
    return app.load(warehouses.stream_id(warehouse_id), warehouses.warehouses)[0]


def _recorded(app: Application, stream_id: str, version: int) -> Recorded | None:
    found = app.store.read_stream(stream_id, from_version=version)[:1]
    if not found:
        return None
    event = app.upcasters.upcast(found[0])
    return Recorded(version, stock_rules.stock.event_from(event.type, event.data))


def change_agreement(
    app: Application, command: AgreementCommand, context: CommandContext
) -> Outcome[Agreement]:
    catalogue: frozenset[str] = frozenset()
    if isinstance(command, RegisterAgreement):
        catalogue = frozenset(line.item_id for line in command.lines
                              if app.store.stream_version(items.stream_id(line.item_id)) > 0)
    facts = AgreementFacts(as_of=context.occurred_at, catalogue=catalogue)
    stream = agreements.stream_id(command.agreement_id)
    return app.execute(stream, agreements.decider(facts), command, context)


def require_item(app: Application, item_id: str) -> None:
    if app.store.stream_version(items.stream_id(item_id)) == 0:
        raise NotFound(f"no item {item_id} in the catalogue", field="item_id")
