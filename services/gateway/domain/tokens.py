"""API tokens: who may call the gateway, in which role and over which warehouses or team.

A token is issued to a user with one role; a `warehouse_keeper` is scoped to its
warehouses and a `team_leader` to its one team. Only a hash of the token's secret is
ever recorded (the secret is shown once, to whoever issued it), and a revoked token
stays revoked: both are events, so who issued and revoked which token is on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.ids import Name, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

Role = Literal["admin", "commander", "warehouse_keeper", "team_leader", "observer"]
ROLES: tuple[Role, ...] = ("admin", "commander", "warehouse_keeper", "team_leader", "observer")
SecretHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the secret, hex")]


class IssueToken(Command):
    token_id: Slug
    user: Slug
    role: Role
    #: The warehouses a `warehouse_keeper` keeps (at least one); empty for every other role.
    warehouses: Annotated[list[Slug], Field(max_length=100, default_factory=list)]
    #: The team a `team_leader` leads (exactly one); empty for every other role.
    teams: Annotated[list[Slug], Field(max_length=1, default_factory=list)]
    secret_hash: SecretHash
    note: Name | None = None
    occurred_at: Timestamp | None = None


class RevokeToken(Command):
    token_id: Slug
    reason: Name | None = None
    occurred_at: Timestamp | None = None


TokenCommand = IssueToken | RevokeToken


class TokenIssued(Event):
    token_id: str
    user: str
    role: Role
    warehouses: list[str]
    teams: list[str]
    secret_hash: str
    note: str | None


class TokenRevoked(Event):
    token_id: str
    reason: str | None


@dataclass(frozen=True)
class Token:
    issued: bool = False
    revoked: bool = False


def _check_scope(command: IssueToken) -> None:
    if command.role == "warehouse_keeper" and not command.warehouses:
        raise InvalidCommand("a warehouse_keeper keeps at least one warehouse", field="warehouses")
    if command.role == "team_leader" and len(command.teams) != 1:
        raise InvalidCommand("a team_leader leads exactly one team", field="teams")
    if command.warehouses and command.role != "warehouse_keeper":
        raise InvalidCommand(f"a {command.role} is not scoped to warehouses", field="warehouses")
    if command.teams and command.role != "team_leader":
        raise InvalidCommand(f"a {command.role} is not scoped to a team", field="teams")


def decide(command: TokenCommand, state: Token) -> list[Event]:
    if isinstance(command, IssueToken):
        if state.issued:
            raise Conflict(f"token {command.token_id} was already issued", field="token_id",
                           code="already_issued")
        _check_scope(command)
        return [TokenIssued(**command.model_dump(exclude={"occurred_at"}))]
    if not state.issued:
        raise NotFound(f"no token {command.token_id}", field="token_id")
    if state.revoked:
        return []
    return [TokenRevoked(token_id=command.token_id, reason=command.reason)]


def evolve(state: Token, event: Event) -> Token:
    if isinstance(event, TokenIssued):
        return Token(issued=True)
    if isinstance(event, TokenRevoked):
        return Token(issued=True, revoked=True)
    return state


def stream_id(token_id: str) -> str:
    return _stream_id("token", token_id)


tokens = Decider[TokenCommand, Token](decide, evolve, Token(), (TokenIssued, TokenRevoked))
