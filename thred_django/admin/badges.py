"""Rendering sync states as coloured badges, shared by the outbox admin and the mixin.

``state_badge(state)`` returns safe HTML: a ``<span class="thred-badge">`` whose colour
says how worried an operator should be (green settled, blue moving, amber waiting, red
needs a human). The colours are inline styles so the badge needs no static files.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from thred_django.resources import State

# state → (background, text colour)
_COLOURS: dict[str, tuple[str, str]] = {
    State.PENDING: ("#e8eef7", "#1f4e8c"),
    State.IN_FLIGHT: ("#d6e9ff", "#0b5cad"),
    State.SYNCED: ("#dcf3e3", "#1b6e35"),
    State.RETRYING: ("#fff1cc", "#8a5a00"),
    State.FAILED: ("#fde0e0", "#a31515"),
    State.BLOCKED: ("#fde7d2", "#9a4a00"),
    State.SKIPPED: ("#eeeeee", "#555555"),
    State.VOIDED: ("#eeeeee", "#555555"),
    State.ORPHANED: ("#f3e5f5", "#6a1b7a"),
    State.DRIFTED: ("#fff4e5", "#8a4b00"),
}
_UNKNOWN = ("#eeeeee", "#333333")
NOT_MARKED = "not_marked"


def state_label(state: str) -> str:
    if state == NOT_MARKED:
        return "Not marked"
    try:
        return str(State(state).label)
    except ValueError:
        return state


def state_badge(state: str, title: str = "") -> SafeString:
    """A coloured pill for one sync state (``NOT_MARKED`` for objects without a record)."""
    background, colour = _COLOURS.get(state, _UNKNOWN)
    return format_html(
        '<span class="thred-badge thred-badge-{}" title="{}" style="display:inline-block;'
        "padding:1px 8px;border-radius:10px;font-size:11px;font-weight:600;"
        'white-space:nowrap;background:{};color:{}">{}</span>',
        state,
        title,
        background,
        colour,
        state_label(state),
    )


def short(text: str, limit: int = 80) -> str:
    """One line of ``text``, cut at ``limit`` characters with an ellipsis."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
