"""Stream ids that are unambiguous by construction.

A stream id is its kind and its keys, each percent-encoded (RFC 3986, nothing left
"safe") and joined by `:`. Encoding never produces a `:`, and decoding recovers each
part exactly, so two different (kind, keys) never share a stream id whatever
characters the ids hold: `stock:jinan-flood:reserve-pumps` and
`stock:jinan:flood-reserve-pumps` are different streams, and so is every other pair.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

SEPARATOR = ":"


def _encode(part: str) -> str:
    return quote(part, safe="", errors="surrogatepass")


def stream_id(kind: str, *keys: str) -> str:
    """The stream of the aggregate `kind` identified by `keys`, e.g. `stream_id("stock", w, i)`."""
    if not kind or not keys:
        raise ValueError("a stream id needs a kind and at least one key")
    return SEPARATOR.join(_encode(part) for part in (kind, *keys))


def parse_stream_id(value: str) -> tuple[str, tuple[str, ...]]:
    """The kind and keys a stream id was made from (the inverse of `stream_id`)."""
    kind, *keys = (unquote(part, errors="surrogatepass") for part in value.split(SEPARATOR))
    if not keys:
        raise ValueError(f"{value!r} is not a stream id made by stream_id()")
    return kind, tuple(keys)
