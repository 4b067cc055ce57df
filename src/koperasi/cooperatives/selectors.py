"""Reads of the cooperative registry."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet

from koperasi.cooperatives.choices import LegalKind, Stage
from koperasi.cooperatives.models import BusinessUnit, Cooperative, Facility, LegalRecord, Partner, StageChange
from koperasi.cooperatives.stages import REQUIRED_DOCUMENTS, next_stage
from koperasi.core.access import dinas_region_codes, is_admin, require, roles_for
from koperasi.core.errors import NotFound
from koperasi.core.models import CooperativeRole
from koperasi.core.permissions import Action
from koperasi.core.roles import Role


def cooperative_get_for_user(*, user: Any, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    """Return the cooperative ``code`` and the user's roles in it, if ``action`` is allowed.

    Raises NotFound when the cooperative does not exist or the user has no role for it (so
    another cooperative's existence never leaks) and PermissionDenied when a role exists but
    does not allow ``action``.
    """
    # A NUL cannot be in a code, and PostgreSQL refuses to compare with it (a 500, not a 404).
    cooperative = (
        Cooperative.objects.select_related("kelurahan__parent").filter(code=code).first()
        if "\x00" not in code
        else None
    )
    if cooperative is None:
        raise NotFound("Koperasi tidak ditemukan.")
    roles = roles_for(user, cooperative)
    if not roles:
        raise NotFound("Koperasi tidak ditemukan.")
    require(roles, action)
    return cooperative, roles


def cooperative_list_for_user(
    *,
    user: Any,
    region_code: str | None = None,
    kecamatan_code: str | None = None,
    stage: str | None = None,
    search: str | None = None,
) -> QuerySet[Cooperative]:
    """Return the cooperatives the user may see, filtered; kelurahan and kecamatan joined."""
    qs = Cooperative.objects.select_related("kelurahan__parent").order_by("kelurahan_id")
    if not is_admin(user):
        visible = Q(pk__in=CooperativeRole.objects.filter(user=user).values("cooperative_id"))
        for code in dinas_region_codes(user):
            visible |= Q(kelurahan__code__startswith=code + ".")
        qs = qs.filter(visible)
    if region_code:
        qs = qs.filter(kelurahan__code__startswith=region_code.rstrip(".") + ".")
    if kecamatan_code:
        qs = qs.filter(kelurahan__parent_id=kecamatan_code)
    if stage:
        qs = qs.filter(stage=stage)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(kelurahan__name__icontains=search) | Q(code__icontains=search))
    return qs


def stage_counts(cooperatives: QuerySet[Cooperative]) -> list[tuple[Stage, int]]:
    """Return (stage, count) for every stage in programme order, zeros included."""
    counts = Counter(cooperatives.order_by().values_list("stage", flat=True))
    return [(stage, counts.get(stage.value, 0)) for stage in Stage]


def cooperative_profile(*, cooperative: Cooperative) -> dict[str, Any]:
    """Return everything the profile page shows, in a fixed number of queries."""
    records = {r.kind: r for r in LegalRecord.objects.filter(cooperative=cooperative)}
    legal = [(LegalKind(kind), records.get(kind)) for kind in LegalKind.values]
    upcoming = next_stage(cooperative.stage)
    missing: list[LegalKind] = []
    if upcoming is not None:
        missing = [
            kind for kind in REQUIRED_DOCUMENTS[upcoming] if not (kind in records and records[kind].status == "terbit")
        ]
    return {
        "legal": legal,
        "history": list(StageChange.objects.filter(cooperative=cooperative).select_related("changed_by")),
        "facilities": list(Facility.objects.filter(cooperative=cooperative)),
        "units": list(BusinessUnit.objects.filter(cooperative=cooperative)),
        "partners": list(Partner.objects.filter(cooperative=cooperative).select_related("business_unit")),
        "next_stage": upcoming,
        "next_stage_missing": missing,
    }


def cooperative_users(*, cooperative: Cooperative) -> QuerySet[CooperativeRole]:
    """Return the role grants of the cooperative with their users."""
    return (
        CooperativeRole.objects.filter(cooperative=cooperative)
        .select_related("user")
        .order_by("role", "user__username")
    )
