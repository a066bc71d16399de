"""Disaster information officers' posts (灾害信息员): district, township and village, each A/B.

The plan counts 354 officers covering district–township–village, with an A/B post
system (AB岗) so every post always has a backup. A post record names its level, its
area and its A and B contacts, and how many officers it groups when the bureau records
a whole network at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from shared.decider import Command, Decider, Event
from shared.errors import Conflict
from shared.ids import Name, PositiveCount, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

from .registry import DutyContacts

Level = Literal["district", "township", "village"]


class RegisterDutyPost(Command):
    post_id: Slug
    name: Name
    name_zh: Name | None = None
    levels: list[Level] = Field(min_length=1, max_length=3)
    township: Slug | None = None
    village: Name | None = None
    officers: PositiveCount = 2
    contacts: DutyContacts
    occurred_at: Timestamp | None = None


class DutyPostRegistered(Event):
    """A disaster information officers' duty post was registered, with its A and B contacts."""

    meaning_zh = "灾害信息员值班岗位登记在册，含A岗和B岗联系人。"

    post_id: str
    name: str
    name_zh: str | None
    levels: list[Level]
    township: str | None
    village: str | None
    officers: int
    contacts: DutyContacts


@dataclass(frozen=True)
class DutyPost:
    registered: bool = False


def decide(command: RegisterDutyPost, state: DutyPost) -> list[Event]:
    if state.registered:
        raise Conflict(f"duty post {command.post_id} is already registered", field="post_id",
                       code="already_registered")
    return [DutyPostRegistered(**command.model_dump(exclude={"occurred_at"}))]


def evolve(state: DutyPost, event: Event) -> DutyPost:
    return DutyPost(registered=True) if isinstance(event, DutyPostRegistered) else state


def stream_id(post_id: str) -> str:
    return _stream_id("duty-post", post_id)


duty_posts = Decider[RegisterDutyPost, DutyPost](decide, evolve, DutyPost(), (DutyPostRegistered,))
