"""Read models of the registers beside the teams: townships, rosters with certificates, duty posts.

Certificates are also indexed by expiry date (`certificates`), so "what expires next"
is a walk from the front of that index. A renewed certificate or a removed member
leaves its old index entry marked `current: false` rather than deleted.
"""

from __future__ import annotations

from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

TOWNSHIPS, MEMBERS, CERTIFICATES, POSTS = "townships", "members", "certificates", "duty_posts"


def township_doc(event: EventEnvelope) -> dict[str, Any]:
    return {**event.data, "registered_at": event.occurred_at.isoformat()}


def duty_post_doc(event: EventEnvelope) -> dict[str, Any]:
    return {**event.data, "registered_at": event.occurred_at.isoformat()}


def member_doc(event: EventEnvelope) -> dict[str, Any]:
    """A member as added to the roster, before any certificate."""
    return {**event.data, "active": True, "added_at": event.occurred_at.isoformat(), "removed_at": None,
            "certificates": []}


def certificate_doc(event: EventEnvelope) -> dict[str, Any]:
    """A certificate as recorded: the answer to its caller and its line in the indexes."""
    return {**event.data, "entered_at": event.occurred_at.isoformat(), "current": True}


def member_key(team_id: str, member_id: str) -> str:
    return f"{team_id}/{member_id}"


def certificate_key(certificate: dict[str, Any]) -> str:
    return (f"{certificate['expires_on']}/{certificate['team_id']}/{certificate['member_id']}/"
            f"{certificate['certificate_id']}")


class Registers:
    name = "registers"
    collections = (TOWNSHIPS, MEMBERS, CERTIFICATES, POSTS)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        data = event.data
        if event.type == "TownshipRegistered":
            views.put(TOWNSHIPS, data["township_id"], township_doc(event))
        elif event.type == "DutyPostRegistered":
            views.put(POSTS, data["post_id"], duty_post_doc(event))
        elif event.type == "MemberAdded":
            views.put(MEMBERS, member_key(data["team_id"], data["member_id"]), member_doc(event))
        elif event.type in ("CertificateRecorded", "MemberRemoved"):
            key = member_key(data["team_id"], data["member_id"])
            member = views.get(MEMBERS, key)
            if member is not None:
                _change_member(views, member, event)
                views.put(MEMBERS, key, member)


def _change_member(views: Views, member: dict[str, Any], event: EventEnvelope) -> None:
    kept = []
    for held in member["certificates"]:
        replaced = event.type == "MemberRemoved" or held["certificate_id"] == event.data["certificate_id"]
        if replaced:
            views.put(CERTIFICATES, certificate_key(held), {**held, "current": False})
        if not replaced or event.type == "MemberRemoved":
            kept.append(held)
    if event.type == "MemberRemoved":
        member.update(active=False, removed_at=event.occurred_at.isoformat())
        return
    certificate = certificate_doc(event)
    views.put(CERTIFICATES, certificate_key(certificate), certificate)
    member["certificates"] = sorted([*kept, certificate], key=lambda held: held["certificate_id"])
