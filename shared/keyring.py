"""Keys for the keyed hashes (HMAC-SHA256) that make stored history tamper-evident.

A key ring is one or more `key_id:secret` pairs, newest first, e.g. from the
environment variable `EVENT_HMAC_KEYS` (a Kubernetes Secret) as
`2026-11:c2VjcmV0…,2025-01:b2xk…` (secrets in base64). The first key signs; every key
verifies, so a key can be rotated by putting the new one first and keeping the old
ones until nothing signed with them needs checking. A signature names its key:
`<key_id>:<hex digest>`. Without the secret nobody can recompute a signature, so an
edit to stored history cannot be hidden by recomputing the chain.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
MIN_SECRET_BYTES = 16


class KeyringError(ValueError):
    """A key ring that cannot be used: the message says what is wrong."""


@dataclass(frozen=True)
class Keyring:
    keys: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyringError("needs at least one key")
        ids = [key_id for key_id, _ in self.keys]
        if len(set(ids)) != len(ids):
            raise KeyringError("a key id appears twice")
        for key_id, secret in self.keys:
            if not _KEY_ID.match(key_id):
                raise KeyringError(f"key id {key_id!r}: use 1-40 letters, digits, '.', '_' or '-'")
            if len(secret) < MIN_SECRET_BYTES:
                raise KeyringError(f"key {key_id}: the secret must be at least {MIN_SECRET_BYTES} bytes")

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """`id:base64secret[,id:base64secret…]`, newest first."""
        keys = []
        for number, entry in enumerate(filter(None, (part.strip() for part in text.split(","))), 1):
            key_id, sep, encoded = entry.partition(":")
            if not sep:
                raise KeyringError(f"entry {number}: expected key_id:base64secret")
            try:
                secret = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise KeyringError(f"key {key_id}: the secret is not base64") from None
            keys.append((key_id, secret))
        return cls(tuple(keys))

    @classmethod
    def generate(cls, key_id: str) -> Keyring:
        return cls(((key_id, secrets.token_bytes(32)),))

    def serialize(self) -> str:
        return ",".join(f"{key_id}:{base64.b64encode(secret).decode()}" for key_id, secret in self.keys)

    @property
    def current_key_id(self) -> str:
        return self.keys[0][0]

    def sign(self, message: bytes) -> str:
        key_id, secret = self.keys[0]
        return f"{key_id}:{hmac.new(secret, message, hashlib.sha256).hexdigest()}"

    def verify(self, message: bytes, signature: str) -> str | None:
        """None when `signature` is a valid signature of `message`; else why not."""
        key_id, _, digest = signature.partition(":")
        secret = dict(self.keys).get(key_id)
        if secret is None:
            return f"signed with key {key_id!r}, which is not in the key ring"
        expected = hmac.new(secret, message, hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, digest) else "signature does not match"


#: For tests and tools that need a store but no secrecy. Never used by a running service:
#: services take their key ring from the configuration (`shared.config`).
DEVELOPMENT_KEYRING = Keyring((("development", b"anbei-development-key-not-secret"),))
