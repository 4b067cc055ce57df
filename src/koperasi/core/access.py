"""Which roles a user holds for a cooperative, and the check views make before a service.

A cooperative is passed in already fetched; only its ``id`` and ``kelurahan_id`` (a
Kemendagri code like ``64.71.01.1001``) are read, so this module imports no domain app.
"""

from __future__ import annotations

from typing import Any

from koperasi.core.errors import PermissionDenied
from koperasi.core.models import CooperativeRole, RegionalRole
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role

_CACHE_ATTR = "_koperasi_regional_roles"


def regional_roles(user: Any) -> list[tuple[Role, str | None]]:
    """Return the user's regional roles as ``(role, region_code)``; superusers are admin."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = [
            (Role(role), region)
            for role, region in RegionalRole.objects.filter(user=user).values_list("role", "region_id")
        ]
        if user.is_superuser and not any(role == Role.ADMIN for role, _ in cached):
            cached.append((Role.ADMIN, None))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def is_admin(user: Any) -> bool:
    return any(role == Role.ADMIN for role, _ in regional_roles(user))


def dinas_region_codes(user: Any) -> list[str]:
    """Return the codes of the regions (kota/kabupaten) the user oversees as Dinas."""
    return [code for role, code in regional_roles(user) if role == Role.DINAS and code]


def region_contains(region_code: str | None, kelurahan_code: str) -> bool:
    """Return whether a kelurahan code lies in a region (``None`` = everywhere)."""
    return region_code is None or kelurahan_code == region_code or kelurahan_code.startswith(region_code + ".")


def roles_for(user: Any, cooperative: Any) -> frozenset[Role]:
    """Return every role ``user`` holds for ``cooperative`` (empty: it is not theirs to see)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    roles = {
        Role(r)
        for r in CooperativeRole.objects.filter(user=user, cooperative_id=cooperative.id).values_list("role", flat=True)
    }
    for role, region_code in regional_roles(user):
        if role == Role.ADMIN or region_contains(region_code, cooperative.kelurahan_id):
            roles.add(role)
    return frozenset(roles)


def global_roles(user: Any) -> frozenset[Role]:
    """Return the regional roles alone, for actions not tied to one cooperative."""
    return frozenset(role for role, _ in regional_roles(user))


def require(roles: frozenset[Role], action: Action) -> None:
    """Raise :class:`PermissionDenied` unless one of ``roles`` may do ``action``."""
    if not can(roles, action):
        raise PermissionDenied()


# Undoing a close (a month, a year) needs both the ketua and the pengawas: one asks, the other approves.
BOARD_PAIR = (Role.KETUA, Role.PENGAWAS)


def board_pair_role(user: Any, cooperative: Any, *, refusal: str, exclude: str = "") -> Role:
    """Return the one of ketua/pengawas ``user`` acts as (not ``exclude``, the role that asked).

    Raises PermissionDenied with ``refusal`` when the user holds neither (or only ``exclude``).
    """
    held = roles_for(user, cooperative)
    for role in BOARD_PAIR:
        if role in held and role != exclude:
            return role
    raise PermissionDenied(refusal)
