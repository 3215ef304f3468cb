"""The explainer's colour system: one colour per actor or kind of record, declared once in
``site.toml`` (``[colors]``) and read here, by name, for the few marks that must carry an
actor's colour without a colour scale of their own (a legend symbol, a bar of one series).

Charts colour a series by one of these names on a colour scale and leave the range
empty: the build fills it from ``site.toml``. Nothing else on the site is drawn in an
actor's colour; emphasis is by weight and by words, and categories that are not actors
(the strength of a measure, the outcome of a test, a vote) are told by form, not hue.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

NORTH_KOREA = "North Korea"
UN_COUNCIL = "UN Security Council"
UN_1718 = "UN 1718 Committee reports"  # what member states reported to the sanctions committee
CHINA_GOVERNMENT = "China's government"
CHINA_CUSTOMS = "China customs (GACC)"
ALLIES = "US, South Korea and partners"
RUSSIA = "Russia"
ESTIMATES = "Estimates by monitors and governments"
STATISTICS_KOREA = "Statistics Korea"

# (the site folder is this module's parent's parent, in the repository and in any copy of it)
SITE_COLORS: dict[str, str] = tomllib.loads((Path(__file__).resolve().parent.parent / "site.toml").read_text(encoding="utf-8"))["colors"]


def color_of(name: str) -> str:
    """The colour ``site.toml`` declares for ``name`` (a KeyError names a series it lacks)."""
    return SITE_COLORS[name]
