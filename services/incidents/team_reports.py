"""Policy: what the teams service records of a team sent to one of our incidents (its arrival on
scene, its release or stand-down, by its leader or by us) is noted on the incident.

Consumed from the `teams.events` exchange at least once, in any order. The note is a command
whose id is derived from the teams event, so the event and the record that it was applied are
one append: a redelivery answers with the first note and records nothing (the kernel's
idempotency by command id does what `shared.consumer` does for read-model effects). Notes are
matched to our dispatches by team and deployment number in the read model, whichever comes
first, so an arrival noted before its dispatch was recorded still lands on it.
"""

from __future__ import annotations

from typing import Any

from shared.application import Application, CommandContext
from shared.envelope import EventEnvelope
from shared.metrics import record_consumed
from shared.reactors import step_id

from . import handlers
from .domain.lifecycle import NoteTeamReport

CONSUMER = "incidents.team_reports"


def note_team_report(app: Application, message: dict[str, Any]) -> bool:
    """Note a `TeamArrived` or `TeamReleased` on its incident; False when it was noted already
    or the incident is not one of ours."""
    event = EventEnvelope.model_validate(message)
    data = event.data
    if handlers.incident_status(app, data["incident_id"]) is None:
        return False  # deployed to an incident this service does not know (sent by hand)
    report = "arrived" if event.type == "TeamArrived" else data["outcome"]
    command = NoteTeamReport(incident_id=data["incident_id"], team_id=data["team_id"],
                             deployment=data["deployment"], report=report, note=data.get("note"))
    context = CommandContext(command_id=step_id(event, "note"), actor=event.metadata.actor,
                             correlation_id=event.metadata.correlation_id, causation_id=str(event.event_id),
                             occurred_at=event.occurred_at)
    applied = not handlers.run_incident_command(app, command, context).replayed
    record_consumed(CONSUMER, event, applied)
    return applied
