"""The gateway's token book: tokens as events in the gateway's own event store.

Issuing and revoking append to the store (`EVENT_STORE_URL`, by default
`$DATA_DIR/gateway-events.db`; Mongo database `anbei_gateway`), so the record of who
got which role is tamper-evident like every other, and every gateway replica sees the
same tokens: each keeps the active-token read model in memory and catches it up from
the store before it checks a token, so a token issued or revoked by the command-line
tool counts on every replica at once.

A token reads `anb.<token_id>.<secret>`. The store keeps only sha256(secret): the
secret is 32 random bytes, so a fast hash is enough (no password stretching needed),
and it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.application import Application, CommandContext
from shared.config import Settings, load_keyring
from shared.decider import parse
from shared.envelope import EventEnvelope
from shared.errors import Conflict
from shared.projections import ProjectionRunner
from shared.sealing import seal_pending
from shared.store import EventStore, open_store
from shared.views import Views, ViewStore

from .domain import tokens
from .domain.tokens import IssueToken, RevokeToken, Role

TOKENS = "tokens"
PREFIX = "anb"
INITIAL_ADMIN = "initial-admin"


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    user: str
    role: Role
    token_id: str
    warehouses: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user, "role": self.role, "token_id": self.token_id,
                "warehouses": sorted(self.warehouses), "teams": sorted(self.teams)}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """(token_id, secret) of a well-formed token, else None."""
    prefix, _, rest = token.partition(".")
    token_id, _, secret = rest.partition(".")
    return (token_id, secret) if prefix == PREFIX and token_id and secret else None


def token_doc(issued: EventEnvelope) -> dict[str, Any]:
    return {**issued.data, "issued_at": issued.occurred_at.isoformat(),
            "issued_by": issued.metadata.actor, "revoked_at": None, "revoked_by": None,
            "revoke_reason": None}


class ActiveTokens:
    """Every token ever issued, keyed by id, with its revocation if any."""

    name = "tokens"
    collections = (TOKENS,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type == "TokenIssued":
            views.put(TOKENS, event.data["token_id"], token_doc(event))
        elif event.type == "TokenRevoked" and (doc := views.get(TOKENS, event.data["token_id"])):
            views.put(TOKENS, event.data["token_id"], {
                **doc, "revoked_at": event.occurred_at.isoformat(), "revoked_by": event.metadata.actor,
                "revoke_reason": event.data["reason"],
            })


class TokenBook:
    """Issue, revoke, list and check tokens."""

    def __init__(self, store: EventStore) -> None:
        runner = ProjectionRunner(store, ViewStore(":memory:"), (ActiveTokens(),))
        self.app = Application(store, runner)
        runner.catch_up()

    @classmethod
    def open(cls, settings: Settings) -> TokenBook:
        return cls(open_store(settings.event_store_url, keyring=load_keyring(settings),
                              default_database="anbei_gateway"))

    def issue(self, user: str, role: str, *, warehouses: Sequence[str] = (), teams: Sequence[str] = (),
              note: str | None = None, token_id: str | None = None, actor: str = "cli") -> str:
        """Record a new token and return it: the only time its secret is shown."""
        secret = secrets.token_urlsafe(32)
        token_id = token_id or f"t-{secrets.token_hex(8)}"
        command = parse(IssueToken, {
            "token_id": token_id, "user": user, "role": role, "warehouses": list(warehouses),
            "teams": list(teams), "secret_hash": hash_secret(secret), "note": note,
        })
        self.app.execute(tokens.stream_id(token_id), tokens.tokens, command, self._context(actor))
        seal_pending(self.app.store)  # no relay publishes tokens: seal them here, as it would
        return f"{PREFIX}.{token_id}.{secret}"

    def revoke(self, token_id: str, reason: str | None = None, actor: str = "cli") -> bool:
        """Revoke a token; False when it was already revoked."""
        command = parse(RevokeToken, {"token_id": token_id, "reason": reason})
        outcome = self.app.execute(tokens.stream_id(token_id), tokens.tokens, command, self._context(actor))
        seal_pending(self.app.store)
        return bool(outcome.events)

    def ensure_initial_admin(self) -> str | None:
        """The first admin token, issued on the platform's first start; None ever after."""
        try:
            return self.issue("admin", "admin", token_id=INITIAL_ADMIN, note="created on first start",
                              actor="launcher")
        except Conflict:
            return None

    def list(self) -> list[dict[str, Any]]:
        """Every token on record, newest state, without its secret hash."""
        self.app.runner.catch_up()
        return [{key: value for key, value in doc.items() if key != "secret_hash"}
                for doc in self.app.views.list(TOKENS)]

    def authenticate(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None for anything else."""
        parts = split_token(token)
        if parts is None:
            return None
        token_id, secret = parts
        self.app.runner.catch_up()
        doc = self.app.views.get(TOKENS, token_id)
        if doc is None or doc["revoked_at"] is not None:
            return None
        if not hmac.compare_digest(doc["secret_hash"], hash_secret(secret)):
            return None
        return Principal(user=doc["user"], role=doc["role"], token_id=token_id,
                         warehouses=frozenset(doc["warehouses"]), teams=frozenset(doc["teams"]))

    def close(self) -> None:
        self.app.store.close()
        self.app.views.close()

    @staticmethod
    def _context(actor: str) -> CommandContext:
        return CommandContext(command_id=str(uuid.uuid4()), actor=actor)
