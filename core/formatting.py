"""How figures and user text are written on screen and in messages. Streamlit-free, so core rules,
the CLI and the screens all write a number the same way."""

from __future__ import annotations

import re


def fmt_amount(x: float | None) -> str:
    """120000 -> '120,000'; 0.5 -> '0.5'. For messages and labels."""
    if x is None:
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def money(x: float | None, currency: str = "") -> str:
    return f"{fmt_amount(x)} {currency}".strip() if x is not None else "—"


def signed_money(x: float, currency: str = "") -> str:
    """-18500 -> '−18,500 EUR', 2500 -> '+2,500 EUR' (a true minus sign reads better across a table)."""
    sign = "−" if x < 0 else "+" if x > 0 else ""
    return f"{sign}{fmt_amount(abs(x))} {currency}".strip()


def signed(x: float, digits: int = 0) -> str:
    """+14 / −36 / 0, with a true minus sign."""
    text = f"{abs(x):,.{digits}f}"
    return ("−" if x < 0 else "+" if x > 0 else "") + text


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: str) -> str:
    """User text made literal inside markdown (names and notes are typed by users)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text).replace("\n", " ")
