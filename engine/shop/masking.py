"""Secret values the shop layer learns during a run, handed to whoever must mask them.

A refreshed access token (and refresh token, when the auth host issues a new one) and a
shop cipher discovered through Get Authorized Shops are secrets that were not in the
environment when the run started. `announce_secret()` is called with each one before it is
used; the CLI sets a listener inside GitHub Actions that prints `::add-mask::<value>`, so the
runner masks them in the job log like the TTS_* secrets it was given. No httpx here: the CLI
imports this module without paying for the HTTP stack.
"""

from __future__ import annotations

from collections.abc import Callable

_LISTENER: list[Callable[[str], None]] = []


def set_secret_listener(listener: Callable[[str], None] | None) -> None:
    """Call `listener(value)` with each secret value the shop layer learns from now on (one
    listener per process; None removes it)."""
    _LISTENER[:] = [listener] if listener is not None else []


def announce_secret(*values: str) -> None:
    """Hand new secret values to the listener, if any (empty values are skipped)."""
    for listener in _LISTENER:
        for value in values:
            if value:
                listener(value)
