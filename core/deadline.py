"""The deal's deadline as the screens count it: days left from today, and the countdown in words."""

from __future__ import annotations

from datetime import date

import pandas as pd


def days_left(deadline: date | None, today: date) -> int | None:
    """Days from `today` to the deadline (negative once it has passed); None without a deadline."""
    return None if deadline is None else (deadline - today).days


def days_left_of(deadlines: pd.Series, today: date) -> pd.Series:
    """days_left for a column of deadlines at once (the pipeline's deals): NaN where there is none."""
    return (pd.to_datetime(deadlines).dt.normalize() - pd.Timestamp(today)).dt.days.astype(float)


def countdown(deadline: date | None, today: date) -> str:
    """'6 days', '1 day', 'today', '2 days ago', or 'none'."""
    days = days_left(deadline, today)
    if days is None:
        return "none"
    if days == 0:
        return "today"
    n = abs(days)
    said = f"{n} day{'s' if n != 1 else ''}"
    return said if days > 0 else f"{said} ago"
