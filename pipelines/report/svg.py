"""A tiny SVG/HTML element writer: attributes and text are always escaped."""

from __future__ import annotations

from html import escape

from markupsafe import Markup


def el(tag: str, attrs: dict[str, object] | None = None, *children: str) -> Markup:
    """<tag attrs>children</tag>; children are markup already (use text() for text)."""
    rendered = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"'
        for name, value in (attrs or {}).items()
        if value is not None and value is not False
    )
    return Markup(f"<{tag}{rendered}>{''.join(children)}</{tag}>")


def text(value: object) -> Markup:
    return Markup(escape(str(value), quote=False))


def num(value: float) -> str:
    """A coordinate, short: 12.0 -> '12', 3.14159 -> '3.1'."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
