"""The district's seed figures (from the 14th Five-Year plan), loaded through the public API.

Loading is idempotent: each record is looked up first and only what is missing is
written, under an `Idempotency-Key` derived from what it is (`services.seed.loader`).
The report says, per kind, what was new and what was already there.
"""

from __future__ import annotations

from . import forces, inventory
from .loader import Api, Section, SeedReport, exists, load_section, seed_file

__all__ = ["SeedReport", "load_seed", "seed_file"]

INCIDENTS = Section("incidents", lambda: seed_file("incidents"), lambda r: f"incident:{r['incident_id']}",
                    exists(lambda r: f"/incidents/{r['incident_id']}"), lambda r: "/incidents")


def load_seed(base_url: str, token: str) -> SeedReport:
    """Load every seed record into the platform whose gateway is at `base_url`, as the admin
    whose `token` is given; safe to run any number of times, by any admin."""
    api, report = Api(base_url, token), SeedReport()
    for section in (*inventory.SECTIONS, *forces.SECTIONS, INCIDENTS):
        load_section(api, section, report)
    return report
