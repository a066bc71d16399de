"""The after-action summary (复盘) of a closed incident, derived from its document, which the
events built: materials per item, teams and people, and the timings that the plan measures."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from .domain.kinds import LEVELS

Doc = dict[str, Any]


def relief_applies(doc: Doc) -> bool:
    """The 8-hour target concerns affected people: an incident with none reported has no clock."""
    return bool(doc["affected_people"] or doc["people_relocated"])


def _since_occurred(doc: Doc, moment: str | None) -> float | None:
    if moment is None:
        return None
    return (datetime.fromisoformat(moment) - datetime.fromisoformat(doc["occurred_at"])).total_seconds()


def relief_met(doc: Doc) -> bool | None:
    """Whether relief came within the target: None while it can still come in time or has no clock."""
    if not relief_applies(doc):
        return None
    first = doc["relief_provided_at"]
    if first is None:
        return None
    return datetime.fromisoformat(first) <= datetime.fromisoformat(doc["relief_deadline"])


def materials_by_item(doc: Doc) -> list[Doc]:
    """Per item: issued from the district's warehouses, called off from agreements, pledged."""
    issued, called, pledged = Counter[str](), Counter[str](), Counter[str]()
    for line in doc["dispatched_materials"]:
        issued[line["item_id"]] += line["quantity"]
    for line in doc["called_off"]:
        called[line["item_id"]] += line["quantity"]
    for pledge in doc["pledged"]:
        for line in pledge["lines"]:
            pledged[line["item_id"]] += line["quantity"]
    return [{"item_id": item, "issued": issued[item], "called_off": called[item], "pledged": pledged[item]}
            for item in sorted({*issued, *called, *pledged})]


def after_action(doc: Doc) -> Doc:
    """What the incident took and how fast the district answered, from occurrence to closure."""
    teams = doc["dispatched_teams"]
    levels = [entry["level"] for entry in doc["response_history"]]
    met = relief_met(doc)
    return {
        "materials": materials_by_item(doc),
        "teams": len({team["team_id"] for team in teams}),
        "deployments": len(teams),
        "people": sum(team["people"] or 0 for team in teams),
        "requests": dict(sorted(Counter(doc["request_statuses"].values()).items())),
        "report_delay_s": doc["report_delay_s"],
        "reported_late": doc["reported_late"],
        "time_to_response_s": _since_occurred(doc, doc["response_activated_at"]),
        "time_to_first_relief_s": _since_occurred(doc, doc["relief_provided_at"]),
        "relief_target_met": False if met is None and relief_applies(doc) else met,
        "people_relieved": doc["people_relieved"],
        "evacuees_peak": doc["evacuees_peak"],
        "highest_response_level": min(levels, key=LEVELS.index) if levels else None,
        "duration_s": _since_occurred(doc, doc["closed_at"]),
    }
