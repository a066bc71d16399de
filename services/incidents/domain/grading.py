"""Suggested severity grade of a production-safety accident, by State Council Decree 493.

The highest grade whose threshold any one figure reaches decides: I at 30 deaths,
100 seriously injured or 100M yuan direct loss; II at 10, 50 or 50M; III at 3, 10
or 10M; IV below that. Other categories have no fixed thresholds: the command
centre grades them, so no grade is suggested.
"""

from __future__ import annotations

from typing import Literal

Category = Literal["natural_disaster", "accident", "public_health", "social_safety"]
Grade = Literal["I", "II", "III", "IV"]

#: grade, deaths, seriously injured, direct loss in yuan: each threshold is reached at ≥.
THRESHOLDS: tuple[tuple[Grade, int, int, float], ...] = (
    ("I", 30, 100, 100_000_000),
    ("II", 10, 50, 50_000_000),
    ("III", 3, 10, 10_000_000),
)


def assess(
    category: Category, deaths: int, seriously_injured: int, direct_loss_yuan: float | None,
    injured_label: str = "seriously injured",
) -> tuple[Grade | None, str]:
    """The suggested grade and a short basis naming the criteria that decided it."""
    if category != "accident":
        return None, f"no fixed thresholds for {category} events: the command centre sets the grade"
    for grade, at_deaths, at_injured, at_loss in THRESHOLDS:
        met = []
        if deaths >= at_deaths:
            met.append(f"{deaths} deaths >= {at_deaths}")
        if seriously_injured >= at_injured:
            met.append(f"{seriously_injured} {injured_label} >= {at_injured}")
        if direct_loss_yuan is not None and direct_loss_yuan >= at_loss:
            met.append(f"direct loss {_yuan(direct_loss_yuan)} >= {_yuan(at_loss)}")
        if met:
            return grade, f"Decree 493 grade {grade}: " + "; ".join(met)
    return "IV", ("Decree 493 grade IV: below every grade III threshold "
                  "(3 deaths, 10 seriously injured, 10,000,000 yuan)")


def suggest_grade(
    category: Category, deaths: int, seriously_injured: int, direct_loss_yuan: float | None
) -> Grade | None:
    """The Decree 493 grade for an accident; None for every other category."""
    return assess(category, deaths, seriously_injured, direct_loss_yuan)[0]


def _yuan(amount: float) -> str:
    return f"{amount:,.0f} yuan" if float(amount).is_integer() else f"{amount:,.2f} yuan"
