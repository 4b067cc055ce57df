"""Loan officers' pages: list, application with simulation, detail and its actions, products,
settings, reports and the month-end run."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.loans import services
from koperasi.loans.models import (
    Loan,
    LoanApproval,
    LoanInstallment,
    LoanMonthEnd,
    LoanProduct,
    LoanSetting,
    LoanTransaction,
)
from koperasi.savings.models import SavingsAccount
from tests.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date
BASE = "/k/manggar/pinjaman/"
APPLY = BASE + "ajukan/"
SIMULATE = BASE + "ajukan/simulasi/"
PRODUCTS = BASE + "produk/"
SETTINGS = BASE + "pengaturan/"
REPORTS = BASE + "laporan/"
MONTH_END = BASE + "tutup-bulan/"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(loan: Any, action: str = "") -> str:
    return f"{BASE}{loan.pk}/{action}"


def snapshot() -> dict[str, Any]:
    """Everything the loan pages can write."""
    return {
        "loans": list(
            Loan.objects.order_by("pk").values_list(
                "pk", "status", "outstanding_principal", "principal_paid", "interest_paid", "penalty_paid"
            )
        ),
        "installments": list(
            LoanInstallment.objects.order_by("pk").values_list(
                "pk", "principal_paid", "interest_paid", "penalty_accrued", "penalty_paid", "penalty_from", "settled"
            )
        ),
        "txns": LoanTransaction.objects.count(),
        "approvals": LoanApproval.objects.count(),
        "products": list(LoanProduct.objects.order_by("pk").values_list("pk", "name", "rate_pa", "is_active")),
        "settings": LoanSetting.objects.count(),
        "runs": LoanMonthEnd.objects.count(),
        "entries": JournalEntry.objects.count(),
        "lines": JournalLine.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def receipt_or_detail(txn: Any) -> str:
    """Where a payment sends the teller: the receipt page if it exists, else the loan."""
    try:
        return reverse("loans:receipt", args=["manggar", txn.pk])
    except NoReverseMatch:
        return url(txn.loan)


def freeze_today(monkeypatch: Any, day: datetime.date) -> None:
    """Make ``timezone.localdate()`` (what every page, selector and service calls "today") return ``day``."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)


@pytest.fixture
def applied_loan(coop: Any, active_member: Any, product: Any, kasir: Any) -> Any:
    """Budi applies for Rp9.000.000 over 12 months on 2 February 2026 (within the bendahara's limit)."""
    return services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=9_000_000,
        term_months=12,
        applied_on=D(2026, 2, 2),
        actor=kasir,
    )


@pytest.fixture
def approved_loan(coop: Any, applied_loan: Any, bendahara: Any) -> Any:
    return services.loan_approve(cooperative=coop, loan=applied_loan, actor=bendahara, date=D(2026, 2, 3))


@pytest.fixture
def big_loan(coop: Any, active_member: Any, product: Any, kasir: Any) -> Any:
    """Rp20.000.000: above the default approval limit (Rp10.000.000), so ketua and pengawas decide."""
    return services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=20_000_000,
        term_months=24,
        applied_on=D(2026, 2, 2),
        actor=kasir,
    )


@pytest.fixture
def other_bendahara(other_coop: Any, grant: Any) -> Any:
    return grant(other_coop, Role.BENDAHARA)


# --- permissions and tenancy ------------------------------------------------------------------
PAGES = ["", "ajukan/", "ajukan/simulasi/", "produk/", "produk/baru/", "pengaturan/", "laporan/", "tutup-bulan/"]
PAGES += ["laporan/?format=xlsx", "laporan/?format=xlsx&tabel=portofolio"]


@pytest.mark.parametrize("page", PAGES)
def test_another_cooperatives_officer_gets_404(page: str, other_ketua: Any, other_bendahara: Any) -> None:
    assert login(other_ketua).get(BASE + page).status_code == 404
    assert login(other_bendahara).get(BASE + page).status_code == 404


@pytest.mark.parametrize("action", ["", "pelunasan/"])
def test_another_cooperatives_loan_is_404_even_in_their_own_pages(
    action: str, disbursed_loan: Any, other_bendahara: Any, other_ketua: Any
) -> None:
    assert login(other_bendahara).get(url(disbursed_loan, action)).status_code == 404
    own_coop_url = f"/k/lamaru/pinjaman/{disbursed_loan.pk}/{action}"
    assert login(other_bendahara).get(own_coop_url).status_code == 404
    assert login(other_ketua).get(f"/k/lamaru/pinjaman/produk/{disbursed_loan.product_id}/ubah/").status_code == 404


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("setujui/", {"note": ""}),
        ("tolak/", {"reason": "Tidak layak"}),
        ("cairkan/", {"date": "2026-02-10", "channel": "tunai"}),
        ("bayar/", {"amount": "840.000", "date": "2026-03-10", "channel": "tunai", "idempotency_key": "k-1"}),
        ("pelunasan/", {"date": "2026-03-10", "expected_total": "9180000", "channel": "tunai"}),
        ("hapus-buku/usul/", {"reason": "Pindah"}),
        ("hapus-buku/setujui/", {"date": "2026-11-20"}),
        ("pemulihan/", {"amount": "100.000", "date": "2026-11-20", "channel": "tunai"}),
    ],
)
def test_another_cooperatives_officers_cannot_act_on_a_loan(
    action: str, data: dict[str, str], disbursed_loan: Any, other_coop: Any, grant: Any
) -> None:
    before = snapshot()
    for role in (Role.KETUA, Role.BENDAHARA, Role.PENGAWAS, Role.KASIR):
        client = login(grant(other_coop, role))
        assert client.post(url(disbursed_loan, action), data).status_code == 404
        # In their own cooperative's pages: refused for the role (403) or the loan is not theirs (404).
        assert client.post(f"/k/lamaru/pinjaman/{disbursed_loan.pk}/{action}", data).status_code in (403, 404)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("page", "role", "status"),
    [
        ("", Role.KASIR, 200),
        ("", Role.PENGAWAS, 200),
        ("", Role.ANGGOTA, 403),
        ("ajukan/", Role.KASIR, 200),
        ("ajukan/", Role.BENDAHARA, 200),
        ("ajukan/", Role.MANAJER, 200),
        ("ajukan/", Role.PENGAWAS, 403),
        ("ajukan/", Role.KETUA, 403),
        ("ajukan/simulasi/", Role.KASIR, 200),
        ("ajukan/simulasi/", Role.PENGAWAS, 403),
        ("produk/", Role.KASIR, 200),
        ("produk/", Role.ANGGOTA, 403),
        ("produk/baru/", Role.KETUA, 200),
        ("produk/baru/", Role.BENDAHARA, 200),
        ("produk/baru/", Role.KASIR, 403),
        ("produk/baru/", Role.PENGAWAS, 403),
        ("pengaturan/", Role.PENGAWAS, 200),
        ("pengaturan/", Role.ANGGOTA, 403),
        ("laporan/", Role.KASIR, 200),
        ("laporan/", Role.PENGAWAS, 200),
        ("laporan/", Role.ANGGOTA, 403),
        ("tutup-bulan/", Role.BENDAHARA, 200),
        ("tutup-bulan/", Role.KETUA, 403),
        ("tutup-bulan/", Role.KASIR, 403),
    ],
)
def test_pages_by_role(page: str, role: str, status: int, coop: Any, grant: Any) -> None:
    assert login(grant(coop, role)).get(BASE + page).status_code == status


@pytest.mark.parametrize(
    ("action", "role", "status"),
    [
        ("", Role.KASIR, 200),
        ("", Role.PENGAWAS, 200),
        ("", Role.ANGGOTA, 403),
        ("pelunasan/", Role.KASIR, 200),
        ("pelunasan/", Role.PENGAWAS, 403),
    ],
)
def test_loan_pages_by_role(action: str, role: str, status: int, disbursed_loan: Any, coop: Any, grant: Any) -> None:
    user = grant(coop, role, username=f"uji-{role}")
    assert login(user).get(url(disbursed_loan, action)).status_code == status


def test_dinas_and_anonymous(coop: Any, dinas_user: Any) -> None:
    assert login(dinas_user).get(BASE).status_code == 403
    response = Client().get(BASE)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_nav_links_follow_the_role(coop: Any, kasir: Any, bendahara: Any, pengawas: Any) -> None:
    kasir_page = login(kasir).get(BASE).content.decode()
    assert f'href="{APPLY}"' in kasir_page and f'href="{MONTH_END}"' not in kasir_page
    bendahara_page = login(bendahara).get(BASE).content.decode()
    assert f'href="{MONTH_END}"' in bendahara_page
    pengawas_page = login(pengawas).get(BASE).content.decode()
    assert f'href="{APPLY}"' not in pengawas_page and f'href="{REPORTS}"' in pengawas_page


# --- list -------------------------------------------------------------------------------------
def test_list_filters_searches_and_counts(
    coop: Any, kasir: Any, bendahara: Any, disbursed_loan: Any, product: Any, register_member: Any
) -> None:
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    from koperasi.savings.services import savings_deposit

    savings_deposit(cooperative=coop, member=siti, kind="pokok", amount=50_000, date=D(2026, 1, 10), actor=kasir)
    second = services.loan_apply(
        cooperative=coop,
        member=siti,
        product=product,
        principal=2_000_000,
        term_months=6,
        applied_on=D(2026, 3, 1),
        actor=kasir,
    )
    client = login(kasir)
    response = client.get(BASE)
    assert response.status_code == 200
    assert [loan.pk for loan in response.context["page"].object_list] == [second.pk, disbursed_loan.pk]
    counts = {tile["value"]: tile["count"] for tile in response.context["tiles"]}
    assert counts == {"applied": 1, "approved": 0, "rejected": 0, "active": 1, "closed": 0, "written_off": 0}
    assert response.context["active_outstanding"] == 9_000_000
    page = response.content.decode()
    assert '<strong id="sisa-pokok">Rp 9.000.000</strong>' in page
    assert "PJ-00001" in page and "PJ-00002" in page

    active = client.get(BASE, {"status": "active"})
    assert [loan.pk for loan in active.context["page"].object_list] == [disbursed_loan.pk]
    for term in ("PJ-00002", "pj2", "2", "siti"):
        found = client.get(BASE, {"q": term})
        assert [loan.pk for loan in found.context["page"].object_list] == [second.pk], term
    assert list(client.get(BASE, {"q": "Tidak Ada"}).context["page"].object_list) == []
    assert "Tidak ada pinjaman yang cocok." in client.get(BASE, {"q": "Tidak Ada"}).content.decode()
    bad = client.get(BASE, {"status": "hilang"})
    assert bad.status_code == 200  # an unknown status is ignored, not a 500
    assert len(bad.context["page"].object_list) == 2
    still_searched = client.get(BASE, {"status": "hilang", "q": "siti"})
    assert [loan.pk for loan in still_searched.context["page"].object_list] == [second.pk]


def test_list_htmx_returns_only_the_results(kasir: Any, disbursed_loan: Any) -> None:
    response = login(kasir).get(BASE, {"q": "budi"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="results">')
    assert "<html" not in page and "PJ-00001" in page


def test_list_query_count_does_not_grow_with_loans(
    coop: Any, kasir: Any, active_member: Any, product: Any, applied_loan: Any
) -> None:
    client = login(kasir)
    client.get(BASE)
    with CaptureQueriesContext(connection) as one:
        client.get(BASE)
    for i in range(6):
        services.loan_apply(
            cooperative=coop,
            member=active_member,
            product=product,
            principal=1_000_000 + i,
            term_months=6,
            applied_on=D(2026, 3, 1),
            actor=kasir,
        )
    with CaptureQueriesContext(connection) as seven:
        response = client.get(BASE)
    assert len(response.context["page"].object_list) == 7
    assert len(seven) == len(one) <= 9


# --- application ---------------------------------------------------------------------------
def apply_data(borrower: Any, loan_product: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "member": borrower.pk,
        "product": loan_product.pk,
        "principal": "9.000.000",
        "term_months": "12",
        "applied_on": "2026-02-02",
        "purpose": "Modal warung",
        "idempotency_key": "kunci-ajuan-1",
    }
    data.update(overrides)
    return data


def test_apply_search_and_pick_a_member(kasir: Any, active_member: Any, product: Any) -> None:
    client = login(kasir)
    for term in ("budi", "1", active_member.nik[:10]):
        response = client.get(APPLY, {"q": term})
        assert f'href="?member={active_member.pk}"' in response.content.decode(), term
    assert "Tidak ada anggota yang cocok." in client.get(APPLY, {"q": "Tidak Ada"}).content.decode()
    response = client.get(APPLY, {"member": active_member.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["product"] == product.pk  # the only active product is chosen
    key = form.initial["idempotency_key"]
    assert len(key) >= 20 and f'value="{key}"' in response.content.decode()
    assert client.get(APPLY, {"member": active_member.pk}).context["form"].initial["idempotency_key"] != key


def test_apply_records_the_application_once(kasir: Any, active_member: Any, product: Any) -> None:
    client = login(kasir)
    before = snapshot()
    response = client.post(APPLY, apply_data(active_member, product))
    loan = Loan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(loan)
    assert (loan.member_id, loan.product_id, loan.status, loan.principal, loan.term_months) == (
        active_member.pk,
        product.pk,
        "applied",
        9_000_000,
        12,
    )
    assert (loan.method, loan.rate_pa, loan.applied_on, loan.purpose, loan.admin_fee, loan.provision_fee) == (
        "flat",
        Decimal("12.00"),
        D(2026, 2, 2),
        "Modal warung",
        90_000,
        0,
    )
    assert (loan.needs_board, loan.applied_by, loan.number) == (False, kasir, "PJ-00001")
    assert flashes(response) == ["Pengajuan PJ-00001 untuk 00001 Budi Santoso dicatat: Rp 9.000.000, 12 bulan."]
    after = snapshot()
    assert after["entries"] == before["entries"]  # an application moves no money

    again = client.post(APPLY, apply_data(active_member, product))  # double click
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert snapshot() == after
    assert flashes(again)[-1] == "Pengajuan ini sudah tercatat; kiriman ganda diabaikan."


@pytest.mark.parametrize(
    ("overrides", "status", "field", "message"),
    [
        ({"principal": "60.000.000"}, 409, "principal", "Plafon produk Pinjaman umum Rp 100.000 sampai Rp 50.000.000"),
        ({"principal": "-5.000"}, 422, "principal", "Jumlah pinjaman harus lebih dari nol."),
        ({"principal": "12,5"}, 422, "principal", "Jumlah pinjaman harus rupiah bulat tanpa desimal."),
        ({"principal": "sejuta"}, 422, "principal", "Tulis jumlah dalam rupiah, mis. 1.250.000."),
        ({"term_months": "36"}, 422, "term_months", "Jangka waktu produk Pinjaman umum 1–24 bulan."),
        ({"term_months": "dua"}, 422, "term_months", ""),
        ({"applied_on": "2099-01-01"}, 422, "applied_on", "Tanggal pengajuan tidak boleh di masa depan."),
        ({"applied_on": "2025-12-01"}, 422, "applied_on", "Tanggal pengajuan tidak boleh sebelum 05/01/2026."),
        ({"product": "999999"}, 422, "product", ""),
    ],
)
def test_apply_refusals_show_on_the_form_and_write_nothing(
    overrides: dict[str, str], status: int, field: str, message: str, kasir: Any, active_member: Any, product: Any
) -> None:
    before = snapshot()
    response = login(kasir).post(APPLY, apply_data(active_member, product, **overrides))
    assert response.status_code == status
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert message in response.content.decode()
    assert 'value="kunci-ajuan-1"' in response.content.decode()  # the same key: a corrected form records once
    assert snapshot() == before


def test_apply_refuses_a_calon_and_another_cooperatives_member(
    kasir: Any, coop: Any, other_coop: Any, register_member: Any, product: Any, make_product: Any
) -> None:
    calon = register_member(coop)
    before = snapshot()
    response = login(kasir).post(APPLY, apply_data(calon, product))
    assert response.status_code == 409
    assert "hanya untuk anggota aktif" in response.content.decode()
    stranger = register_member(other_coop, nik=NIK_WOMAN, name="Siti Aminah")
    assert login(kasir).get(APPLY, {"member": stranger.pk}).status_code == 404
    assert login(kasir).post(APPLY, apply_data(stranger, product)).status_code == 404
    their_product = make_product(other_coop)
    response = login(kasir).post(APPLY, apply_data(calon, their_product))
    assert response.status_code == 422  # not one of this cooperative's products
    assert list(response.context["form"].errors) == ["product"]
    assert snapshot()["loans"] == before["loans"]


def test_apply_by_pengawas_is_403(pengawas: Any, active_member: Any, product: Any) -> None:
    before = snapshot()
    assert login(pengawas).post(APPLY, apply_data(active_member, product)).status_code == 403
    assert snapshot() == before


# --- simulation ------------------------------------------------------------------------------
def test_simulation_partial_flat_reproduces_the_worked_example(kasir: Any, product: Any) -> None:
    """domain.md §4.3: Rp9.000.000 at 1 %/month over 12 months → Rp10.080.000, Rp840.000 a month."""
    response = login(kasir).get(
        SIMULATE,
        {"product": product.pk, "principal": "9.000.000", "term_months": "12", "applied_on": "2026-02-10"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="simulasi"') and "<html" not in page
    simulation = response.context["simulation"]
    assert [(r.no, r.due_date, r.principal, r.interest) for r in simulation.rows[:2]] == [
        (1, D(2026, 3, 10), 750_000, 90_000),
        (2, D(2026, 4, 10), 750_000, 90_000),
    ]
    assert len(simulation.rows) == 12 and simulation.rows[-1].balance == 0
    assert (simulation.total_principal, simulation.total_interest, simulation.total_installments) == (
        9_000_000,
        1_080_000,
        10_080_000,
    )
    assert (simulation.admin_fee, simulation.provision_fee, simulation.paid_out) == (90_000, 0, 8_910_000)
    assert '<strong id="sim-angsuran">Rp 840.000</strong>' in page
    assert '<strong id="sim-total">Rp 10.080.000</strong>' in page
    assert '<dd id="sim-diterima">Rp 8.910.000' in page


def test_simulation_declining_and_fees_in_cash(coop: Any, kasir: Any, make_product: Any) -> None:
    """domain.md §4.3: Rp6.000.000 at 12 % a year over 6 months, interest on the balance."""
    declining = make_product(
        coop, name="Menurun", method="declining", provision_amount=25_000, fees_deducted=False, admin_fee_percent=0
    )
    response = login(kasir).get(
        SIMULATE, {"product": declining.pk, "principal": "6000000", "term_months": "6", "applied_on": "2026-01-31"}
    )
    simulation = response.context["simulation"]
    assert [(r.due_date, r.principal, r.interest) for r in simulation.rows] == [
        (D(2026, 2, 28), 1_000_000, 60_000),
        (D(2026, 3, 31), 1_000_000, 50_000),
        (D(2026, 4, 30), 1_000_000, 40_000),
        (D(2026, 5, 31), 1_000_000, 30_000),
        (D(2026, 6, 30), 1_000_000, 20_000),
        (D(2026, 7, 31), 1_000_000, 10_000),
    ]
    assert (simulation.total_interest, simulation.fees, simulation.paid_out) == (210_000, 25_000, 6_000_000)
    assert "biaya Rp 25.000 dibayar tunai saat pencairan" in response.content.decode()


def test_simulation_bad_input_is_explained_not_500(kasir: Any, product: Any) -> None:
    client = login(kasir)
    empty = client.get(SIMULATE)
    assert empty.status_code == 200  # HTMX swaps only 2xx answers
    assert "Lengkapi produk, jumlah, jangka waktu dan tanggal" in empty.content.decode()
    for principal in ("-5", "12,5", "0"):
        response = client.get(
            SIMULATE, {"product": product.pk, "principal": principal, "term_months": "12", "applied_on": "2026-02-10"}
        )
        assert response.status_code == 200
        assert "Jumlah pinjaman harus rupiah bulat lebih dari nol." in response.content.decode(), principal
    over = client.get(
        SIMULATE, {"product": product.pk, "principal": "90.000.000", "term_months": "48", "applied_on": "2026-02-10"}
    )
    page = over.content.decode()
    assert "Plafon produk Rp 100.000 sampai Rp 50.000.000; pengajuan ini akan ditolak." in page
    assert "Jangka waktu produk 1–24 bulan; pengajuan ini akan ditolak." in page
    far = client.get(
        SIMULATE, {"product": product.pk, "principal": "1000000", "term_months": "9999", "applied_on": "2026-02-10"}
    )
    assert "Jangka waktu harus 1–360 bulan." in far.content.decode()
    end_of_time = client.get(
        SIMULATE, {"product": product.pk, "principal": "1000000", "term_months": "12", "applied_on": "9999-12-31"}
    )
    assert end_of_time.status_code == 200
    assert "periksa tanggal pengajuan" in end_of_time.content.decode()


def test_simulation_without_javascript_writes_nothing(kasir: Any, active_member: Any, product: Any) -> None:
    before = snapshot()
    response = login(kasir).post(APPLY, {**apply_data(active_member, product), "simulate": "1"})
    assert response.status_code == 200
    assert response.context["simulation"].total_installments == 10_080_000
    assert 'value="kunci-ajuan-1"' in response.content.decode()
    assert snapshot() == before


# --- detail -----------------------------------------------------------------------------------
def test_detail_of_an_applied_loan_shows_the_projection_and_who_must_approve(
    coop: Any, applied_loan: Any, kasir: Any, bendahara: Any, pengawas: Any
) -> None:
    response = login(kasir).get(url(applied_loan))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Perlu persetujuan: bendahara atau ketua." in page
    assert response.context["forms"] == {}  # the kasir applies; approving is not theirs
    projected = response.context["projected"]
    assert len(projected) == 12 and sum(r.installment for r in projected) == 10_080_000
    officer = login(bendahara).get(url(applied_loan))
    assert set(officer.context["forms"]) == {"approve", "reject"}
    # A pengawas may approve loans, but a small one is the bendahara's or ketua's.
    assert login(pengawas).get(url(applied_loan)).context["forms"] == {}


def test_detail_of_an_active_loan_shows_schedule_position_and_history(
    monkeypatch: Any, disbursed_loan: Any, kasir: Any, coop: Any
) -> None:
    freeze_today(monkeypatch, D(2026, 6, 15))
    response = login(kasir).get(url(disbursed_loan))
    assert response.status_code == 200
    position = response.context["position"]
    # Four instalments due (10 Mar, 10 Apr, 10 May, 10 Jun), none paid; 2 % a month after 3 days' grace:
    # Rp840.000 × 0,02 / 30 = Rp560 a day for 94 + 63 + 33 + 2 days.
    assert (position.days_past_due, position.collectibility) == (97, "kurang_lancar")
    assert (position.overdue, position.due_now) == (3_467_520, 3_467_520)
    assert (position.next_due_date, position.next_installment) == (D(2026, 7, 10), 840_000)
    assert (position.payoff.principal, position.payoff.interest, position.payoff.penalty) == (
        9_000_000,
        450_000,
        107_520,
    )
    assert position.payoff.interest_waived == 630_000
    schedule = response.context["schedule"]
    assert [(r.no, r.status, r.penalty, r.left) for r in schedule[:5]] == [
        (1, "terlambat", 52_640, 892_640),
        (2, "terlambat", 35_280, 875_280),
        (3, "terlambat", 18_480, 858_480),
        (4, "terlambat", 1_120, 841_120),
        (5, "belum", 0, 840_000),
    ]
    assert response.context["schedule_totals"]["installment"] == 10_080_000
    page = response.content.decode()
    assert '<strong id="dpd">97</strong>' in page
    assert 'id="kolektibilitas">Kurang lancar</span>' in page
    assert '<strong id="jatuh-tempo">Rp 3.467.520</strong>' in page
    assert '<strong id="pelunasan">Rp 9.557.520</strong>' in page
    form = response.context["forms"]["repay"]
    assert form.initial["amount"] == 3_467_520  # what is due now
    assert form.initial["date"] == D(2026, 6, 15)
    [disbursement] = response.context["transactions"]
    assert (disbursement.type, disbursement.amount, disbursement.fees) == ("pencairan", 8_910_000, 90_000)


def test_detail_query_count_does_not_grow_with_payments(
    monkeypatch: Any, disbursed_loan: Any, kasir: Any, coop: Any
) -> None:
    client = login(kasir)
    client.get(url(disbursed_loan))
    with CaptureQueriesContext(connection) as few:
        client.get(url(disbursed_loan))
    for month in (3, 4, 5, 6, 7):
        services.loan_repay(cooperative=coop, loan=disbursed_loan, amount=840_000, date=D(2026, month, 10), actor=kasir)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(disbursed_loan))
    assert len(response.context["transactions"]) == 6
    assert len(many) == len(few) <= 12


def test_detail_of_another_cooperatives_or_a_missing_loan_is_404(kasir: Any, coop: Any) -> None:
    client = login(kasir)
    assert client.get(f"{BASE}999999/").status_code == 404
    assert client.get(f"{BASE}99999999999999999999/").status_code == 404


# --- approval and rejection ------------------------------------------------------------------
def test_bendahara_approves_a_small_loan(applied_loan: Any, bendahara: Any) -> None:
    response = login(bendahara).post(url(applied_loan, "setujui/"), {"note": "Lengkap"})
    assert response.status_code == 302 and response["Location"] == url(applied_loan)
    applied_loan.refresh_from_db()
    assert applied_loan.status == "approved"
    approval = LoanApproval.objects.get()
    assert (approval.role, approval.decision, approval.note, approval.decided_by) == (
        "bendahara",
        "setuju",
        "Lengkap",
        bendahara,
    )
    assert flashes(response) == ["Pinjaman PJ-00001 disetujui; siap dicairkan."]


def test_a_big_loan_needs_ketua_and_pengawas(big_loan: Any, ketua: Any, pengawas: Any, bendahara: Any) -> None:
    page = login(ketua).get(url(big_loan)).content.decode()
    assert "Perlu persetujuan: ketua dan pengawas" in page
    before = snapshot()
    refused = login(bendahara).post(url(big_loan, "setujui/"), {"note": ""})
    assert refused.status_code == 403  # over the limit: not the bendahara's decision
    assert "hanya oleh ketua dan pengawas" in refused.content.decode()
    assert snapshot() == before

    first = login(ketua).post(url(big_loan, "setujui/"), {"note": ""})
    assert first.status_code == 302
    assert flashes(first) == ["Persetujuan Anda untuk PJ-00001 dicatat; masih menunggu persetujuan berikutnya."]
    big_loan.refresh_from_db()
    assert big_loan.status == "applied"
    page = login(pengawas).get(url(big_loan)).content.decode()
    assert "Masih perlu: pengawas." in page
    assert login(ketua).get(url(big_loan)).context["forms"].get("approve") is None  # approved already
    again = login(ketua).post(url(big_loan, "setujui/"), {"note": ""})
    assert again.status_code == 403
    assert "Anda sudah menyetujui" in again.content.decode()

    assert login(pengawas).post(url(big_loan, "setujui/"), {"note": "OK"}).status_code == 302
    big_loan.refresh_from_db()
    assert big_loan.status == "approved"
    assert sorted(LoanApproval.objects.values_list("role", flat=True)) == ["ketua", "pengawas"]


def test_approve_refusals(applied_loan: Any, kasir: Any, bendahara: Any, approved_loan: Any) -> None:
    before = snapshot()
    assert login(kasir).post(url(applied_loan, "setujui/"), {"note": ""}).status_code == 403
    response = login(bendahara).post(url(approved_loan, "setujui/"), {"note": ""})
    assert response.status_code == 409
    assert "tidak menunggu persetujuan" in response.content.decode()
    assert snapshot() == before


def test_reject_needs_a_reason(applied_loan: Any, bendahara: Any, kasir: Any) -> None:
    before = snapshot()
    empty = login(bendahara).post(url(applied_loan, "tolak/"), {"reason": "  "})
    assert empty.status_code == 422
    assert "Alasan penolakan wajib diisi." in empty.content.decode()
    assert login(kasir).post(url(applied_loan, "tolak/"), {"reason": "x"}).status_code == 403
    assert snapshot() == before
    response = login(bendahara).post(url(applied_loan, "tolak/"), {"reason": "Penghasilan tidak cukup"})
    assert response.status_code == 302
    applied_loan.refresh_from_db()
    assert (applied_loan.status, applied_loan.rejection_reason) == ("rejected", "Penghasilan tidak cukup")
    page = login(kasir).get(url(applied_loan)).content.decode()
    assert "Penghasilan tidak cukup" in page
    again = login(bendahara).post(url(applied_loan, "tolak/"), {"reason": "lagi"})
    assert again.status_code == 409


# --- disbursement ---------------------------------------------------------------------------------
def test_disburse_in_cash_creates_the_schedule_and_posts(
    approved_loan: Any, kasir: Any, coop: Any, fund_cash: Any
) -> None:
    fund_cash(coop)
    page = login(kasir).get(url(approved_loan))
    assert "disburse" in page.context["forms"]
    assert "Diterima anggota: Rp 8.910.000." in page.content.decode()
    response = login(kasir).post(url(approved_loan, "cairkan/"), {"date": "2026-02-10", "channel": "tunai"})
    assert response.status_code == 302
    approved_loan.refresh_from_db()
    assert (approved_loan.status, approved_loan.disbursed_on, approved_loan.outstanding_principal) == (
        "active",
        D(2026, 2, 10),
        9_000_000,
    )
    assert LoanInstallment.objects.filter(loan=approved_loan).count() == 12
    txn = LoanTransaction.objects.get(loan=approved_loan)
    assert (txn.type, txn.amount, txn.principal, txn.fees, txn.channel) == (
        "pencairan",
        8_910_000,
        9_000_000,
        90_000,
        "tunai",
    )
    lines = sorted(JournalLine.objects.filter(entry=txn.journal_entry).values_list("debit", "credit"))
    assert sum(d for d, _ in lines) == sum(c for _, c in lines) == 9_000_000
    assert flashes(response) == ["Pinjaman PJ-00001 dicairkan Rp 8.910.000 (tunai); jadwal angsuran dibuat."]


def test_disburse_into_sukarela(approved_loan: Any, bendahara: Any, active_member: Any) -> None:
    response = login(bendahara).post(url(approved_loan, "cairkan/"), {"date": "2026-02-10", "channel": "sukarela"})
    assert response.status_code == 302
    assert SavingsAccount.objects.get(member=active_member, kind="sukarela").balance == 8_910_000


@pytest.mark.parametrize(
    ("data", "status", "field", "message"),
    [
        ({"date": "2026-02-10", "channel": "transfer"}, 422, "reference", "Nomor referensi transfer wajib diisi."),
        ({"date": "2099-02-10", "channel": "tunai"}, 422, "date", "Tanggal pencairan tidak boleh di masa depan."),
        ({"date": "2026-02-01", "channel": "tunai"}, 422, "date", "Tanggal pencairan tidak boleh sebelum 02/02/2026."),
        (
            {"date": "2026-02-10", "channel": "tunai"},
            409,
            "__all__",
            "Saldo kas Rp 50.000 tidak cukup untuk pencairan Rp 8.910.000.",
        ),
        ({"date": "2026-02-10", "channel": "emas"}, 422, "channel", ""),
    ],
)
def test_disburse_refusals_write_nothing(
    data: dict[str, str], status: int, field: str, message: str, approved_loan: Any, kasir: Any
) -> None:
    before = snapshot()
    response = login(kasir).post(url(approved_loan, "cairkan/"), data)
    assert response.status_code == status
    errors = response.context["forms"]["disburse"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert snapshot() == before


def test_disburse_by_pengawas_or_of_an_applied_loan_is_refused(
    applied_loan: Any, pengawas: Any, kasir: Any, coop: Any, fund_cash: Any
) -> None:
    fund_cash(coop)
    before = snapshot()
    assert (
        login(pengawas).post(url(applied_loan, "cairkan/"), {"date": "2026-02-10", "channel": "tunai"}).status_code
        == 403
    )
    response = login(kasir).post(url(applied_loan, "cairkan/"), {"date": "2026-02-10", "channel": "tunai"})
    assert response.status_code == 409
    assert "hanya pinjaman yang disetujui dapat dicairkan" in response.content.decode()
    assert snapshot() == before


# --- repayment ---------------------------------------------------------------------------------
def repay_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "amount": "840.000",
        "date": "2026-03-10",
        "channel": "tunai",
        "reference": "",
        "idempotency_key": "kunci-bayar-1",
    }
    data.update(overrides)
    return data


def test_repayment_is_allocated_posted_and_a_resubmit_records_nothing_more(
    disbursed_loan: Any, kasir: Any, active_member: Any
) -> None:
    client = login(kasir)
    before = snapshot()
    response = client.post(url(disbursed_loan, "bayar/"), repay_data())
    txn = LoanTransaction.objects.get(idempotency_key="kunci-bayar-1")
    assert response.status_code == 302
    assert response["Location"] == receipt_or_detail(txn)
    assert (txn.type, txn.amount, txn.principal, txn.interest, txn.penalty, txn.outstanding_after) == (
        "angsuran",
        840_000,
        750_000,
        90_000,
        0,
        8_250_000,
    )
    assert txn.allocation == [{"no": 1, "penalty": 0, "interest": 90_000, "principal": 750_000}]
    disbursed_loan.refresh_from_db()
    assert (disbursed_loan.outstanding_principal, disbursed_loan.principal_paid, disbursed_loan.interest_paid) == (
        8_250_000,
        750_000,
        90_000,
    )
    lines = list(
        JournalLine.objects.filter(entry=txn.journal_entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "member_id")
    )
    assert lines[0] == ("1-1100", 840_000, 0, None)
    assert sum(c for _, _, c, _ in lines) == 840_000
    assert ("principal", 750_000) in [("principal", c) for _, _, c, m in lines if m == active_member.pk]
    assert flashes(response) == [
        "Angsuran Rp 840.000 dicatat (pokok Rp 750.000, bunga Rp 90.000, denda Rp 0); sisa pokok Rp 8.250.000."
    ]
    after = snapshot()
    assert after["txns"] == before["txns"] + 1 and after["entries"] == before["entries"] + 1

    again = client.post(url(disbursed_loan, "bayar/"), repay_data())  # double click / browser re-submit
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert snapshot() == after
    assert flashes(again)[-1] == "Pembayaran ini sudah tercatat; kiriman ganda diabaikan."


def test_repayment_late_pays_the_penalty_first(disbursed_loan: Any, kasir: Any) -> None:
    response = login(kasir).post(url(disbursed_loan, "bayar/"), repay_data(date="2026-03-23", amount="Rp 845.600"))
    assert response.status_code == 302
    txn = LoanTransaction.objects.get(idempotency_key="kunci-bayar-1")
    # 10 days after the grace (13 → 23 March) × Rp560.
    assert (txn.penalty, txn.interest, txn.principal) == (5_600, 90_000, 750_000)


@pytest.mark.parametrize(
    ("overrides", "status", "field", "message"),
    [
        ({"amount": "0"}, 422, "amount", "Jumlah pembayaran harus lebih dari nol."),
        ({"amount": "-840.000"}, 422, "amount", "Jumlah pembayaran harus lebih dari nol."),
        ({"amount": "840.000,50"}, 422, "amount", "Jumlah pembayaran harus rupiah bulat tanpa desimal."),
        ({"amount": "seratus"}, 422, "amount", "Tulis jumlah dalam rupiah"),
        ({"amount": "20.000.000"}, 409, "amount", "melebihi sisa kewajiban Rp 10.080.000"),
        ({"date": "2099-03-10"}, 422, "date", "Tanggal pembayaran tidak boleh di masa depan."),
        ({"date": "2026-02-01"}, 422, "date", "Tanggal pembayaran tidak boleh sebelum 10/02/2026."),
        ({"channel": "transfer"}, 422, "reference", "Nomor referensi transfer wajib diisi."),
        ({"channel": "sukarela"}, 422, "channel", ""),
    ],
)
def test_repayment_refusals_show_on_the_form_and_write_nothing(
    overrides: dict[str, str], status: int, field: str, message: str, disbursed_loan: Any, kasir: Any
) -> None:
    before = snapshot()
    response = login(kasir).post(url(disbursed_loan, "bayar/"), repay_data(**overrides))
    assert response.status_code == status
    form = response.context["forms"]["repay"]
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])
    assert message in response.content.decode()
    assert 'value="kunci-bayar-1"' in response.content.decode()
    assert snapshot() == before


def test_repayment_by_pengawas_or_on_a_closed_loan_is_refused(
    disbursed_loan: Any, pengawas: Any, kasir: Any, coop: Any
) -> None:
    before = snapshot()
    assert login(pengawas).post(url(disbursed_loan, "bayar/"), repay_data()).status_code == 403
    assert snapshot() == before
    services.loan_payoff(
        cooperative=coop, loan=disbursed_loan, date=D(2026, 3, 10), expected_total=9_180_000, actor=kasir
    )
    before = snapshot()
    response = login(kasir).post(url(disbursed_loan, "bayar/"), repay_data(idempotency_key="baru"))
    assert response.status_code == 409
    assert "tidak menerima pembayaran" in response.content.decode()
    assert snapshot() == before


# --- payoff -------------------------------------------------------------------------------------
def test_payoff_quote_and_confirmation(disbursed_loan: Any, kasir: Any) -> None:
    client = login(kasir)
    quote = client.get(url(disbursed_loan, "pelunasan/"), {"date": "2026-03-10"})
    assert quote.status_code == 200
    # All principal, the interest of the instalments due and of the period running (1 and 2);
    # the interest of instalments 3–12 (10 × Rp90.000) is waived.
    q = quote.context["quote"]
    assert (q.principal, q.interest, q.penalty, q.total, q.interest_waived) == (
        9_000_000,
        180_000,
        0,
        9_180_000,
        900_000,
    )
    page = quote.content.decode()
    assert '<strong id="kutipan-total">Rp 9.180.000</strong>' in page
    form = quote.context["form"]
    assert form.initial["expected_total"] == 9_180_000 and form.initial["date"] == D(2026, 3, 10)
    data = {"date": "2026-03-10", "expected_total": "9180000", "channel": "tunai", "idempotency_key": "lunas-1"}
    response = client.post(url(disbursed_loan, "pelunasan/"), data)
    assert response.status_code == 302
    txn = LoanTransaction.objects.get(idempotency_key="lunas-1")
    assert response["Location"] == receipt_or_detail(txn)
    assert (txn.type, txn.amount, txn.principal, txn.interest, txn.penalty) == (
        "pelunasan",
        9_180_000,
        9_000_000,
        180_000,
        0,
    )
    disbursed_loan.refresh_from_db()
    assert (disbursed_loan.status, disbursed_loan.closed_on, disbursed_loan.outstanding_principal) == (
        "closed",
        D(2026, 3, 10),
        0,
    )
    after = snapshot()
    assert client.post(url(disbursed_loan, "pelunasan/"), data)["Location"] == response["Location"]
    assert snapshot() == after
    closed = client.get(url(disbursed_loan, "pelunasan/"))
    assert closed.context["form"] is None and "tidak ada yang perlu dilunasi" in closed.content.decode()
    late = client.post(url(disbursed_loan, "pelunasan/"), {**data, "idempotency_key": "lunas-lagi"})
    assert late.status_code == 409
    assert "Pinjaman PJ-00001 berstatus Lunas; tidak menerima pembayaran." in late.content.decode()
    assert snapshot() == after


def test_payoff_with_a_stale_total_is_refused_and_requoted(disbursed_loan: Any, kasir: Any) -> None:
    before = snapshot()
    data = {"date": "2026-03-10", "expected_total": "9000000", "channel": "tunai", "idempotency_key": "lunas-2"}
    response = login(kasir).post(url(disbursed_loan, "pelunasan/"), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Jumlah pelunasan sekarang Rp 9.180.000, bukan Rp 9.000.000" in page
    assert 'name="expected_total" value="9180000"' in page  # confirming again takes the new quote
    assert snapshot() == before
    again = login(kasir).post(url(disbursed_loan, "pelunasan/"), {**data, "expected_total": "9180000"})
    assert again.status_code == 302


def test_payoff_refusals(disbursed_loan: Any, kasir: Any, pengawas: Any) -> None:
    before = snapshot()
    bad_date = login(kasir).get(url(disbursed_loan, "pelunasan/"), {"date": "kemarin"})
    assert bad_date.status_code == 422
    future = login(kasir).get(url(disbursed_loan, "pelunasan/"), {"date": "2099-01-01"})
    assert future.status_code == 200 and future.context["form"] is None  # a quote only, nothing to confirm
    data = {"date": "2026-03-10", "expected_total": "9180000", "channel": "transfer", "idempotency_key": "x"}
    refused = login(kasir).post(url(disbursed_loan, "pelunasan/"), data)
    assert refused.status_code == 422
    assert "Nomor referensi transfer wajib diisi." in refused.content.decode()
    assert login(pengawas).post(url(disbursed_loan, "pelunasan/"), data).status_code == 403
    assert snapshot() == before


# --- write-off and recovery ------------------------------------------------------------------------
def test_write_off_by_ketua_and_pengawas_then_recovery(
    disbursed_loan: Any, ketua: Any, pengawas: Any, kasir: Any
) -> None:
    assert "write_off_propose" in login(ketua).get(url(disbursed_loan)).context["forms"]
    before = snapshot()
    empty = login(ketua).post(url(disbursed_loan, "hapus-buku/usul/"), {"reason": ""})
    assert empty.status_code == 422 and "Alasan hapus buku wajib diisi." in empty.content.decode()
    assert login(kasir).post(url(disbursed_loan, "hapus-buku/usul/"), {"reason": "x"}).status_code == 403
    assert snapshot() == before

    proposed = login(ketua).post(url(disbursed_loan, "hapus-buku/usul/"), {"reason": "Pindah tanpa kabar"})
    assert proposed.status_code == 302
    assert LoanApproval.objects.get(purpose="hapus_buku").role == "ketua"
    assert "write_off_approve" not in login(ketua).get(url(disbursed_loan)).context["forms"]
    assert "Pindah tanpa kabar" in login(pengawas).get(url(disbursed_loan)).content.decode()
    before = snapshot()
    same = login(ketua).post(url(disbursed_loan, "hapus-buku/setujui/"), {"date": "2026-11-20"})
    assert same.status_code == 403
    assert "harus dari orang lain" in same.content.decode()
    assert snapshot() == before

    approved = login(pengawas).post(url(disbursed_loan, "hapus-buku/setujui/"), {"date": "2026-11-20"})
    assert approved.status_code == 302
    disbursed_loan.refresh_from_db()
    assert (disbursed_loan.status, disbursed_loan.written_off_amount, disbursed_loan.outstanding_principal) == (
        "written_off",
        9_000_000,
        0,
    )
    assert flashes(approved) == ["Pinjaman PJ-00001 dihapusbukukan: Rp 9.000.000."]

    page = login(kasir).get(url(disbursed_loan))
    assert page.context["forms"]["recover"].initial["amount"] == 9_000_000
    data = {"amount": "1.000.000", "date": "2026-11-21", "channel": "tunai", "idempotency_key": "pulih-1"}
    recovered = login(kasir).post(url(disbursed_loan, "pemulihan/"), data)
    assert recovered.status_code == 302
    txn = LoanTransaction.objects.get(idempotency_key="pulih-1")
    assert recovered["Location"] == receipt_or_detail(txn)
    assert (txn.type, txn.amount) == ("pemulihan", 1_000_000)
    disbursed_loan.refresh_from_db()
    assert disbursed_loan.recovered_amount == 1_000_000
    before = snapshot()
    over = login(kasir).post(
        url(disbursed_loan, "pemulihan/"), {**data, "amount": "9.000.000", "idempotency_key": "p2"}
    )
    assert over.status_code == 409
    assert "Sisa pinjaman yang dihapus buku Rp 8.000.000" in over.content.decode()
    assert snapshot() == before


# --- products --------------------------------------------------------------------------------------
PRODUCT_POST = {
    "name": "Pinjaman usaha",
    "method": "declining",
    "rate_pa": "9,5",
    "min_term_months": "3",
    "max_term_months": "36",
    "min_principal": "1.000.000",
    "max_principal": "25.000.000",
    "admin_fee_percent": "0,5",
    "admin_fee_amount": "10.000",
    "provision_percent": "",
    "provision_amount": "",
    "fees_deducted": "on",
    "penalty_rate_pm": "1",
    "grace_days": "5",
    "savings_multiple": "3",
    "members_only": "on",
    "is_active": "on",
}


def test_product_create_and_edit(ketua: Any, kasir: Any, coop: Any) -> None:
    client = login(ketua)
    response = client.post(PRODUCTS + "baru/", PRODUCT_POST)
    assert response.status_code == 302 and response["Location"] == PRODUCTS
    product = LoanProduct.objects.get(cooperative=coop)
    assert (product.name, product.method, product.rate_pa, product.min_term_months, product.max_term_months) == (
        "Pinjaman usaha",
        "declining",
        Decimal("9.50"),
        3,
        36,
    )
    assert (product.min_principal, product.max_principal, product.admin_fee_percent, product.admin_fee_amount) == (
        1_000_000,
        25_000_000,
        Decimal("0.50"),
        10_000,
    )
    assert (product.provision_percent, product.provision_amount, product.penalty_rate_pm, product.grace_days) == (
        Decimal("0.00"),
        0,
        Decimal("1.00"),
        5,
    )
    assert (product.savings_multiple, product.fees_deducted, product.members_only, product.is_active) == (
        Decimal("3.00"),
        True,
        True,
        True,
    )
    listing = login(kasir).get(PRODUCTS).content.decode()
    assert "Pinjaman usaha" in listing and "/ubah/" not in listing  # the kasir reads, the board edits

    edit_url = f"{PRODUCTS}{product.pk}/ubah/"
    form = client.get(edit_url).context["form"]
    assert form.initial["rate_pa"] == "9,5" and form.initial["savings_multiple"] == "3"
    changed = {**PRODUCT_POST, "rate_pa": "10", "savings_multiple": ""}
    del changed["is_active"]  # an unticked box is not sent
    assert client.post(edit_url, changed).status_code == 302
    product.refresh_from_db()
    assert (product.rate_pa, product.savings_multiple, product.is_active) == (Decimal("10.00"), None, False)


@pytest.mark.parametrize(
    ("overrides", "status", "field", "message"),
    [
        ({"rate_pa": "120"}, 422, "rate_pa", "Bunga per tahun harus antara 0 dan 100 %."),
        ({"rate_pa": "sepuluh"}, 422, "rate_pa", "Bunga per tahun harus angka persen"),
        ({"name": ""}, 422, "name", ""),
        (
            {"max_principal": "500.000"},
            422,
            "max_principal",
            "Plafon tertinggi tidak boleh kurang dari plafon terendah.",
        ),
        (
            {"max_term_months": "2"},
            422,
            "max_term_months",
            "Jangka terpanjang tidak boleh kurang dari jangka terpendek.",
        ),
        ({"grace_days": "400"}, 422, "grace_days", "Harus bilangan bulat 0–90."),
        ({"name": "Pinjaman umum"}, 409, "__all__", "Produk bernama Pinjaman umum sudah ada."),
    ],
)
def test_product_refusals_write_nothing(
    overrides: dict[str, str], status: int, field: str, message: str, bendahara: Any, product: Any
) -> None:
    before = snapshot()
    response = login(bendahara).post(PRODUCTS + "baru/", {**PRODUCT_POST, **overrides})
    assert response.status_code == status
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert snapshot() == before


def test_product_pages_refused_to_kasir_and_other_cooperatives(
    product: Any, kasir: Any, other_coop: Any, grant: Any
) -> None:
    before = snapshot()
    assert login(kasir).post(PRODUCTS + "baru/", PRODUCT_POST).status_code == 403
    assert login(kasir).post(f"{PRODUCTS}{product.pk}/ubah/", PRODUCT_POST).status_code == 403
    their_ketua = login(grant(other_coop, Role.KETUA))
    assert their_ketua.post(f"/k/lamaru/pinjaman/produk/{product.pk}/ubah/", PRODUCT_POST).status_code == 404
    assert their_ketua.post(f"{PRODUCTS}{product.pk}/ubah/", PRODUCT_POST).status_code == 404
    assert snapshot() == before


# --- settings --------------------------------------------------------------------------------------
SETTING_POST = {
    "effective_from": "2026-04-01",
    "approval_limit": "5.000.000",
    "kurang_lancar_after": "90",
    "diragukan_after": "180",
    "macet_after": "270",
    "rate_lancar": "1",
    "rate_kurang_lancar": "10",
    "rate_diragukan": "50",
    "rate_macet": "100",
}


def test_settings_create_and_refusals(ketua: Any, pengawas: Any, coop: Any) -> None:
    page = login(pengawas).get(SETTINGS)
    assert page.context["form"] is None  # the pengawas reads
    assert '<dd id="batas">Rp 10.000.000' in page.content.decode()  # the default
    response = login(ketua).post(SETTINGS, SETTING_POST)
    assert response.status_code == 302
    row = LoanSetting.objects.get(cooperative=coop)
    assert (row.effective_from, row.approval_limit, row.macet_after, row.rate_lancar, row.created_by) == (
        D(2026, 4, 1),
        5_000_000,
        270,
        Decimal("1.00"),
        ketua,
    )
    assert '<dd id="batas">Rp 5.000.000' in login(pengawas).get(SETTINGS).content.decode()
    before = snapshot()
    duplicate = login(ketua).post(SETTINGS, SETTING_POST)
    assert duplicate.status_code == 409
    assert "Pengaturan yang berlaku 01/04/2026 sudah ada." in duplicate.content.decode()
    unordered = login(ketua).post(SETTINGS, {**SETTING_POST, "effective_from": "2026-05-01", "macet_after": "100"})
    assert unordered.status_code == 422
    assert "Batas hari harus naik" in unordered.content.decode()
    rate = login(ketua).post(SETTINGS, {**SETTING_POST, "effective_from": "2026-05-01", "rate_macet": "150"})
    assert rate.status_code == 422
    assert login(pengawas).post(SETTINGS, {**SETTING_POST, "effective_from": "2026-06-01"}).status_code == 403
    assert snapshot() == before


# --- month-end ---------------------------------------------------------------------------------------
def test_month_end_runs_once_and_shows_the_result(disbursed_loan: Any, bendahara: Any, kasir: Any) -> None:
    client = login(bendahara)
    response = client.post(MONTH_END, {"date": "2026-10-31"})
    assert response.status_code == 302
    run = LoanMonthEnd.objects.get()
    # 235 days past due on 31 October → diragukan, 50 % of Rp9.000.000; penalties of instalments 1–8:
    # Rp560 a day × (232 + 201 + 171 + 140 + 110 + 79 + 48 + 18) days.
    assert (run.date, run.loans_classified, run.penalty_accrued, run.allowance_required) == (
        D(2026, 10, 31),
        1,
        559_440,
        4_500_000,
    )
    assert flashes(response) == [
        "Tutup bulan 31/10/2026 selesai: 1 pinjaman diklasifikasi, denda Rp 559.440, PPAP wajib Rp 4.500.000."
    ]
    page = client.get(MONTH_END)
    assert 'id="run-2026-10-31"' in page.content.decode()
    [(_run, classes)] = page.context["runs"]
    assert [(c["label"], c["count"], c["outstanding"], c["allowance"]) for c in classes][2] == (
        "Diragukan",
        1,
        9_000_000,
        4_500_000,
    )
    after = snapshot()
    again = client.post(MONTH_END, {"date": "2026-10-31"})
    assert flashes(again)[-1] == "Tutup bulan 31/10/2026 sudah dijalankan sebelumnya."
    assert snapshot() == after
    earlier = client.post(MONTH_END, {"date": "2026-09-30"})
    assert earlier.status_code == 409 and "lebih awal" in earlier.content.decode()
    future = client.post(MONTH_END, {"date": "2099-01-31"})
    assert future.status_code == 422 and "tidak boleh di masa depan" in future.content.decode()
    assert login(kasir).post(MONTH_END, {"date": "2026-11-01"}).status_code == 403
    assert snapshot() == after


# --- reports --------------------------------------------------------------------------------------------
def test_reports_portfolio_arrears_and_due(
    monkeypatch: Any, disbursed_loan: Any, kasir: Any, coop: Any, applied_loan: Any
) -> None:
    freeze_today(monkeypatch, D(2026, 6, 15))
    response = login(kasir).get(REPORTS)
    assert response.status_code == 200
    portfolio = response.context["portfolio"]
    assert (portfolio.total_count, portfolio.total_outstanding, portfolio.npl_outstanding) == (1, 9_000_000, 9_000_000)
    assert portfolio.npl_ratio == Decimal("100.00")
    assert portfolio.allowance_required == 900_000  # kurang lancar: 10 %
    [arrears] = [row for row, _ in response.context["arrears"]]
    assert (arrears.loan_number, arrears.days_past_due, arrears.overdue_amount) == ("PJ-00001", 97, 3_467_520)
    assert arrears.wa_link.startswith("https://wa.me/6281234567890?text=")
    page = response.content.decode()
    assert f'href="{arrears.wa_link}"' in page
    assert '<th class="num" id="total-tunggakan">Rp 3.467.520</th>' in page
    assert [(r.due_date, r.installment_no, r.amount_left) for r in response.context["due"]] == []
    week = login(kasir).get(REPORTS, {"day": "2026-07-08"})
    assert [(r.due_date, r.installment_no, r.amount_left) for r in week.context["due"]] == [
        (D(2026, 7, 10), 5, 840_000)
    ]
    assert login(kasir).get(REPORTS, {"day": "bukan tanggal"}).status_code == 422
    far = login(kasir).get(REPORTS, {"day": "9999-12-31"})
    assert far.status_code == 422 and "Tanggal laporan harus antara" in far.content.decode()


def test_reports_excel(monkeypatch: Any, disbursed_loan: Any, kasir: Any) -> None:
    freeze_today(monkeypatch, D(2026, 6, 15))
    response = login(kasir).get(REPORTS, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = [tuple(c.value for c in row) for row in load_workbook(BytesIO(response.content)).active.iter_rows(min_row=6)]
    assert rows[0] == (
        "No. pinjaman",
        "No. anggota",
        "Nama",
        "Telepon",
        "Hari tunggakan",
        "Kolektibilitas",
        "Jumlah tertunggak",
    )
    assert rows[1] == ("PJ-00001", "00001", "Budi Santoso", "+6281234567890", 97, "Kurang lancar", 3_467_520)
    assert rows[2] == (None, None, "Jumlah: 1 pinjaman", None, None, None, 3_467_520)

    portfolio = login(kasir).get(REPORTS, {"format": "xlsx", "tabel": "portofolio", "day": "2026-06-15"})
    sheet = load_workbook(BytesIO(portfolio.content)).active
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=6)]
    assert rows[0] == ("Kolektibilitas", "Pinjaman", "Sisa pokok", "Tarif PPAP (%)", "PPAP wajib")
    assert rows[1] == ("Lancar", 0, 0, 0.5, 0)
    assert rows[2] == ("Kurang lancar", 1, 9_000_000, 10, 900_000)
    assert rows[5] == ("Jumlah", 1, 9_000_000, None, 900_000)
    assert rows[6] == ("Pinjaman bermasalah (NPL)", None, 9_000_000, 100, None)


def test_reports_query_count_does_not_grow_with_loans(
    disbursed_loan: Any, coop: Any, kasir: Any, bendahara: Any, active_member: Any, product: Any
) -> None:
    client = login(kasir)
    client.get(REPORTS)
    with CaptureQueriesContext(connection) as one:
        client.get(REPORTS)
    for _ in range(4):
        loan = services.loan_apply(
            cooperative=coop,
            member=active_member,
            product=product,
            principal=1_000_000,
            term_months=6,
            applied_on=D(2026, 3, 1),
            actor=kasir,
        )
        services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=D(2026, 3, 1))
        services.loan_disburse(cooperative=coop, loan=loan, date=D(2026, 3, 2), actor=kasir)
    with CaptureQueriesContext(connection) as five:
        response = client.get(REPORTS)
    assert len(response.context["arrears"]) == 5
    assert len(five) == len(one)


# --- links from the cooperative and the member pages ---------------------------------------------------
def test_cooperative_and_member_pages_link_to_loans(
    disbursed_loan: Any, ketua: Any, kasir: Any, active_member: Any, grant: Any, coop: Any
) -> None:
    home = login(kasir).get("/k/manggar/").content.decode()
    assert f'href="{BASE}"' in home and f'href="{APPLY}"' in home
    member_page = login(kasir).get(f"/k/manggar/anggota/{active_member.pk}/")
    assert [loan.pk for loan in member_page.context["loans"]] == [disbursed_loan.pk]
    page = member_page.content.decode()
    assert f'href="{url(disbursed_loan)}"' in page and f'href="{APPLY}?member={active_member.pk}"' in page
    ketua_page = login(ketua).get(f"/k/manggar/anggota/{active_member.pk}/").content.decode()
    assert f'href="{url(disbursed_loan)}"' in ketua_page and f"{APPLY}?member=" not in ketua_page
    anggota = login(grant(coop, Role.ANGGOTA)).get("/k/manggar/").content.decode()
    assert f'href="{BASE}"' not in anggota
