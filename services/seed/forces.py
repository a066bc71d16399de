"""The teams part of the seed: townships first (teams and duty posts name them), the plan's
rescue forces, and the information officers' A/B duty posts."""

from __future__ import annotations

from .loader import Api, Record, Section, exists, seed_file


def _duty_post_there(api: Api, post: Record) -> bool:
    """Duty posts have no read by id: look through the list."""
    after: str | None = None
    while True:
        page = api.get("/duty-posts", {"limit": "1000", **({"after": after} if after else {})}) or {}
        if any(doc["post_id"] == post["post_id"] for doc in page.get("items", [])):
            return True
        after = page.get("next")
        if after is None:
            return False


SECTIONS = (
    Section("townships", lambda: seed_file("townships")["townships"],
            lambda r: f"township:{r['township_id']}", exists(lambda r: f"/townships/{r['township_id']}"),
            lambda r: "/townships"),
    Section("teams", lambda: seed_file("teams"), lambda r: f"team:{r['team_id']}",
            exists(lambda r: f"/teams/{r['team_id']}"), lambda r: "/teams"),
    Section("duty posts", lambda: seed_file("duty_posts")["duty_posts"],
            lambda r: f"duty-post:{r['post_id']}", _duty_post_there, lambda r: "/duty-posts"),
)
