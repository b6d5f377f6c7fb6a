"""Weekly opening hours: clock times, "open now / open at", time zones."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")


def clock_minutes(text: str) -> int:
    """Minutes after midnight of an "HH:MM" time; "24:00" is the end of the day."""
    m = _CLOCK.fullmatch(text)
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        raise ValueError(f'expected a time "HH:MM" from 00:00 to 24:00, got "{text}"')
    return int(m.group(1)) * 60 + int(m.group(2))
