"""A local platform's stores, written in-process through each service's handlers, for backup tests.

The stores sit where a local platform keeps them (`$DATA_DIR/<service>-events.db`), signed
with the key file a local platform generates (`$DATA_DIR/secrets/event-hmac-keys`), and the
relay's sealing has run over them, as a running platform would leave them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from services.backup.catalog import STORES, local_paths
from services.gateway.tokens import TokenBook
from services.incidents import handlers as incidents
from services.incidents.domain.lifecycle import ReportIncident
from services.inventory import handlers as inventory
from services.inventory.domain.items import RegisterItem
from services.inventory.domain.stock_commands import ReceiveStock
from services.inventory.domain.warehouses import RegisterWarehouse
from services.teams import handlers as teams
from services.teams.domain.readiness import ReportReadiness
from services.teams.domain.registry import RegisterTeam
from shared.application import Application, CommandContext
from shared.config import load_keyring, load_settings
from shared.decider import parse
from shared.keyring import Keyring
from shared.projections import ProjectionRunner
from shared.sealing import seal_pending
from shared.store.base import EventStore
from shared.store.sqlite import SQLiteEventStore
from shared.views import ViewStore


def local_keyring(data_dir: Path) -> Keyring:
    """The key ring a local platform on `data_dir` signs with (generated on first use)."""
    return load_keyring(load_settings("inventory", {"DATA_DIR": str(data_dir)}))


def application(service: str, store: EventStore, views: ViewStore) -> Application:
    read_models = STORES[service]
    runner = ProjectionRunner(store, views, read_models.projections, read_models.upcasters, name=service)
    return Application(store, runner, read_models.upcasters)


@contextmanager
def service_app(service: str, data_dir: Path, keyring: Keyring) -> Iterator[Application]:
    """The service's Application on its local store and read models, as its process opens them."""
    events, views_path = local_paths(service, data_dir)
    store = SQLiteEventStore(events, keyring=keyring)
    views = ViewStore(views_path, owner=service)
    try:
        yield application(service, store, views)
    finally:
        views.close()
        store.close()


def context(command_id: str | None = None) -> CommandContext:
    """A fresh command, or with `command_id` one that a second run replays instead of repeating."""
    return CommandContext(command_id=command_id or str(uuid.uuid4()), actor="backup-test")


def _inventory(app: Application, receipts: int) -> None:
    inventory.register_item(app, parse(RegisterItem, {
        "item_id": "life-jackets", "name": "life jackets", "name_zh": "救生衣", "unit": "piece",
        "category_code": "2999999"}), context("setup:item"))
    inventory.change_warehouse(app, parse(RegisterWarehouse, {
        "warehouse_id": "jinan-flood-reserve", "name": "District flood reserve", "name_zh": "区防汛仓库",
        "kind": "district", "area_m2": 2000}), context("setup:warehouse"))
    for number in range(receipts):
        inventory.change_stock(app, parse(ReceiveStock, {
            "warehouse_id": "jinan-flood-reserve", "item_id": "life-jackets", "quantity": 10 + number,
            "reference": f"PO {number}"}), context())


def _teams(app: Application, reports: int) -> None:
    teams.register_team(app, parse(RegisterTeam, {
        "team_id": "longma-sanitation", "name": "Longma sanitation rescue team",
        "name_zh": "六安龙马环卫抢险队", "team_type": "enterprise", "members": 18}), context("setup:team"))
    for number in range(reports):
        teams.run_team_command(app, parse(ReportReadiness, {
            "team_id": "longma-sanitation", "status": "ready", "people_available": 10 + number % 8}),
            context())


def _incidents(app: Application, reports: int) -> None:
    for number in range(reports):
        incidents.report_incident(app, parse(ReportIncident, {
            "incident_id": f"pi-river-{uuid.uuid4().hex[:8]}", "title": "Pi river embankment seepage",
            "incident_type": "flood", "category": "natural_disaster", "township": "Dongqiao",
            "reported_by": "duty officer Wang", "affected_people": 300 + number}), context())


def _gateway(app: Application, tokens: int) -> None:
    book = TokenBook(app.store)
    for number in range(tokens):
        book.issue(f"keeper-{number}", "warehouse_keeper", warehouses=["jinan-flood-reserve"], actor="tests")


WRITERS: dict[str, Callable[[Application, int], None]] = {
    "inventory": _inventory, "teams": _teams, "incidents": _incidents, "gateway": _gateway,
}


def write(data_dir: Path, count: int = 5, *, seal: bool = True,
          services: Sequence[str] = tuple(WRITERS)) -> Keyring:
    """Write `count` commands' worth of events into each service's store (or `services`'), and seal."""
    keyring = local_keyring(data_dir)
    for service in services:
        with service_app(service, data_dir, keyring) as app:
            write_into(app, service, count, seal=seal)
    return keyring


def write_into(app: Application, service: str, count: int, *, seal: bool = True) -> None:
    """Run `count` of the service's commands through `app` (on any store), and seal."""
    WRITERS[service](app, count)
    if seal:
        seal_pending(app.store)
