"""Shared fixtures: users with roles, cooperatives, API clients, and ledger-free factories."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from koperasi.core.models import ApiToken, CooperativeRole, RegionalRole
from koperasi.core.roles import Role

FUNDED_ON = datetime.date(2026, 1, 2)


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
    _savings_sub_ledger_agrees()
    _loans_sub_ledger_agrees()
    _shop_stock_agrees()
    _shu_funds_agree()


def _shu_funds_agree() -> None:
    """Each cooperative with an approved SHU: Σ its fund balances (shu.fund_balances) = the 2-1400 balance."""
    from django.db.models import Sum

    from koperasi.cooperatives.models import Cooperative
    from koperasi.ledger.models import JournalLine
    from koperasi.shu.models import ShuDistribution
    from koperasi.shu.selectors import fund_balances

    distributed = ShuDistribution.objects.values("cooperative_id")
    if not distributed.exists():
        return
    ledger = dict(
        JournalLine.objects.filter(cooperative_id__in=distributed, account__role="shu_funds_payable")
        .values("cooperative_id")
        .annotate(balance=Sum("credit") - Sum("debit"))
        .values_list("cooperative_id", "balance")
    )
    for cooperative in Cooperative.objects.filter(pk__in=distributed):
        funds = sum(f.balance for f in fund_balances(cooperative=cooperative))
        assert funds == ledger.get(cooperative.pk, 0), f"{cooperative.code}: Σ saldo dana SHU ≠ akun 2-1400"


def _shop_stock_agrees() -> None:
    """Each product's quantity = Σ its stock levels; the ledger's inventory = Σ product stock values.

    And each member's monthly purchase totals = the lines of their member sales (shop.purchase_totals).
    """
    from django.db.models import F, Sum

    from koperasi.cooperatives.models import Cooperative
    from koperasi.shop.models import MemberPurchaseMonth, Product, SaleLine, StockLevel
    from koperasi.shop.selectors import inventory_reconcile

    levels = dict(StockLevel.objects.values("product_id").annotate(s=Sum("qty")).values_list("product_id", "s"))
    for product_id, qty in Product.objects.values_list("pk", "stock_qty"):
        assert qty == levels.get(product_id, 0), f"barang {product_id}: stok ≠ jumlah stok per lokasi"
    for cooperative in Cooperative.objects.filter(pk__in=Product.objects.values("cooperative_id")):
        row = inventory_reconcile(cooperative=cooperative)
        assert row.difference == 0, f"{cooperative.code}: akun persediaan ≠ nilai stok barang ({row})"
    by_month: dict[tuple[int, int, Any], int] = {}
    for member_id, unit_id, day, amount in (
        SaleLine.objects.filter(sale__is_member_sale=True)
        .values("sale__member_id", "business_unit_id", "sale__date")
        .annotate(amount=Sum((F("qty") - F("qty_returned")) * F("unit_price")))
        .values_list("sale__member_id", "business_unit_id", "sale__date", "amount")
    ):
        key = (member_id, unit_id, day.replace(day=1))
        by_month[key] = by_month.get(key, 0) + amount
    kept = MemberPurchaseMonth.objects.values_list("member_id", "business_unit_id", "month", "amount")
    assert {(m, u, month): amount for m, u, month, amount in kept if amount} == {
        key: amount for key, amount in by_month.items() if amount
    }, "belanja anggota per bulan ≠ baris nota"


def _loans_sub_ledger_agrees() -> None:
    """Each loan's outstanding = principal − principal repaid or written off; the receivable = Σ outstanding."""
    from django.db.models import Sum

    from koperasi.cooperatives.models import Cooperative
    from koperasi.loans.models import Loan, LoanInstallment
    from koperasi.loans.selectors import loans_reconcile

    paid = dict(LoanInstallment.objects.values("loan_id").annotate(s=Sum("principal_paid")).values_list("loan_id", "s"))
    for loan in Loan.objects.exclude(disbursed_on=None):
        assert loan.principal_paid == paid.get(loan.pk, 0), f"pinjaman {loan.pk}: pokok dibayar ≠ angsurannya"
        expected = 0 if loan.status != "active" else loan.principal - loan.principal_paid
        assert loan.outstanding_principal == expected, f"pinjaman {loan.pk}: sisa pokok ≠ pokok − pembayaran"
    for cooperative in Cooperative.objects.filter(pk__in=Loan.objects.values("cooperative_id")):
        row = loans_reconcile(cooperative=cooperative)
        assert row.difference == 0, f"{cooperative.code}: piutang pinjaman ≠ sisa pokok pinjaman ({row})"


def _savings_sub_ledger_agrees() -> None:
    """Each member account's balance = its transactions; the ledger's savings accounts = the members' sum."""
    from django.db.models import Case, F, IntegerField, Sum, When

    from koperasi.cooperatives.models import Cooperative
    from koperasi.savings.models import SavingsAccount, SavingsTransaction
    from koperasi.savings.selectors import savings_reconcile

    signed = Case(
        When(type__in=["setor", "bunga"], then=F("amount")), default=-F("amount"), output_field=IntegerField()
    )
    from_txns = dict(
        SavingsTransaction.objects.values("account_id").annotate(s=Sum(signed)).values_list("account_id", "s")
    )
    for account_id, balance in SavingsAccount.objects.values_list("pk", "balance"):
        assert balance == from_txns.get(account_id, 0), f"saldo rekening simpanan {account_id} ≠ transaksinya"
    with_savings = SavingsAccount.objects.values_list("cooperative_id", flat=True).distinct()
    for cooperative in Cooperative.objects.filter(pk__in=with_savings):
        for row in savings_reconcile(cooperative=cooperative):
            assert row.difference == 0, f"{cooperative.code}: akun {row.account_code} ≠ simpanan anggota ({row})"


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Load the Balikpapan demo once per test module, in a transaction rolled back after the module.

    The demo posts thousands of savings transactions (about 10 s); each test still runs in
    its own savepoint inside this transaction, so tests cannot see each other's writes.
    """
    import io

    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


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


# --- Members and savings ---------------------------------------------------------------------
# A man and a woman (day + 40) both born 15 May 1985, first registered in Balikpapan Tengah.
NIK_MAN = "6471041505850001"
NIK_WOMAN = "6471045505850002"
KK = "6471040101100003"
JOINED = "2026-01-05"


@pytest.fixture
def member_data() -> Any:
    """Valid registration data; keyword arguments override fields."""

    def data(**overrides: Any) -> dict[str, Any]:
        base = {
            "nik": NIK_MAN,
            "kk": KK,
            "name": "Budi Santoso",
            "address": "Jl. Jenderal Sudirman No. 12 RT 05",
            "phone": "0812-3456-7890",
            "joined_on": JOINED,
        }
        base.update(overrides)
        return base

    return data


@pytest.fixture
def register_member(member_data: Any, admin_user: Any) -> Any:
    """Register a calon anggota in a cooperative."""
    from koperasi.members.services import member_register

    def register(cooperative: Any, **overrides: Any) -> Any:
        return member_register(cooperative=cooperative, data=member_data(**overrides), actor=admin_user)

    return register


@pytest.fixture
def active_member(coop: Any, register_member: Any, kasir: Any) -> Any:
    """Budi, member no. 1 of Manggar, simpanan pokok Rp50.000 paid in cash on 5 January 2026."""
    import datetime

    from koperasi.savings.services import savings_deposit

    member = register_member(coop)
    savings_deposit(
        cooperative=coop, member=member, kind="pokok", amount=50_000, date=datetime.date(2026, 1, 5), actor=kasir
    )
    member.refresh_from_db()
    return member


@pytest.fixture
def bendahara(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.BENDAHARA)


@pytest.fixture
def pengawas(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.PENGAWAS)


@pytest.fixture
def fund_cash(admin_user: Any) -> Any:
    """Put capital (modal penyertaan) into a cooperative's cash box on 2 January 2026."""
    from koperasi.ledger.services import ByRole, LineInput, journal_post

    def fund(cooperative: Any, amount: int = 500_000_000, date: datetime.date = FUNDED_ON) -> Any:
        return journal_post(
            cooperative=cooperative,
            date=date,
            lines=[
                LineInput(account=ByRole("cash"), debit=amount),
                LineInput(account=ByRole("capital_participation"), credit=amount),
            ],
            memo="Modal penyertaan",
            actor=admin_user,
        )

    return fund
