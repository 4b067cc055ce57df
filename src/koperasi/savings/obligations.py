"""What a leaving member still owes, from the apps that lend to members (loans, shop credit).

Savings cannot import those apps (they build on savings), so each registers a provider
in its ``AppConfig.ready``: ``register(provider)`` where ``provider(member)`` returns a
list of ``calculations.Obligation``. ``member_exit_quote`` asks every provider; an
obligation is either offset against the refund or, with ``blocks_exit``, must be settled
first (the cooperative's choice for an open loan).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from koperasi.savings.calculations import Obligation

Provider = Callable[[Any], list[Obligation]]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider (once); apps call this from ``AppConfig.ready``."""
    if provider not in _providers:
        _providers.append(provider)


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def obligations_for(member: Any) -> list[Obligation]:
    """Return what ``member`` owes according to every registered provider."""
    found: list[Obligation] = []
    for provider in _providers:
        found.extend(provider(member))
    return found
