"""The contract check: today's event schemas against the committed snapshots.

A change that could break a consumer fails unless the event's `schema_version` was raised
and an upcaster reads the old shape; safe changes pass and are recorded only by the update
command. The changes are made to copies of real models, never to the models themselves.
"""

from __future__ import annotations

import importlib
import shutil
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import jsonschema
import pytest
from pydantic import create_model

from services.contracts.__main__ import main, render
from services.contracts.catalogue import PUBLISHERS, PublishedEvent, published_events, upcasters_of
from services.contracts.published import asyncapi_document, contract_report
from services.contracts.snapshots import SNAPSHOTS, Snapshots, check, update
from services.inventory.domain.stock import StockIssued, StockReceived
from services.teams.domain.registry import TeamRegistered
from shared.decider import Event
from shared.envelope import EventEnvelope, Metadata
from shared.upcasting import Upcasters
from tests.contract.samples import samples

NO_UPCASTERS: Callable[[str], Upcasters] = lambda service: Upcasters()  # noqa: E731


def copy_of(model: type[Event], *, drop: tuple[str, ...] = (), version: int | None = None,
            **fields: Any) -> type[Event]:
    """A copy of `model` under its own name, without `drop`, with `fields` added or retyped."""
    kept: dict[str, Any] = {name: (info.annotation, info) for name, info in model.model_fields.items()
                            if name not in drop}
    copy: type[Event] = create_model(model.__name__, __base__=Event, __module__=__name__,
                                     __doc__=model.__doc__, **(kept | fields))
    copy.meaning_zh = model.meaning_zh
    copy.schema_version = model.schema_version if version is None else version
    return copy


def published_with(*copies: type[Event]) -> list[PublishedEvent]:
    """Every published event, with each copy standing in for the model of its name."""
    by_name = {copy.__name__: copy for copy in copies}
    return [replace(event, model=by_name.get(event.type, event.model)) for event in published_events()]


def upcasting(type_: str, version: int) -> Callable[[str], Upcasters]:
    """The services' own upcasters, and for inventory one that reads (`type_`, `version`)."""
    inventory = Upcasters()
    inventory.register(type_, version)(lambda data: {key: value for key, value in data.items()
                                                     if key != "reference"})
    return lambda service: inventory if service == "inventory" else upcasters_of(service)


@pytest.fixture
def record(tmp_path: Path) -> Snapshots:
    """A scratch copy of the committed snapshots, for the update command to write in."""
    shutil.copytree(SNAPSHOTS, tmp_path / "snapshots")
    return Snapshots(tmp_path / "snapshots")


def files(snapshots: Snapshots) -> dict[str, bytes]:
    return {str(path.relative_to(snapshots.root)): path.read_bytes()
            for path in snapshots.root.rglob("*.json")}


def test_the_published_events_keep_their_committed_contract() -> None:
    assert contract_report().breaking == []


def test_every_published_shape_is_recorded_in_the_snapshots() -> None:
    assert contract_report().unrecorded == [], "record them: .venv/bin/python -m services.contracts update"


def test_removing_a_field_without_raising_schema_version_fails_the_check() -> None:
    report = check(published_with(copy_of(StockReceived, drop=("reference",))), Snapshots(), upcasters_of)
    assert not report.ok
    assert report.breaking == ["inventory.StockReceived v1: reference: removed (or renamed): consumers "
                               "reading it break — raise schema_version to 2 and register an upcaster "
                               "for (StockReceived, 1)"]


def test_renaming_a_field_fails_the_check() -> None:
    renamed = copy_of(StockReceived, drop=("reference",), ref=(str | None, ...))
    breaking = check(published_with(renamed), Snapshots(), upcasters_of).breaking
    assert [line.split(" — ")[0] for line in breaking] == [
        "inventory.StockReceived v1: ref: a new required field: events recorded before lack it",
        "inventory.StockReceived v1: reference: removed (or renamed): consumers reading it break"]


def test_narrowing_a_type_fails_the_check() -> None:
    narrowed = copy_of(StockReceived, source=(Literal["purchase", "donation"], ...))
    [line] = check(published_with(narrowed), Snapshots(), upcasters_of).breaking
    assert line.startswith('inventory.StockReceived v1: source: narrowed: now also bound by {"enum": ')


def test_a_nullable_field_that_becomes_mandatory_fails_the_check() -> None:
    narrowed = copy_of(StockReceived, reference=(str, ...))
    [line] = check(published_with(narrowed), Snapshots(), upcasters_of).breaking
    assert line.startswith("inventory.StockReceived v1: reference: narrowed from")


def test_a_new_enum_member_fails_the_check_because_consumers_were_never_promised_it() -> None:
    team_type = TeamRegistered.model_fields["team_type"].annotation
    widened = copy_of(TeamRegistered, team_type=(team_type | Literal["volunteer_drone"], ...))
    [line] = check(published_with(widened), Snapshots(), upcasters_of).breaking
    assert "team_type: now allows \"volunteer_drone\"" in line and "(widened)" in line


def test_a_new_required_field_fails_the_check() -> None:
    stricter = copy_of(StockReceived, carrier=(str, ...))
    [line] = check(published_with(stricter), Snapshots(), upcasters_of).breaking
    assert line.startswith("inventory.StockReceived v1: carrier: a new required field")


def test_a_breaking_change_passes_once_schema_version_is_raised_and_an_upcaster_reads_the_old_shape() -> None:
    raised = copy_of(StockReceived, drop=("reference",), version=2)
    report = check(published_with(raised), Snapshots(), upcasting("StockReceived", 1))
    assert report.ok
    assert report.unrecorded == ["inventory.StockReceived v2: a new schema_version (v1 is recorded)"]


def test_raising_schema_version_without_an_upcaster_for_the_old_one_fails_the_check() -> None:
    raised = copy_of(StockReceived, drop=("reference",), version=2)
    report = check(published_with(raised), Snapshots(), upcasting("StockIssued", 1))
    assert report.breaking == ["inventory.StockReceived v2: no upcaster reads (StockReceived, 1), yet v1 is "
                               "recorded (stored events keep that shape) and since then reference: removed "
                               "(or renamed): consumers reading it break"]


def test_the_old_shapes_on_record_pass_only_because_their_upcasters_read_them() -> None:
    assert check(published_events(), Snapshots(), upcasters_of).ok
    breaking = check(published_events(), Snapshots(), NO_UPCASTERS).breaking
    assert [line.split(", yet")[0] for line in breaking] == [
        "teams.ReadinessReported v2: no upcaster reads (ReadinessReported, 1)",
        "teams.TeamRegistered v2: no upcaster reads (TeamRegistered, 1)",
        "incidents.IncidentReported v2: no upcaster reads (IncidentReported, 1)"]
    assert "capabilities: a new required field" in breaking[1]


def test_lowering_schema_version_fails_the_check() -> None:
    lowered = copy_of(TeamRegistered, version=1)
    breaking = check(published_with(lowered), Snapshots(), upcasters_of).breaking
    assert breaking == ["teams.TeamRegistered: schema_version went down from 2 to 1"]


def test_a_new_optional_field_passes_and_is_recorded_only_by_the_update_command(record: Snapshots) -> None:
    events = published_with(copy_of(StockReceived, carrier=(str | None, None)))
    before = files(record)
    report = check(events, record, upcasters_of)
    assert report.ok
    assert report.unrecorded == ["inventory.StockReceived v1: carrier: a new optional field"]
    assert files(record) == before  # the check never writes

    assert update(events, record, upcasters_of).ok
    changed = {name for name, body in files(record).items() if before.get(name) != body}
    assert changed == {"inventory/StockReceived.v1.json"}
    assert "carrier" in record.versions("inventory", "StockReceived")[1]["properties"]
    assert check(events, record, upcasters_of).unrecorded == []


def test_the_update_command_refuses_and_writes_nothing_while_a_change_is_breaking(record: Snapshots) -> None:
    events = published_with(copy_of(StockReceived, drop=("reference",)),
                            copy_of(StockIssued, carrier=(str | None, None)))
    before = files(record)
    report = update(events, record, upcasters_of)
    assert not report.ok
    assert report.unrecorded == ["inventory.StockIssued v1: carrier: a new optional field"]  # it waits
    assert files(record) == before


def test_a_raised_version_is_recorded_beside_the_old_one(record: Snapshots) -> None:
    raised = published_with(copy_of(StockReceived, drop=("reference",), version=2))
    assert update(raised, record, upcasting("StockReceived", 1)).ok
    assert set(record.versions("inventory", "StockReceived")) == {1, 2}
    assert "reference" in record.versions("inventory", "StockReceived")[1]["properties"]


def test_an_event_type_that_is_recorded_but_no_longer_published_fails_the_check(record: Snapshots) -> None:
    inventory = record.root / "inventory"
    shutil.copy(inventory / "StockReceived.v1.json", inventory / "StockEvaporated.v1.json")
    breaking = check(published_events(), record, upcasters_of).breaking
    assert breaking == ["inventory.StockEvaporated: recorded, but no inventory event of that type is "
                        "published any more; stored events of it still reach consumers"]


def test_a_breaking_change_to_the_envelope_fails_the_check(record: Snapshots) -> None:
    recorded = record.envelope()
    assert recorded is not None
    recorded["properties"]["tenant"] = {"type": "string"}  # as if the envelope had lost a field
    recorded["required"] = sorted([*recorded["required"], "tenant"])
    (record.root / "envelope.json").write_text(render({"envelope": recorded}), "utf-8")
    [line] = check(published_events(), record, upcasters_of).breaking
    assert line.startswith("the envelope: tenant: removed")


def test_every_recorded_older_shape_is_read_by_the_upcasters_into_the_current_model() -> None:
    snapshots, checked = Snapshots(), []
    for event in published_events():
        for version, shape in snapshots.versions(event.service, event.type).items():
            if version >= event.schema_version:
                continue
            for data in samples(shape):
                jsonschema.validate(data, shape)  # a true instance of the old shape
                stored = EventEnvelope(
                    event_id=uuid.uuid4(), type=event.type, schema_version=version, stream_id="s", version=1,
                    position=1, occurred_at=datetime.now(UTC), recorded_at=datetime.now(UTC), data=data,
                    metadata=Metadata(), hash="")
                read = upcasters_of(event.service).upcast(stored)
                assert read.schema_version == event.schema_version
                event.model.model_validate(read.data)
            checked.append(f"{event.type} v{version}")
    assert sorted(checked) == ["IncidentReported v1", "ReadinessReported v1", "TeamRegistered v1"]


def test_each_service_reads_its_history_with_the_upcasters_the_check_consults() -> None:
    for service in PUBLISHERS:
        module = importlib.import_module(f"services.{service}.service")
        found: list[Any] = [cls for cls in vars(module).values()
                            if isinstance(cls, type) and getattr(cls, "name", None) == service]
        [nameko_service] = found
        sourcing = nameko_service.es
        assert sourcing.upcasters is upcasters_of(service) or (
            not sourcing.upcasters.fingerprint() and not upcasters_of(service).fingerprint())


def test_the_command_line_checks_and_writes_the_document(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    count = len(published_events())
    assert capsys.readouterr().out == f"{count} published event types match their recorded shapes\n"
    assert main(["asyncapi", str(tmp_path / "events.json")]) == 0
    assert (tmp_path / "events.json").read_text("utf-8") == render(asyncapi_document())
