"""Reads of membership. Another cooperative's member is always "not found"."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound
from koperasi.members.models import Member, MemberStatusChange


def member_get(*, cooperative: Cooperative, member_id: int | str) -> Member:
    """Return the cooperative's member by id. Raises NotFound (missing, malformed or another's)."""
    try:
        pk = int(member_id)
    except (TypeError, ValueError):
        raise NotFound("Anggota tidak ditemukan.") from None
    member = Member.objects.select_related("kelurahan").filter(cooperative=cooperative, pk=pk).first()
    if member is None:
        raise NotFound("Anggota tidak ditemukan.")
    return member


def member_by_number(*, cooperative: Cooperative, member_no: int | str) -> Member:
    """Return the member with the card number ``member_no`` (``12`` or ``00012``). Raises NotFound."""
    try:
        number = int(str(member_no).strip())
    except ValueError:
        raise NotFound("Nomor anggota tidak ditemukan.") from None
    member = Member.objects.filter(cooperative=cooperative, member_no=number).first()
    if member is None:
        raise NotFound(f"Anggota no. {number:05d} tidak ditemukan.")
    return member


def member_for_user(*, cooperative: Cooperative, user: Any) -> Member | None:
    """Return the membership a portal user holds in the cooperative, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(cooperative=cooperative, user=user).first()


def cooperative_user_by_username(*, cooperative: Cooperative, username: str) -> Any | None:
    """Return the user named ``username`` if they hold a role in the cooperative, else None."""
    return (
        get_user_model()
        .objects.filter(username__iexact=(username or "").strip(), cooperative_roles__cooperative=cooperative)
        .distinct()
        .first()
    )


def member_list(*, cooperative: Cooperative, status: str = "", search: str = "") -> QuerySet[Member]:
    """Return the cooperative's members by number, filtered by status and a search.

    The search matches a member number, a NIK (or its start), or part of the name.
    """
    qs = Member.objects.filter(cooperative=cooperative).select_related("kelurahan").order_by("member_no")
    if status:
        qs = qs.filter(status=status)
    term = " ".join((search or "").split())
    if term:
        condition = Q(name__icontains=term)
        digits = term.replace(" ", "")
        if digits.isdigit():
            condition |= Q(nik__startswith=digits) | Q(kk=digits)
            if len(digits) <= 9:
                condition |= Q(member_no=int(digits))
        qs = qs.filter(condition)
    return qs


def member_history(*, member: Member) -> QuerySet[MemberStatusChange]:
    """Return the member's status changes, oldest first."""
    return MemberStatusChange.objects.filter(member=member).select_related("changed_by").order_by("changed_at", "id")


# --- registry pages
def member_savings_balances(*, cooperative: Cooperative, members: QuerySet[Member]) -> dict[int, dict[str, int]]:
    """Return ``{member_id: {"pokok", "wajib", "sukarela", "total"}}`` for ``members`` in one query.

    Members without any savings account are absent (read them as zeros).
    """
    # Savings builds on members; imported here so the members app never needs savings to load.
    from koperasi.savings.choices import SavingsKind
    from koperasi.savings.models import SavingsAccount

    balances: dict[int, dict[str, int]] = {}
    rows = SavingsAccount.objects.filter(
        cooperative=cooperative, member_id__in=members.order_by().values("pk")
    ).values_list("member_id", "kind", "balance")
    for member_id, kind, balance in rows:
        member_balances = balances.setdefault(member_id, {**dict.fromkeys(SavingsKind.values, 0), "total": 0})
        member_balances[kind] = balance
        member_balances["total"] += balance
    return balances
