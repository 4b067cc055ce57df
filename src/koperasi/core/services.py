"""Writes of the core app: the users and roles of a cooperative."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import transaction

from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.models import CooperativeRole, RegionalRole
from koperasi.core.roles import COOPERATIVE_ROLES, Role

User = get_user_model()
_username_validator = RegexValidator(r"^[a-z0-9][a-z0-9._-]{2,39}$")


def _validate_username(username: str) -> str:
    username = (username or "").strip().lower()
    try:
        _username_validator(username)
    except DjangoValidationError:
        raise ValidationError.for_field(
            "username",
            "Nama pengguna 3–40 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung.",
        ) from None
    return username


def _validate_password(password: str, user: Any) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError("Kata sandi terlalu lemah.", detail={"password": list(exc.messages)}) from None


def cooperative_user_add(
    *,
    cooperative: Any,
    username: str,
    password: str | None,
    role: str,
    actor: Any,
    full_name: str = "",
    allow_existing_user: bool = False,
) -> CooperativeRole:
    """Create a user (or take an existing one) and grant a role in ``cooperative``.

    Raises ValidationError (bad username, weak password, unknown role) and Conflict (the
    username is taken, or the user already holds the role).
    """
    username = _validate_username(username)
    if role not in COOPERATIVE_ROLES:
        raise ValidationError.for_field("role", f"Peran '{role}' tidak dikenal untuk koperasi.")
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            if not password:
                raise ValidationError.for_field("password", "Kata sandi wajib diisi untuk pengguna baru.")
            user = User(username=username, first_name=full_name[:150])
            _validate_password(password, user)
            user.set_password(password)
            user.save()
            audit_record(
                actor=actor, action="user.create", cooperative=cooperative, target=user, data={"username": username}
            )
        elif not allow_existing_user or password:
            raise Conflict("Nama pengguna sudah dipakai.", code="username_taken", detail={"username": [username]})
        if CooperativeRole.objects.filter(cooperative=cooperative, user=user, role=role).exists():
            raise Conflict("Pengguna ini sudah memegang peran tersebut.", code="role_exists")
        grant = CooperativeRole.objects.create(cooperative=cooperative, user=user, role=role, granted_by=actor)
        audit_record(
            actor=actor,
            action="role.grant",
            cooperative=cooperative,
            target=grant,
            data={"username": username, "role": role},
        )
    return grant


def regional_user_create(
    *, username: str, password: str, role: str, region: Any, actor: Any, full_name: str = ""
) -> RegionalRole:
    """Create a Dinas (for a kota) or admin user. Raises ValidationError, Conflict."""
    username = _validate_username(username)
    if role not in {Role.DINAS, Role.ADMIN}:
        raise ValidationError.for_field("role", f"Peran '{role}' bukan peran wilayah.")
    if role == Role.DINAS and region is None:
        raise ValidationError.for_field("region", "Peran Dinas membutuhkan kota/kabupaten.")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict("Nama pengguna sudah dipakai.", code="username_taken")
        user = User(username=username, first_name=full_name[:150], is_staff=(role == Role.ADMIN))
        _validate_password(password, user)
        user.set_password(password)
        user.save()
        grant = RegionalRole.objects.create(user=user, role=role, region=region)
        audit_record(actor=actor, action="role.grant_regional", target=grant, data={"username": username, "role": role})
    return grant
