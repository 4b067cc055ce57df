"""Shared fixtures: users with roles, cooperatives, API clients, and ledger-free factories."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from koperasi.core.models import ApiToken, CooperativeRole, RegionalRole
from koperasi.core.roles import Role


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is the production hasher (settings.py); tests use MD5 so 500 users take no time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _ledger_verified_after_test(request: Any) -> Any:
    """After every test that touched the database, check every cooperative's books (DESIGN.md §10).

    Balanced entries, balances = sum of lines and an intact hash chain must hold after
    any test that posts. Tests that corrupt the books on purpose carry
    ``@pytest.mark.ledger_tampered``.
    """
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    uses_db = marker is not None or "db" in names or "transactional_db" in names
    if not uses_db or request.node.get_closest_marker("ledger_tampered"):
        yield
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    # Set the database fixture up inside this one so its rollback runs after the check below.
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    from koperasi.cooperatives.models import Cooperative
    from koperasi.ledger.models import JournalEntry
    from koperasi.ledger.verify import ledger_verify

    posted = JournalEntry.objects.values_list("cooperative_id", flat=True).distinct()
    for cooperative in Cooperative.objects.filter(pk__in=posted):
        result = ledger_verify(cooperative=cooperative)
        assert result.ok, f"buku {cooperative.code} rusak setelah tes: {result.problems}"


@pytest.fixture
def make_user(django_user_model: Any) -> Any:
    def make(username: str, *, password: str = "rahasia-uji-123", **extra: Any) -> Any:
        return django_user_model.objects.create_user(username=username, password=password, **extra)

    return make


@pytest.fixture
def admin_user(make_user: Any) -> Any:
    user = make_user("admin-uji", is_staff=True)
    RegionalRole.objects.create(user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def dinas_user(make_user: Any) -> Any:
    user = make_user("dinas-uji")
    RegionalRole.objects.create(user=user, role=Role.DINAS, region_id="64.71")
    return user


@pytest.fixture
def register_coop(admin_user: Any) -> Any:
    from koperasi.cooperatives.services import cooperative_register

    def register(code: str, kelurahan_code: str, stage: str = "usulan", **extra: Any) -> Any:
        return cooperative_register(
            code=code,
            name=f"KKMP {code.title()}",
            kelurahan_code=kelurahan_code,
            stage=stage,
            actor=admin_user,
            **extra,
        )

    return register


@pytest.fixture
def coop(register_coop: Any) -> Any:
    """Koperasi Kelurahan Merah Putih Manggar, at the proposal stage."""
    return register_coop("manggar", "64.71.01.1001")


@pytest.fixture
def other_coop(register_coop: Any) -> Any:
    """A second cooperative (Lamaru), for tenant-isolation tests."""
    return register_coop("lamaru", "64.71.01.1002")


@pytest.fixture
def grant(make_user: Any) -> Any:
    def grant(cooperative: Any, role: str, username: str | None = None) -> Any:
        user = make_user(username or f"{role}-{cooperative.code}")
        CooperativeRole.objects.create(cooperative=cooperative, user=user, role=role)
        return user

    return grant


@pytest.fixture
def ketua(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.KETUA)


@pytest.fixture
def kasir(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.KASIR)


@pytest.fixture
def other_ketua(other_coop: Any, grant: Any) -> Any:
    return grant(other_coop, Role.KETUA)


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, user: Any | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            key = ApiToken.new_key()
            ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key))
            self.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, headers=self.headers)

    def post(self, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            "/api/v1" + path, data or {}, content_type="application/json", headers={**self.headers, **(headers or {})}
        )

    def put(self, path: str, data: Any = None) -> Any:
        return self.client.put("/api/v1" + path, data or {}, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data: Any = None) -> Any:
        return self.client.patch("/api/v1" + path, data or {}, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_as() -> Any:
    return ApiClient


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Run ``@pytest.mark.postgres`` tests only on PostgreSQL (the second pass of .ci/run)."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run `make test-postgres` (CI runs it)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
