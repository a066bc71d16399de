"""Reading a stock census from CSV: every row checked, every rejection with its line and reason.

The file has a header row. Columns `warehouse_id`, `item_id` and `quantity` are
required; `lot`, `expires_on` (YYYY-MM-DD), `produced_on` and `reference` are
optional; any other column rejects the file. A UTF-8 byte-order mark (as
spreadsheet programs write) is ignored. Line numbers count the header as line 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.ids import Name, PositiveCount, Slug

from .lots import LotId, expiry_from, lot_name

REQUIRED = ("warehouse_id", "item_id", "quantity")
OPTIONAL = ("lot", "expires_on", "produced_on", "reference")
MAX_ROWS = 100_000
MAX_REASONS_SHOWN = 20


class CensusRow(BaseModel):
    """One accepted row, ready to be received as an opening figure."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int
    warehouse_id: Slug
    item_id: Slug
    quantity: PositiveCount
    lot: LotId | None = None
    expires_on: date | None = None
    reference: Name | None = None


class RejectedRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int
    field: str
    value: str
    reason: str


@dataclass(frozen=True)
class Catalogue:
    """What the rows may refer to: open warehouses, and items with their shelf life (or None)."""

    open_warehouses: frozenset[str]
    shelf_life: Mapping[str, int | None]


@dataclass(frozen=True)
class Census:
    rows: tuple[CensusRow, ...]
    rejected: tuple[RejectedRow, ...]
    total_rows: int


def read(text: str, catalogue: Catalogue) -> Census:
    """Every row of `text` either accepted or rejected with a reason; the file is good only if
    nothing is rejected."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        return _read(reader, catalogue)
    except csv.Error as error:  # e.g. a cell longer than the csv module allows
        return Census((), (RejectedRow(line=reader.line_num, field="csv", value="",
                                       reason=f"is not readable CSV: {error}"),), 0)


def _read(reader: Any, catalogue: Catalogue) -> Census:
    header = [name.strip() for name in next(reader, [])]
    if problem := _header_problem(header):
        return Census((), (problem,), 0)
    rows: list[CensusRow] = []
    rejected: list[RejectedRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    total = 0
    for line, cells in _data_lines(reader):
        total += 1
        if total > MAX_ROWS:
            return Census((), (RejectedRow(line=line, field="csv", value="",
                                           reason=f"more than {MAX_ROWS} rows: split the file"),), total)
        outcome = _row(line, dict(zip(header, cells, strict=False)), len(cells) - len(header), catalogue)
        if isinstance(outcome, RejectedRow):
            rejected.append(outcome)
            continue
        key = (outcome.warehouse_id, outcome.item_id, lot_name(outcome.lot, outcome.expires_on))
        if (first := seen.setdefault(key, line)) != line:
            rejected.append(RejectedRow(line=line, field="lot", value=outcome.lot or "",
                                        reason=f"repeats line {first} (same warehouse, item and lot)"))
            continue
        rows.append(outcome)
    if total == 0:
        rejected.append(RejectedRow(line=2, field="csv", value="", reason="the file has no rows"))
    return Census(tuple(rows), tuple(rejected), total)


def summary(rejected: tuple[RejectedRow, ...] | list[RejectedRow], total_rows: int) -> str:
    """One message for people: how many rows failed, and the first reasons."""
    shown = "; ".join(f"line {r.line} {r.field} {r.value!r}: {r.reason}"
                      for r in rejected[:MAX_REASONS_SHOWN])
    more = f"; and {len(rejected) - MAX_REASONS_SHOWN} more" if len(rejected) > MAX_REASONS_SHOWN else ""
    return f"{len(rejected)} of {total_rows} rows rejected, nothing was imported: {shown}{more}"


def _header_problem(header: list[str]) -> RejectedRow | None:
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in (*REQUIRED, *OPTIONAL)]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if missing or unknown or repeated:
        reason = "; ".join(part for part in (
            f"missing column(s) {', '.join(missing)}" if missing else "",
            f"unknown column(s) {', '.join(unknown)}" if unknown else "",
            f"repeated column(s) {', '.join(repeated)}" if repeated else "",
        ) if part)
        return RejectedRow(line=1, field="header", value=",".join(header),
                           reason=f"{reason}; expected {', '.join(REQUIRED + OPTIONAL)}")
    return None


def _data_lines(reader: Any) -> Iterator[tuple[int, list[str]]]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield reader.line_num, [cell.strip() for cell in cells]


def _row(line: int, cells: dict[str, str], extra: int, catalogue: Catalogue) -> CensusRow | RejectedRow:
    if extra:
        more_or_fewer = "more" if extra > 0 else "fewer"
        return RejectedRow(line=line, field="csv", value="",
                           reason=f"has {abs(extra)} {more_or_fewer} cells than the header")
    quantity = cells.get("quantity", "")
    if not quantity.isdigit():
        return RejectedRow(line=line, field="quantity", value=quantity, reason="must be a whole number")
    values: dict[str, Any] = {name: cells.get(name) or None for name in REQUIRED + OPTIONAL}
    values |= {"line": line, "quantity": int(quantity)}
    produced_on = values.pop("produced_on")
    try:
        row = CensusRow.model_validate(values)
        produced = date.fromisoformat(produced_on) if produced_on else None
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "csv"
        return RejectedRow(line=line, field=field, value=str(cells.get(field, "")), reason=first["msg"])
    except ValueError:
        return RejectedRow(line=line, field="produced_on", value=str(produced_on),
                           reason="must be a date, YYYY-MM-DD")
    return _referenced(row, produced, catalogue)


def _referenced(row: CensusRow, produced: date | None, catalogue: Catalogue) -> CensusRow | RejectedRow:
    if row.warehouse_id not in catalogue.open_warehouses:
        return RejectedRow(line=row.line, field="warehouse_id", value=row.warehouse_id,
                           reason="no open warehouse with this id")
    if row.item_id not in catalogue.shelf_life:
        return RejectedRow(line=row.line, field="item_id", value=row.item_id,
                           reason="no item with this id in the catalogue")
    shelf_life = catalogue.shelf_life[row.item_id]
    expires_on = row.expires_on or expiry_from(produced, shelf_life)
    if expires_on is None and shelf_life is not None:
        return RejectedRow(line=row.line, field="expires_on", value="",
                           reason=f"{row.item_id} keeps {shelf_life} days: give expires_on or produced_on")
    return row.model_copy(update={"expires_on": expires_on})
