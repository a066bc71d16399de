"""District-wide views (totals, shortages, expiring lots, overdue inspections, what can be on site
within N hours, stock as of a moment) and the CSV paths (census import, stock export)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.decider import parse
from shared.errors import InvalidCommand
from shared.ids import Slug
from shared.nameko_kit import Json, command_context, rpc
from shared.paging import list_page
from shared.timestamps import Timestamp

from .. import import_flow, queries
from ..domain.census import summary
from ..domain.imports import MAX_CSV_CHARS, Import, StageImport, digest_of
from ..projections.keys import IMPORTS, SHORTAGES, TOTALS
from .base import InventoryRpc


class ImportRequest(BaseModel):
    """A census file: its CSV text, and optionally an id and the moment it describes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    csv: Annotated[str, Field(max_length=MAX_CSV_CHARS)]
    import_id: Slug | None = None
    occurred_at: Timestamp | None = None


class DistrictRpc(InventoryRpc):
    @rpc
    def district_stock(self, query: Json | None = None) -> Json:
        """Per item: on hand, reserved, available and in transit over every warehouse (paged)."""
        return list_page(self.views, TOTALS, "", query)

    @rpc
    def get_item_stock(self, item_id: str) -> Json:
        """One item's district total with each warehouse's share (`by_warehouse`)."""
        return queries.item_total(self.views, item_id)

    @rpc
    def list_shortages(self, query: Json | None = None) -> Json:
        """Lines whose available stock is below their minimum level (储备定额)."""
        return list_page(self.views, SHORTAGES, "", query)

    @rpc
    def expiring_lots(self, query: Json | None = None) -> Json:
        """Lots expiring within `within_days` (default 30) of `as_of` (default now), expired first."""
        return queries.expiring(self.views, query)

    @rpc
    def overdue_inspections(self, query: Json | None = None) -> Json:
        """Equipment lines whose inspection was due before `as_of` (default today)."""
        return queries.overdue_inspections(self.views, query)

    @rpc
    def on_site_within(self, query: Json | None = None) -> Json:
        """What can be on site within `within_hours`: warehouse stock plus callable agreement stock."""
        return queries.on_site_within(self.views, query)

    @rpc
    def district_stock_as_of(self, query: Json | None = None) -> Json:
        """Every warehouse's stock at `at` (on `clock`), summed per item."""
        return queries.district_as_of(self.views, query)

    @rpc
    def export_stock(self, query: Json | None = None) -> Json:
        """Current stock as CSV: `{"filename", "csv", "rows"}`."""
        parse(queries.ExportQuery, query or {})
        return queries.export_csv(self.views)

    @rpc
    def import_stock(self, payload: Json, meta: Json | None = None) -> Json:
        """Stage a census CSV for import; its rows are received in the background.

        A file with any bad row imports nothing: the answer is `InvalidCommand` with code
        `import_rejected` naming the first reasons, and `get_import` lists them all. The import
        id defaults to a digest of the file, so posting the same file again changes nothing.
        """
        request = parse(ImportRequest, payload)
        import_id = request.import_id or f"census-{digest_of(request.csv)[:16]}"
        command = StageImport(import_id=import_id, csv=request.csv)
        outcome = import_flow.stage(self.es, command, command_context(meta, request.occurred_at))
        return _staged(outcome.state, import_id)

    @rpc
    def get_import(self, import_id: str) -> Json:
        """An import's status and progress: `imported` of `total_rows`, and rejected or failed rows."""
        return self.views.require(IMPORTS, import_id, f"no import {import_id}", "import_id")


def _staged(state: Import, import_id: str) -> Json:
    """The import as staged; a rejected file is an error that names the first rejected rows."""
    if state.status == "rejected":
        raise InvalidCommand(summary(state.rejected, state.total_rows), field="csv", code="import_rejected")
    return {"import_id": import_id, "status": state.status, "total_rows": state.total_rows}
