"""Writes of membership. Each public function is one transaction with an audit row.

Callers (views, API) have checked the actor's permission with ``core.access``. Money
moves elsewhere: paying simpanan pokok activates a member and leaving refunds the
savings, both in ``koperasi.savings.services``, which call the two status helpers here
(``member_activate`` and ``member_end``) inside their own transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import CooperativeRole
from koperasi.core.roles import Role
from koperasi.members.choices import CURRENT_STATUSES, ENDED_STATUSES, MemberStatus
from koperasi.members.models import Member, MemberStatusChange
from koperasi.members.validation import MemberData, member_data_check
from koperasi.regions.models import VILLAGE_LEVELS, Region


def _kelurahan_codes(code: str) -> set[str]:
    """The given code if it names a kelurahan/desa (one query), else an empty set."""
    if not code:
        return set()
    return set(Region.objects.filter(code=code, level__in=VILLAGE_LEVELS).values_list("code", flat=True))


def _nik_taken(cooperative: Cooperative, nik: str, *, exclude_id: int | None = None) -> Conflict | None:
    current = Member.objects.filter(cooperative=cooperative, nik=nik, status__in=CURRENT_STATUSES)
    if exclude_id is not None:
        current = current.exclude(pk=exclude_id)
    existing = current.first()
    if existing is None:
        return None
    message = f"NIK {nik} sudah terdaftar sebagai {existing.get_status_display().lower()} no. {existing.number}."
    return Conflict(message, code="member_nik_taken", detail={"nik": [message], "member_id": existing.pk})


def member_number_next(cooperative: Cooperative) -> int:
    """Lock the cooperative row and return the next member number (call inside a transaction)."""
    Cooperative.objects.select_for_update().filter(pk=cooperative.pk).values_list("pk", flat=True).get()
    last = Member.objects.filter(cooperative=cooperative).aggregate(m=Max("member_no"))["m"]
    return (last or 0) + 1


def member_register(*, cooperative: Cooperative, data: Mapping[str, Any], actor: Any) -> Member:
    """Register a person as calon anggota with the next member number.

    ``data``: nik, kk, name, address, kelurahan_code (default: the cooperative's), phone,
    joined_on (default today), birth_place, occupation. The member becomes aktif when
    simpanan pokok is paid (``savings.services``). Raises ValidationError (each field with
    its reason) and Conflict (``member_nik_taken``: the NIK is already a current member).
    """
    today = timezone.localdate()
    kelurahan_code = str(data.get("kelurahan_code") or cooperative.kelurahan_id)
    clean, problems = member_data_check(
        data, today=today, kelurahan_codes=_kelurahan_codes(kelurahan_code), default_kelurahan=kelurahan_code
    )
    if clean is None:
        raise ValidationError("Data anggota tidak valid.", code="member_invalid", detail=problems)
    with transaction.atomic():
        member_no = member_number_next(cooperative)
        taken = _nik_taken(cooperative, clean.nik)
        if taken:
            raise taken
        member = Member(
            cooperative=cooperative,
            member_no=member_no,
            status=MemberStatus.CALON,
            created_by=actor if getattr(actor, "pk", None) else None,
            **_fields(clean),
        )
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:  # a concurrent registration of the same NIK won
            raise _nik_taken(cooperative, clean.nik) or Conflict(code="member_nik_taken") from None
        MemberStatusChange.objects.create(
            cooperative=cooperative,
            member=member,
            from_status="",
            to_status=MemberStatus.CALON,
            date=clean.joined_on,
            changed_by=member.created_by,
        )
        audit_record(
            actor=actor,
            action="member.register",
            cooperative=cooperative,
            target=member,
            data={"member_no": member.member_no, "nik": member.nik_masked},
        )
    return member


def _fields(clean: MemberData) -> dict[str, Any]:
    return {
        "nik": clean.nik,
        "kk": clean.kk,
        "name": clean.name,
        "gender": clean.gender,
        "birth_date": clean.birth_date,
        "birth_place": clean.birth_place,
        "address": clean.address,
        "kelurahan_id": clean.kelurahan_code,
        "phone": clean.phone,
        "occupation": clean.occupation,
        "joined_on": clean.joined_on,
    }


def member_update(*, cooperative: Cooperative, member: Member, data: Mapping[str, Any], actor: Any) -> Member:
    """Correct a member's details (a NIK typo too); the member number and status stay.

    Fields not in ``data`` keep their value. Raises NotFound (another cooperative's
    member), ValidationError and Conflict (``member_nik_taken``).
    """
    if member.cooperative_id != cooperative.pk:
        raise NotFound()
    current = {
        "nik": member.nik,
        "kk": member.kk,
        "name": member.name,
        "address": member.address,
        "kelurahan_code": member.kelurahan_id,
        "phone": member.phone,
        "joined_on": member.joined_on,
        "birth_place": member.birth_place,
        "occupation": member.occupation,
    }
    # An empty join date keeps the old one (empty means "today" at registration, not here);
    # other fields may be cleared (phone, occupation) or are refused when required.
    given = {k: v for k, v in data.items() if k in current and not (k == "joined_on" and v in (None, ""))}
    merged = {**current, **given}
    kelurahan_code = str(merged["kelurahan_code"] or "")
    clean, problems = member_data_check(
        merged, today=timezone.localdate(), kelurahan_codes=_kelurahan_codes(kelurahan_code)
    )
    if clean is None:
        raise ValidationError("Data anggota tidak valid.", code="member_invalid", detail=problems)
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.is_current:
            taken = _nik_taken(cooperative, clean.nik, exclude_id=locked.pk)
            if taken:
                raise taken
        new = _fields(clean)
        changed = sorted(name for name, value in new.items() if getattr(locked, name) != value and name != "gender")
        for name, value in new.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor, action="member.update", cooperative=cooperative, target=locked, data={"fields": changed}
        )
    return locked


def member_activate(*, member: Member, date: datetime.date, actor: Any) -> None:
    """Make a calon anggota aktif (simpanan pokok paid); call inside the paying transaction."""
    if member.status != MemberStatus.CALON:
        return
    member.status = MemberStatus.AKTIF
    member.activated_on = date
    member.save(update_fields=["status", "activated_on"])
    MemberStatusChange.objects.create(
        cooperative_id=member.cooperative_id,
        member=member,
        from_status=MemberStatus.CALON,
        to_status=MemberStatus.AKTIF,
        date=date,
        reason="Simpanan pokok lunas",
        changed_by=actor if getattr(actor, "pk", None) else None,
    )


def member_end(*, member: Member, status: str, date: datetime.date, reason: str, actor: Any) -> None:
    """End a membership (keluar, meninggal, diberhentikan); call inside the settling transaction.

    Raises ValidationError (unknown status, no reason for a dismissal) and Conflict
    (``member_already_ended``).
    """
    if status not in ENDED_STATUSES:
        raise ValidationError.for_field("status", "Status keluar harus keluar, meninggal atau diberhentikan.")
    if not member.is_current:
        raise Conflict(
            f"Keanggotaan no. {member.number} sudah berakhir ({member.get_status_display().lower()}).",
            code="member_already_ended",
        )
    reason = (reason or "").strip()[:250]
    if status == MemberStatus.DIBERHENTIKAN and not reason:
        raise ValidationError.for_field("reason", "Alasan pemberhentian wajib diisi.")
    if date < member.joined_on:
        raise ValidationError.for_field("date", "Tanggal keluar tidak boleh sebelum tanggal masuk.")
    previous = member.status
    member.status = status
    member.left_on = date
    member.leave_reason = reason
    member.save(update_fields=["status", "left_on", "leave_reason"])
    MemberStatusChange.objects.create(
        cooperative_id=member.cooperative_id,
        member=member,
        from_status=previous,
        to_status=status,
        date=date,
        reason=reason,
        changed_by=actor if getattr(actor, "pk", None) else None,
    )


def member_portal_account_create(
    *, cooperative: Cooperative, member: Member, username: str, password: str, actor: Any
) -> Any:
    """Give a member a login to the portal (role anggota in this cooperative); return the user.

    Raises NotFound (another cooperative's member), ValidationError (username taken or
    malformed, weak password) and Conflict (``member_has_login``, membership ended).
    """
    if member.cooperative_id != cooperative.pk:
        raise NotFound()
    username = (username or "").strip()
    user_model = get_user_model()
    problems: dict[str, list[str]] = {}
    if not username or len(username) > 150 or not all(ch.isalnum() or ch in "@.+-_" for ch in username):
        problems["username"] = ["Nama pengguna 1–150 karakter: huruf, angka dan @ . + - _."]
    elif user_model.objects.filter(username__iexact=username).exists():
        problems["username"] = [f"Nama pengguna '{username}' sudah dipakai."]
    try:
        validate_password(password or "")
    except DjangoValidationError as exc:
        problems["password"] = [str(m) for m in exc.messages]
    if problems:
        raise ValidationError("Akun portal tidak dapat dibuat.", code="portal_invalid", detail=problems)
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.user_id is not None:
            raise Conflict(f"Anggota no. {locked.number} sudah punya akun portal.", code="member_has_login")
        if not locked.is_current:
            raise Conflict("Keanggotaan sudah berakhir; akun portal tidak dapat dibuat.", code="member_ended")
        user = user_model.objects.create_user(username=username, password=password, first_name=locked.name[:150])
        CooperativeRole.objects.create(
            cooperative=cooperative,
            user=user,
            role=Role.ANGGOTA,
            granted_by=actor if getattr(actor, "pk", None) else None,
        )
        locked.user = user
        locked.save(update_fields=["user"])
        audit_record(
            actor=actor,
            action="member.portal_account",
            cooperative=cooperative,
            target=locked,
            data={"username": username},
        )
    return user


def member_user_link(*, cooperative: Cooperative, member: Member, user: Any, actor: Any) -> Member:
    """Link a login of this cooperative to a member (a ketua who is also a member); grant the anggota role.

    Only a user who already holds a role in this cooperative can be linked, so nobody gains
    a foothold in it this way. Raises NotFound (another cooperative's member), Conflict
    (``member_has_login``, ``user_is_other_member``, ``user_not_in_cooperative``, ``member_ended``).
    """
    if member.cooperative_id != cooperative.pk:
        raise NotFound()
    if user is None or not CooperativeRole.objects.filter(cooperative=cooperative, user=user).exists():
        message = "Pengguna itu tidak terdaftar di koperasi ini; buat akun portal baru."
        raise Conflict(message, code="user_not_in_cooperative", detail={"username": [message]})
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.user_id is not None:
            raise Conflict(f"Anggota no. {locked.number} sudah punya akun portal.", code="member_has_login")
        if not locked.is_current:
            raise Conflict("Keanggotaan sudah berakhir; akun tidak dapat dihubungkan.", code="member_ended")
        other = Member.objects.filter(cooperative=cooperative, user=user).first()
        if other is not None:
            raise Conflict(
                f"Pengguna {user.username} sudah terhubung dengan anggota no. {other.number}.",
                code="user_is_other_member",
                detail={"username": [f"Sudah terhubung dengan anggota no. {other.number}."]},
            )
        CooperativeRole.objects.get_or_create(
            cooperative=cooperative,
            user=user,
            role=Role.ANGGOTA,
            defaults={"granted_by": actor if getattr(actor, "pk", None) else None},
        )
        locked.user = user
        locked.save(update_fields=["user"])
        audit_record(
            actor=actor,
            action="member.portal_link",
            cooperative=cooperative,
            target=locked,
            data={"username": user.username},
        )
    return locked
