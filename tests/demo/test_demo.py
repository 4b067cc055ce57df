import datetime
import io
import re
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum
from django.test import Client
from django.utils import timezone

from koperasi.cooperatives.models import BusinessUnit, Cooperative, Facility, LegalRecord, Partner, StageChange
from koperasi.core.errors import Conflict
from koperasi.core.models import AuditEvent, CooperativeRole, RegionalRole
from koperasi.demo import balikpapan
from koperasi.demo.members import MembersResult
from koperasi.demo.shop import ShopResult
from koperasi.demo.shu import ShuDemoResult
from koperasi.ledger.models import Account, JournalEntry, Period
from koperasi.ledger.services import LineInput, journal_post
from koperasi.ledger.verify import ledger_verify
from koperasi.loans.models import (
    Loan,
    LoanApproval,
    LoanInstallment,
    LoanMonthEnd,
    LoanProduct,
    LoanSetting,
    LoanTransaction,
)
from koperasi.loans.selectors import loan_position, loans_reconcile
from koperasi.members.choices import AgeGroup, age_group
from koperasi.members.identity import nik_parse
from koperasi.members.models import Member, MemberStatusChange
from koperasi.savings.models import InterestRun, SavingsAccount, SavingsSetting, SavingsTransaction, WajibBill
from koperasi.savings.selectors import savings_balances, savings_reconcile, wajib_arrears, wajib_bills
from koperasi.shop import services as shop_services
from koperasi.shop.models import (
    CashierSession,
    ConsignmentSettlement,
    GoodsReceipt,
    Product,
    ProductPrice,
    PurchaseOrder,
    Sale,
    SaleLine,
    SaleReturn,
    StockCount,
    StockCountLine,
    StockMove,
    StockTransfer,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from koperasi.shop.selectors import (
    consignment_payable,
    inventory_reconcile,
    member_purchases,
    product_het_limit,
    supplier_payables,
)
from koperasi.subsidies.calculations import Rule
from koperasi.subsidies.models import Distribution, ProgramAllocation, Recipient, SubsidyProgram
from koperasi.subsidies.selectors import program_rules, program_usage, used_by

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 24)  # the demo's months are 2026; figures below hold from late November 2026 on


def table_counts() -> dict[str, int]:
    models = [
        Cooperative,
        StageChange,
        LegalRecord,
        Facility,
        BusinessUnit,
        Partner,
        CooperativeRole,
        RegionalRole,
        AuditEvent,
        Member,
        MemberStatusChange,
        SavingsSetting,
        SavingsAccount,
        SavingsTransaction,
        WajibBill,
        InterestRun,
        JournalEntry,
        LoanSetting,
        LoanProduct,
        Loan,
        LoanApproval,
        LoanInstallment,
        LoanTransaction,
        LoanMonthEnd,
        Supplier,
        Product,
        ProductPrice,
        PurchaseOrder,
        GoodsReceipt,
        SupplierInvoice,
        SupplierPayment,
        StockTransfer,
        StockCount,
        StockMove,
        CashierSession,
        Sale,
        SaleLine,
        SaleReturn,
        ConsignmentSettlement,
    ]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["users"] = get_user_model().objects.count()
    return counts


def test_demo_follows_the_seed_articles_and_is_idempotent() -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "34 koperasi baru" in out.getvalue()
    assert "Pinjaman: 121 baru, 289 transaksi pinjaman baru." in out.getvalue()
    assert "Gerai: 121 penjualan baru." in out.getvalue()
    assert "Barang bersubsidi: 14 program, 400 penerima, 43 penyaluran baru." in out.getvalue()
    stages = dict(Cooperative.objects.values_list("kelurahan__name", "stage"))
    assert len(stages) == 34
    assert {k for k, s in stages.items() if s == "pembangunan"} == {"Graha Indah", "Sepinggan Baru", "Manggar"}
    assert sum(1 for s in stages.values() if s == "beroperasi") == 7
    assert sum(1 for s in stages.values() if s == "usulan") == 24
    operating = Cooperative.objects.filter(stage="beroperasi")
    assert set(Partner.objects.filter(cooperative__in=operating).values_list("name", flat=True)) == {
        "Perum Bulog",
        "PT Pertamina Patra Niaga",
    }
    assert Partner.objects.filter(cooperative__in=operating).count() == 14
    assert Facility.objects.filter(cooperative__stage="pembangunan", kind="gerai").count() == 3
    # the demo coop's staff
    roles = set(
        CooperativeRole.objects.filter(cooperative__code="gunung-sari-ulu").values_list("user__username", "role")
    )
    assert {
        ("ketua", "ketua"),
        ("bendahara", "bendahara"),
        ("pengawas", "pengawas"),
        ("kasir", "kasir"),
        ("anggota", "anggota"),
    } <= roles
    assert RegionalRole.objects.filter(user__username="dinas", role="dinas", region_id="64.71").exists()
    assert get_user_model().objects.get(username="dinas").check_password("koperasi-demo")

    check_members_and_savings()
    check_loans()
    check_shop()
    check_subsidies()
    check_shu()

    before = table_counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert table_counts() == before
    assert "Anggota: 0 baru, 0 transaksi simpanan baru." in out.getvalue()
    assert "Pinjaman: 0 baru, 0 transaksi pinjaman baru." in out.getvalue()
    assert "Gerai: 0 penjualan baru." in out.getvalue()
    assert "Barang bersubsidi: 0 program, 0 penerima, 0 penyaluran baru." in out.getvalue()
    assert "Tutup buku dan SHU: 0 tahun buku ditutup, 0 pembagian SHU, 0 pembayaran SHU baru." in out.getvalue()
    assert Member.objects.get(user__username="anggota").member_no == 1


def check_members_and_savings() -> None:
    """The members and savings of the operating cooperatives (demo/members.py)."""
    operating = Cooperative.objects.filter(stage="beroperasi").select_related("kelurahan")
    assert set(Member.objects.values_list("cooperative__stage", flat=True).distinct()) == {"beroperasi"}
    for coop in operating:
        members = list(Member.objects.filter(cooperative=coop))
        assert 40 <= len(members) <= 80, coop.code
        for member in members:  # valid NIKs of the cooperative's kecamatan, gender and birth date from them
            info = nik_parse(member.nik, today=TODAY)
            assert (info.region_code, info.gender, info.birth_date) == (
                coop.kelurahan.parent_id,
                member.gender,
                member.birth_date,
            )
            assert member.phone == "" or member.phone.startswith("+628")
        assert len({m.nik for m in members}) == len(members)
        # Books and sub-ledger agree; the chain is intact.
        assert [row.difference for row in savings_reconcile(cooperative=coop)] == [0, 0, 0], coop.code
        assert ledger_verify(cooperative=coop).ok, coop.code
        setting = SavingsSetting.objects.get(cooperative=coop)
        assert (setting.effective_from, setting.pokok_amount, setting.wajib_amount, setting.sukarela_rate_pa) == (
            D(2026, 6, 1),
            50_000,
            20_000,
            3,
        )
        assert set(WajibBill.objects.filter(cooperative=coop).values_list("month", flat=True)) == {
            D(2026, m, 1) for m in (7, 8, 9, 10, 11)
        }
        assert list(InterestRun.objects.filter(cooperative=coop).order_by("month").values_list("month", flat=True)) == [
            D(2026, m, 1) for m in (6, 7, 8, 9, 10)
        ]

    gsu = Cooperative.objects.get(code="gunung-sari-ulu")
    members = list(Member.objects.filter(cooperative=gsu))
    assert Counter(m.status for m in members) == {"aktif": 52, "calon": 7, "keluar": 1}
    assert Counter(m.gender for m in members) == {"L": 22, "P": 38}
    assert Counter(age_group(m.age_on(TODAY)) for m in members) == {
        AgeGroup.YOUTH: 14,
        AgeGroup.ADULT: 30,
        AgeGroup.SENIOR: 16,
    }
    assert SavingsTransaction.objects.filter(cooperative=gsu).count() == 358
    assert len(wajib_arrears(cooperative=gsu, today=TODAY)) == 16
    # Its July–September books are closed, after the members' savings in them were posted.
    assert list(Period.objects.filter(cooperative=gsu, is_closed=True).values_list("month", flat=True)) == [
        D(2026, 7, 1),
        D(2026, 8, 1),
        D(2026, 9, 1),
    ]
    third_quarter = (D(2026, 7, 1), D(2026, 9, 30))
    assert SavingsTransaction.objects.filter(cooperative=gsu, date__range=third_quarter).count() == 210
    # The one who left got every rupiah back.
    leaver = Member.objects.get(cooperative=gsu, status="keluar")
    assert leaver.left_on == D(2026, 10, 26)
    assert savings_balances(cooperative=gsu, member=leaver)["total"] == 0
    assert SavingsTransaction.objects.filter(member=leaver, type="pengembalian").count() == 3

    # The demo user "anggota" is Budi Santoso, member no. 1, and the portal shows his savings.
    budi = Member.objects.get(cooperative=gsu, user__username="anggota")
    assert (budi.member_no, budi.name, budi.status, budi.activated_on) == (1, "Budi Santoso", "aktif", D(2026, 6, 2))
    # Sukarela 500.000 + 250.000 − 150.000 + 100.000 and 3 % a year on each month's lowest balance:
    # July 1.250, August 1.253, September 1.506, October 1.510.
    assert savings_balances(cooperative=gsu, member=budi) == {
        "pokok": 50_000,
        "wajib": 80_000,
        "sukarela": 705_519,
        "total": 835_519,
    }
    bills = wajib_bills(cooperative=gsu, member=budi)
    assert [(b.month.month, b.is_paid) for b in bills] == [(7, True), (8, True), (9, True), (10, True), (11, False)]
    client = Client()
    login = client.post("/masuk/", {"username": "anggota", "password": "koperasi-demo"})
    assert login.status_code == 302
    home = client.get(login["Location"])
    assert home["Location"] == "/k/gunung-sari-ulu/saya/"
    page = client.get(home["Location"]).content.decode()
    assert "Rp 835.519" in page
    assert "1 tagihan belum dibayar: Rp 20.000" in page


LOAN_COUNTS = {
    "gunung-sari-ulu": 22,
    "lamaru": 19,
    "damai": 18,
    "sepinggan": 17,
    "baru-ilir": 15,
    "batu-ampar": 15,
    "karang-rejo": 15,
}


def check_loans() -> None:
    """The loans of the operating cooperatives (demo/loans.py)."""
    assert Counter(Loan.objects.values_list("cooperative__code", flat=True)) == LOAN_COUNTS
    for coop in Cooperative.objects.filter(stage="beroperasi"):
        assert sorted(LoanProduct.objects.filter(cooperative=coop).values_list("name", "method")) == [
            ("Pinjaman konsumtif", "flat"),
            ("Pinjaman musiman", "declining"),
            ("Pinjaman produktif UMKM", "annuity"),
        ]
        assert BusinessUnit.objects.get(cooperative=coop, code="simpan_pinjam").status == "aktif"
        assert loans_reconcile(cooperative=coop).difference == 0, coop.code
        statuses = Counter(Loan.objects.filter(cooperative=coop).values_list("status", flat=True))
        # Open applications (one for the bendahara, one above her limit for the pengawas), one
        # approved and waiting for the money, one refused; the rest disbursed.
        assert (statuses["applied"], statuses["approved"], statuses["rejected"]) == (2, 1, 1), coop.code
        assert statuses["closed"] >= 1 and statuses["active"] >= 8, coop.code
        assert not Loan.objects.filter(cooperative=coop).exclude(member__status="aktif").exists()
        assert LoanTransaction.objects.filter(cooperative=coop, type="pelunasan").count() == 1
        run = LoanMonthEnd.objects.get(cooperative=coop)
        assert run.date == D(2026, 10, 31)
        active = Loan.objects.filter(cooperative=coop, status="active").select_related("cooperative")
        live = Counter(loan_position(loan=loan, day=TODAY).collectibility for loan in active)
        if coop.code != "gunung-sari-ulu":  # default thresholds: arrears of 100+ days are kurang lancar
            assert live["kurang_lancar"] >= 1 and live["diragukan"] == live["macet"] == 0, coop.code
            assert run.summary["diragukan"]["count"] == run.summary["macet"]["count"] == 0
            for role in ("ketua", "bendahara", "pengawas"):
                officer = CooperativeRole.objects.get(cooperative=coop, role=role).user
                assert officer.username == f"{role}.{coop.code}"
                assert officer.check_password("koperasi-demo")

    gsu = Cooperative.objects.get(code="gunung-sari-ulu")
    loans = Loan.objects.filter(cooperative=gsu)
    assert Counter(loans.values_list("status", flat=True)) == {
        "active": 13,
        "closed": 5,
        "applied": 2,
        "approved": 1,
        "rejected": 1,
    }
    assert Counter(LoanTransaction.objects.filter(cooperative=gsu).values_list("type", flat=True)) == {
        "pencairan": 18,
        "angsuran": 33,
        "pelunasan": 1,
    }
    # Gunung Sari Ulu's stricter thresholds (30/60/90 days) put a loan in every class, on the
    # month-end of 31 October (with the allowance posted) and on 24 November.
    setting = LoanSetting.objects.get(cooperative=gsu)
    assert (setting.kurang_lancar_after, setting.diragukan_after, setting.macet_after) == (30, 60, 90)
    run = LoanMonthEnd.objects.get(cooperative=gsu)
    assert run.summary == {
        "lancar": {"count": 11, "outstanding": 48_789_058, "allowance": 243_945},
        "kurang_lancar": {"count": 2, "outstanding": 13_000_000, "allowance": 1_300_000},
        "diragukan": {"count": 1, "outstanding": 2_700_000, "allowance": 1_350_000},
        "macet": {"count": 1, "outstanding": 961_166, "allowance": 961_166},
    }
    assert run.allowance_required == 3_855_111 and run.journal_entry is not None
    live = {
        loan.number: loan_position(loan=loan, day=TODAY)
        for loan in loans.filter(status="active").select_related("cooperative")
    }
    assert Counter(p.collectibility for p in live.values()) == {
        "lancar": 8,
        "kurang_lancar": 2,
        "diragukan": 1,
        "macet": 2,
    }
    assert sorted(p.days_past_due for p in live.values() if p.days_past_due) == [16, 42, 57, 67, 93, 134]
    # Above the bendahara's Rp10.000.000: the ketua and the pengawas both approved; one waits for the pengawas.
    board = loans.get(loan_no=13)
    assert (board.principal, board.status) == (25_000_000, "active")
    assert list(board.approvals.values_list("role", flat=True)) == ["ketua", "pengawas"]
    waiting = loans.get(loan_no=20)
    assert (waiting.principal, waiting.status, waiting.needs_board) == (20_000_000, "applied", True)
    assert list(waiting.approvals.values_list("role", flat=True)) == ["ketua"]
    rejected = loans.get(status="rejected")
    assert rejected.rejection_reason.startswith("Kemampuan bayar belum cukup")
    # Paid off early: the interest of the periods after the running one is waived.
    payoff = LoanTransaction.objects.get(cooperative=gsu, type="pelunasan")
    assert (payoff.loan.number, payoff.amount, payoff.principal, payoff.interest) == (
        "PJ-00004",
        3_400_052,
        3_366_389,
        33_663,
    )
    assert sum(payoff.loan.installments.values_list("interest_waived", flat=True)) == 50_915

    # Budi (the portal user): Rp6.000.000 productive loan over 12 months at 12 % (annuity),
    # 1 % admin + 1 % provisi taken at disbursement, four instalments paid.
    budi = loans.get(member__member_no=1)
    assert (budi.number, budi.status, budi.principal, budi.disbursed_on) == (
        "PJ-00007",
        "active",
        6_000_000,
        D(2026, 7, 10),
    )
    assert (budi.admin_fee, budi.provision_fee, budi.outstanding_principal, budi.interest_paid) == (
        60_000,
        60_000,
        4_079_054,
        211_425,
    )
    assert list(budi.transactions.values_list("type", "amount")) == [
        ("pencairan", 5_880_000),
        ("angsuran", 533_093),
        ("angsuran", 533_092),  # annuity parts rounded cumulatively (ADR 0004)
        ("angsuran", 533_093),
        ("angsuran", 533_093),
    ]
    assert live["PJ-00007"].collectibility == "lancar" and live["PJ-00007"].next_due_date == D(2026, 12, 10)


SALE_COUNTS = {
    "gunung-sari-ulu": 36,
    "lamaru": 15,
    "damai": 14,
    "sepinggan": 15,
    "baru-ilir": 14,
    "batu-ampar": 14,
    "karang-rejo": 13,
}


def check_shop() -> None:
    """The gerai of the operating cooperatives (demo/shop.py): real purchases, stock and sales."""
    assert Counter(Sale.objects.values_list("cooperative__code", flat=True)) == SALE_COUNTS
    # No monthly summaries any more: stock, sales and their cost are the shop's own postings.
    for memo in ("Rekap penjualan gerai", "Pembelian sembako dari Perum Bulog", "Pembayaran ke Perum Bulog"):
        assert not JournalEntry.objects.filter(memo__startswith=memo).exists()
    for coop in Cooperative.objects.filter(stage="beroperasi").select_related("kelurahan"):
        products = {p.sku: p for p in Product.objects.filter(cooperative=coop).select_related("consignor")}
        assert len(products) == 28, coop.code
        assert inventory_reconcile(cooperative=coop).difference == 0, coop.code
        assert sorted(Supplier.objects.filter(cooperative=coop).values_list("kind", flat=True)) == [
            "bulog",
            "distributor",
            "pertamina",
            "umkm",
        ]
        umkm = Supplier.objects.get(cooperative=coop, kind="umkm")
        assert umkm.member is not None and umkm.member.status == "aktif"
        consigned = sorted((p.sku, p.commission_percent) for p in products.values() if p.consignor_id == umkm.pk)
        assert consigned == [("AMP", 10), ("KRP", 10), ("SMB", 10)], coop.code
        # Every price within its HET (Balikpapan: zone 2 rice, LPG Rp19.000, MinyaKita Rp15.700).
        for product in products.values():
            limit = product_het_limit(cooperative=coop, product=product, date=D(2026, 10, 1))
            assert limit is None or product.price <= limit, product.sku
        assert (products["SPHP5"].price, products["LPG3"].price, products["MK1"].price) == (65_500, 19_000, 15_700)
        # Tills closed with the cash they should hold; one return, one stock count, the UMKM paid.
        assert not CashierSession.objects.filter(cooperative=coop).exclude(status="closed", variance=0).exists()
        assert SaleReturn.objects.filter(cooperative=coop, status="approved").count() == 1, coop.code
        assert StockCount.objects.get(cooperative=coop).variance_value < 0  # MinyaKita and noodles short
        assert ConsignmentSettlement.objects.filter(cooperative=coop).count() == 1
        assert PurchaseOrder.objects.get(cooperative=coop).status == "received"
        assert GoodsReceipt.objects.filter(cooperative=coop, order__isnull=False).count() == 2
        assert not Sale.objects.filter(cooperative=coop).exclude(date__range=(D(2026, 7, 1), D(2026, 10, 31))).exists()

    gsu = Cooperative.objects.get(code="gunung-sari-ulu")
    sales = Sale.objects.filter(cooperative=gsu)
    assert sum(sales.values_list("total", flat=True)) == 96_623_000
    assert Counter(sales.values_list("payment_method", flat=True)) == {"tunai": 18, "transfer": 16, "qris": 2}
    assert set(sales.values_list("created_by__username", flat=True)) == {"kasir"}
    assert sales.filter(is_member_sale=True).count() == 19
    sessions = CashierSession.objects.filter(cooperative=gsu)
    assert sessions.count() == 8 and set(sessions.values_list("cashier__username", flat=True)) == {"kasir"}
    # Revenue by buyer (member or not), commission, cost of goods and the count shortage, as booked.
    assert gerai_income(gsu) == {
        "4-1100": 51_754_800,
        "4-2100": 44_417_500,
        "4-1500": 43_500,
        "5-1100": 83_187_500,
        "5-2800": 36_250,
    }
    # A leaking bottle of MinyaKita came back from Budi: asked by the kasir, approved by the bendahara,
    # refunded from the kasir's till of that day.
    refund = SaleReturn.objects.select_related("sale", "requested_by", "decided_by", "session").get(cooperative=gsu)
    assert (refund.sale.sale_no, refund.amount, refund.reason) == (
        "NT-000015",
        15_700,
        "Kemasan bocor, dikembalikan pembeli",
    )
    assert (refund.requested_by.username, refund.decided_by.username, refund.session.session_no) == (
        "kasir",
        "bendahara",
        "SK-000005",
    )
    # Stock count at the gerai on 30 September: two bottles and three packs short, at average cost.
    assert list(
        StockCountLine.objects.filter(cooperative=gsu)
        .exclude(variance_value=0)
        .values_list("product__sku", "system_qty", "counted_qty", "variance_value")
    ) == [("MK1", 532, 530, -27_400), ("MIEG", 401, 398, -8_850)]
    # Bulog's order came in two parts (received by the kasir), invoiced and paid; September's
    # delivery is half paid. The distributor is paid up; the UMKM was paid for July–September.
    receipts = GoodsReceipt.objects.filter(cooperative=gsu, order__isnull=False).order_by("date")
    assert [(r.receipt_no, r.date, r.total, r.created_by.username) for r in receipts] == [
        ("TB-000001", D(2026, 7, 6), 37_672_000, "kasir"),
        ("TB-000004", D(2026, 7, 13), 7_540_000, "kasir"),
    ]
    assert list(
        SupplierInvoice.objects.filter(cooperative=gsu).order_by("date").values_list("invoice_no", "amount", "paid")
    ) == [
        ("BLG/KTM/17/VII/2026", 45_212_000, 45_212_000),
        ("SR-170726", 24_677_600, 24_677_600),
        ("BLG/KTM/17/IX/2026", 39_182_000, 19_591_000),
    ]
    payables = {Supplier.objects.get(pk=pk).kind: owed for pk, owed in supplier_payables(cooperative=gsu).items()}
    assert payables == {"bulog": 19_591_000, "distributor": 0}
    assert SupplierPayment.objects.filter(cooperative=gsu).count() == 3
    umkm = Supplier.objects.get(cooperative=gsu, kind="umkm")
    assert ConsignmentSettlement.objects.get(cooperative=gsu).amount == 391_500
    assert consignment_payable(cooperative=gsu, consignor=umkm) == 0  # nothing of hers sold in October
    # Eggs went up on 1 September; the stock left is worth what the books say.
    eggs = Product.objects.get(cooperative=gsu, sku="TLR1")
    assert list(ProductPrice.objects.filter(product=eggs).values_list("effective_from", "price")) == [
        (D(2026, 9, 1), 32_500),
        (D(2026, 7, 1), 31_000),
    ]
    assert inventory_reconcile(cooperative=gsu).products == 27_831_850
    # Budi (the portal user) shops every month: his purchases count for SHU (jasa usaha).
    budi = Member.objects.get(cooperative=gsu, member_no=1)
    assert member_purchases(cooperative=gsu, start=D(2026, 1, 1), end=D(2026, 12, 31))[budi.pk] == 607_600


DISTRIBUTIONS = {
    ("gunung-sari-ulu", "LPG3"): 14,
    ("gunung-sari-ulu", "SPHP5"): 5,
    ("baru-ilir", "LPG3"): 5,
    ("baru-ilir", "SPHP5"): 1,
    ("batu-ampar", "LPG3"): 5,
    ("karang-rejo", "LPG3"): 3,
    ("sepinggan", "LPG3"): 3,
    ("damai", "LPG3"): 2,
    ("damai", "SPHP5"): 1,
    ("lamaru", "LPG3"): 2,
    ("lamaru", "SPHP5"): 2,
}
RECIPIENTS = {
    "sepinggan": 69,
    "baru-ilir": 68,
    "batu-ampar": 57,
    "damai": 57,
    "gunung-sari-ulu": 57,
    "karang-rejo": 50,
    "lamaru": 42,
}
MOVED_AWAY_NIK = "6471041803808000"  # Rudi Hartono at Gunung Sari Ulu, the README's refusal at the till


def check_subsidies() -> None:
    """The LPG 3 kg and SPHP programmes of the operating cooperatives (demo/subsidies.py), sold through the till."""
    operating = list(Cooperative.objects.filter(stage="beroperasi"))
    for coop in operating:
        programs = {p.product.sku: p for p in SubsidyProgram.objects.filter(cooperative=coop).select_related("product")}
        assert set(programs) == {"LPG3", "SPHP5"}, coop.code
        lpg, sphp = programs["LPG3"], programs["SPHP5"]
        assert (lpg.partner, lpg.price, lpg.valid_from, lpg.valid_to, lpg.monthly_allocation) == (
            "PT Pertamina Patra Niaga",
            19_000,
            D(2026, 7, 1),
            None,
            300,
        )
        assert lpg.categories == ["rumah_tangga", "usaha_mikro", "petani", "nelayan"]
        assert program_rules(lpg) == [
            Rule(per="kk", period="month", max_qty=10),
            Rule(per="nik", period="day", max_purchases=1),
        ]
        assert (sphp.partner, sphp.price, sphp.categories) == ("Perum Bulog", 65_500, ["rumah_tangga"])
        assert program_rules(sphp) == [Rule(per="nik", period="day", max_qty=2)]
        assert list(
            ProgramAllocation.objects.filter(program=lpg).order_by("month").values_list("month__month", "qty")
        ) == [(7, 300), (8, 280), (9, 300), (10, 300)]
        assert ProgramAllocation.objects.filter(program=sphp).count() == 2  # Bulog's July and September deliveries
        recipients = Recipient.objects.filter(cooperative=coop)
        categories = Counter(recipients.values_list("category", flat=True))
        assert categories["usaha_mikro"] == 5 and categories["nelayan"] == 1, coop.code
        assert all(len(nib) == 13 for nib in recipients.filter(category="usaha_mikro").values_list("nib", flat=True))
        assert list(recipients.filter(is_active=False).values_list("name", "deactivated_on")) == [
            ("Rudi Hartono", D(2026, 9, 1))
        ]
        # Most of the aktif members are registered, with their NIK and KK, linked to the member.
        aktif = Member.objects.filter(cooperative=coop, status="aktif").count()
        linked = recipients.filter(member__isnull=False)
        assert aktif * 2 // 3 <= linked.count() < aktif, coop.code
        assert not linked.exclude(member__nik=F("nik")).exists() and not linked.exclude(member__kk=F("kk")).exists()
        assert ledger_verify(cooperative=coop).ok, coop.code
    assert Counter(Recipient.objects.values_list("cooperative__code", flat=True)) == RECIPIENTS

    # Every LPG and SPHP sale line is in the logbook, at the programme's price, with the buyer's NIK.
    distributions = Distribution.objects.select_related("sale", "sale_line", "program", "recipient", "product")
    assert Counter(distributions.values_list("cooperative__code", "product__sku")) == DISTRIBUTIONS
    assert SaleLine.objects.filter(product__sku__in=["LPG3", "SPHP5"]).count() == distributions.count() == 43
    for row in distributions:
        assert (row.qty, row.unit_price) == (row.sale_line.qty, row.program.price)
        assert row.recipient is not None and (row.nik, row.kk) == (row.recipient.nik, row.recipient.kk)
        assert D(2026, 7, 1) <= row.date <= D(2026, 10, 31)
        recorded = timezone.localtime(row.recorded_at)  # the sale's time that day, in opening hours
        assert (recorded.date(), recorded.time() >= datetime.time(8)) == (row.date, True)
        assert recorded == timezone.localtime(row.sale.created_at)
        if row.product.sku == "LPG3":
            assert re.fullmatch(rf"MAP-{row.date:%y%m}-\d{{6}}", row.partner_reference), row.partner_reference
    assert Counter(distributions.values_list("category", flat=True)) == {"usaha_mikro": 22, "rumah_tangga": 21}
    # Within every quota: 10 tabung per KK a month and one purchase per NIK a day; 2 SPHP per NIK a day.
    lpg_rows = distributions.filter(product__sku="LPG3").order_by()
    per_kk_month = lpg_rows.values("cooperative", "kk", "date__month").annotate(q=Sum("qty"))
    assert max(r["q"] for r in per_kk_month) == 10
    per_nik_day = lpg_rows.values("cooperative", "nik", "date").annotate(n=Count("sale", distinct=True))
    assert max(r["n"] for r in per_nik_day) == 1
    sphp_rows = distributions.filter(product__sku="SPHP5").order_by().values("cooperative", "nik", "date")
    assert max(r["q"] for r in sphp_rows.annotate(q=Sum("qty"))) == 2
    # The kitchen at its KK's limit in August (7 + 3 tabung), as the till's selector counts it.
    gsu = Cooperative.objects.get(code="gunung-sari-ulu")
    lpg = SubsidyProgram.objects.get(cooperative=gsu, product__sku="LPG3")
    kitchen = Recipient.objects.get(cooperative=gsu, business_name="Warung Makan Sederhana")
    assert list(Distribution.objects.filter(recipient=kitchen).values_list("date", "qty", "reached_limit")) == [
        (D(2026, 8, 11), 7, False),
        (D(2026, 8, 22), 3, True),  # the KK's 10th tabung of August
    ]
    used = used_by(
        cooperative=gsu,
        product_id=lpg.product_id,
        rules=program_rules(lpg),
        day=D(2026, 8, 31),
        nik=kitchen.nik,
        kk=kitchen.kk,
    )
    assert [(u.qty, u.purchases) for u in used.values()] == [(10, 2), (0, 0)]
    assert program_usage(cooperative=gsu, program=lpg, nik=kitchen.nik, day=D(2026, 8, 31)).remaining == 0
    assert program_usage(cooperative=gsu, program=lpg, nik=kitchen.nik, day=D(2026, 9, 1)).remaining == 10
    # Budi buys one tabung and one pack of SPHP every month with his card.
    budi = Member.objects.get(cooperative=gsu, member_no=1)
    assert list(
        Distribution.objects.filter(nik=budi.nik)
        .order_by("date", "product__sku")
        .values_list("date__month", "product__sku", "qty")
    ) == [(m, sku, 1) for m in (7, 8, 9, 10) for sku in ("LPG3", "SPHP5")]

    # At the till today: the household that moved away and an unregistered NIK are refused, nothing written.
    kasir = get_user_model().objects.get(username="kasir")
    shop_services.cashier_session_open(cooperative=gsu, opening_float=100_000, actor=kasir)
    gas = Product.objects.get(cooperative=gsu, sku="LPG3")
    before = (Sale.objects.count(), Distribution.objects.count())
    for nik, code, says in (
        (MOVED_AWAY_NIK, "recipient_inactive", "Pindah domisili ke Samarinda"),
        ("6471044101900003", "recipient_not_registered", "belum terdaftar"),
    ):
        with pytest.raises(Conflict) as refused:
            shop_services.sale_create(
                cooperative=gsu,
                date=TODAY,
                lines=[shop_services.SaleLineInput(gas, 1)],
                payment_method="tunai",
                cash_received=20_000,
                buyer_nik=nik,
                actor=kasir,
            )
        assert refused.value.code == code and says in refused.value.message
    assert (Sale.objects.count(), Distribution.objects.count()) == before
    # A registered member buys: the logbook gets the row.
    shop_services.sale_create(
        cooperative=gsu,
        date=TODAY,
        lines=[shop_services.SaleLineInput(gas, 1)],
        payment_method="tunai",
        cash_received=20_000,
        member=budi,
        partner_reference="MAP-2611-000001",
        actor=kasir,
    )
    assert Distribution.objects.filter(nik=budi.nik, date=TODAY).count() == 1
    with pytest.raises(Conflict) as again:  # one purchase per NIK a day (the README's example)
        shop_services.sale_create(
            cooperative=gsu,
            date=TODAY,
            lines=[shop_services.SaleLineInput(gas, 1)],
            payment_method="tunai",
            cash_received=20_000,
            member=budi,
            actor=kasir,
        )
    assert again.value.code == "quota_exceeded" and "sudah membeli 1 kali hari ini" in again.value.message


# demo/shu.py: tahun buku 2025 of three operating cooperatives, closed in January 2026.
# (income, expense, surplus, from members, from non-members). Batu Ampar: 360 packs of SPHP at
# Rp65.500 (141 to members), bought at Rp55.000, transport Rp300.000 (gerai), stationery
# Rp385.000 (office); the gerai's Rp3.480.000 is split by its non-member revenue (219 of 360
# packs): Rp2.117.000; the office's −Rp385.000 likewise: −Rp234.208 (ADR 0007).
YEAR_2025 = {
    "batu-ampar": (23_580_000, 20_485_000, 3_095_000, 1_212_208, 1_882_792),
    "damai": (20_960_000, 18_285_000, 2_675_000, 1_053_281, 1_621_719),
    "karang-rejo": (18_340_000, 16_085_000, 2_255_000, 885_893, 1_369_107),
}


def check_shu() -> None:
    """Tahun buku 2025 closed in three cooperatives, SHU approved and mostly paid in two (demo/shu.py)."""
    from koperasi.ledger.selectors import totals_between
    from koperasi.shu.models import FiscalYear, ShuDistribution, ShuFundSpend, ShuMemberShare, ShuPolicy
    from koperasi.shu.selectors import DEFAULT_ALLOCATION, fund_balances, payment_summary, policy_in_force

    years = FiscalYear.objects.select_related("cooperative", "closing_entry")
    assert {
        f.cooperative.code: (f.total_income, f.total_expense, f.surplus, f.surplus_members, f.surplus_non_members)
        for f in years
    } == YEAR_2025
    for fiscal_year in years:
        coop = fiscal_year.cooperative
        assert (fiscal_year.year, fiscal_year.status, fiscal_year.closed_by.username) == (
            2025,
            "ditutup",
            f"bendahara.{coop.code}",
        )
        assert fiscal_year.closing_entry.date == D(2025, 12, 31)
        assert Period.objects.filter(cooperative=coop, month__year=2025, is_closed=True).count() == 12
        # Nine founders joined on the akta date (member no. 1–9); the 2026 members follow from no. 10.
        founders = Member.objects.filter(cooperative=coop, joined_on=D(2025, 7, 28))
        assert sorted(founders.values_list("member_no", flat=True)) == list(range(1, 10))
        assert set(founders.values_list("status", flat=True)) == {"aktif"}
        assert {m.nik[-4:] for m in founders} == {f"{9000 + n}" for n in range(1, 10)}
        assert not Member.objects.filter(cooperative=coop, joined_on__year=2025).exclude(pk__in=founders).exists()
        # The 2026 demo draws no loan, sale or subsidy recipient from them; no 2025 savings setting.
        assert not Loan.objects.filter(member__in=founders).exists()
        assert not Sale.objects.filter(member__in=founders).exists()
        assert not Recipient.objects.filter(member__in=founders).exists()
        assert SavingsSetting.objects.filter(cooperative=coop).count() == 1
        # The founders' SHU rules (from 2025): cadangan 40, jasa modal 40, four funds of 5.
        founding = policy_in_force(cooperative=coop, year=2025)
        assert [(line.pool, line.percent) for line in founding.lines] == [
            ("cadangan", 40),
            ("jasa_modal", 40),
            ("dana_pengurus", 5),
            ("dana_pendidikan", 5),
            ("dana_sosial", 5),
            ("dana_pembangunan_daerah_kerja", 5),
        ]
    assert {f.cooperative.code for f in years} == {"batu-ampar", "damai", "karang-rejo"}
    assert not FiscalYear.objects.filter(cooperative__code="gunung-sari-ulu").exists()

    # Batu Ampar's RAT of 14 March 2026 shared Rp1.212.208: jasa modal 40 % over pokok + wajib of
    # Rp1.290.000 (six founders Rp150.000, one Rp130.000, one Rp90.000, one Rp170.000).
    bta = Cooperative.objects.get(code="batu-ampar")
    distribution = ShuDistribution.objects.get(cooperative=bta)
    assert (distribution.year, distribution.rat_date, distribution.decision_number) == (
        2025,
        D(2026, 3, 14),
        "03/RAT/KKMP-BTA/III/2026",
    )
    assert [p["amount"] for p in distribution.pools] == [484_885, 484_883, 60_610, 60_610, 60_610, 60_610]
    assert (distribution.shu_total, distribution.members_total, distribution.remainder) == (1_212_208, 484_878, 5)
    assert distribution.non_member_amount == 1_882_792
    shares = ShuMemberShare.objects.filter(distribution=distribution).select_related("member")
    assert [
        (s.member.member_no, s.capital_base, s.jasa_modal, s.jasa_usaha, s.payment_method)
        for s in shares.order_by("member__member_no")
    ] == [
        (1, 150_000, 56_381, 0, "sukarela"),
        (2, 150_000, 56_381, 0, "tunai"),
        (3, 150_000, 56_381, 0, "sukarela"),
        (4, 150_000, 56_381, 0, "tunai"),
        (5, 130_000, 48_864, 0, "tunai"),  # skipped December's wajib
        (6, 150_000, 56_381, 0, "tunai"),
        (7, 150_000, 56_381, 0, ""),
        (8, 90_000, 33_829, 0, ""),  # stopped after September
        (9, 170_000, 63_899, 0, ""),  # paid January 2026 ahead in December
    ]
    summary = payment_summary(cooperative=bta, distribution=distribution)
    assert (summary.paid_members, summary.paid_total, summary.unpaid_members, summary.unpaid_total) == (
        6,
        330_769,
        3,
        154_109,
    )
    # What is unpaid is what 2-1500 still owes; the RAT adopted the domain.md §11 rules from 2026.
    payable = Account.objects.get(cooperative=bta, code="2-1500")
    debit, credit = totals_between(cooperative=bta, start=None, end=TODAY)[payable.pk]
    assert credit - debit == 154_109
    assert policy_in_force(cooperative=bta, year=2026).lines == DEFAULT_ALLOCATION
    # The bendahara paid a training out of dana pendidikan; the other funds are untouched.
    spend = ShuFundSpend.objects.get()
    assert (spend.cooperative, spend.fund, spend.amount, spend.date, spend.channel) == (
        bta,
        "dana_pendidikan",
        50_000,
        D(2026, 4, 25),
        "tunai",
    )
    assert [(f.key, f.credited, f.balance) for f in fund_balances(cooperative=bta)] == [
        ("dana_pengurus", 60_610, 60_610),
        ("dana_pendidikan", 60_610, 10_610),
        ("dana_sosial", 60_610, 60_610),
        ("dana_pembangunan_daerah_kerja", 60_610, 60_610),
    ]
    # Damai: all but one paid. Karang Rejo: closed, its rules saved, no RAT yet (the approval page's work).
    dmi = ShuDistribution.objects.get(cooperative__code="damai")
    assert (dmi.rat_date, dmi.shu_total, dmi.members_total) == (D(2026, 3, 28), 1_053_281, 421_305)
    assert payment_summary(cooperative=dmi.cooperative, distribution=dmi).unpaid_members == 1
    assert not ShuDistribution.objects.filter(cooperative__code="karang-rejo").exists()
    assert list(ShuPolicy.objects.filter(cooperative__code="karang-rejo").values_list("effective_year", flat=True)) == [
        2025
    ]
    # The first founder of Batu Ampar is the portal user anggota.batu-ampar; his SHU went into sukarela.
    first = Member.objects.get(cooperative=bta, member_no=1)
    assert first.user is not None and first.user.username == "anggota.batu-ampar"
    assert savings_balances(cooperative=bta, member=first)["sukarela"] > 750_000 + 56_381  # + 2026 interest
    client = Client()
    login = client.post("/masuk/", {"username": "anggota.batu-ampar", "password": "koperasi-demo"})
    assert client.get(login["Location"])["Location"] == "/k/batu-ampar/saya/"


def gerai_income(coop: Cooperative) -> dict[str, int]:
    """The gerai's lines of the 2026 income statement: sales, commission, cost of goods, stock variance."""
    from koperasi.ledger.selectors import totals_between

    codes = dict(Account.objects.filter(cooperative=coop).values_list("pk", "code"))
    totals = totals_between(cooperative=coop, start=D(2026, 1, 1), end=D(2026, 12, 31))
    out = {}
    for pk, (debit, credit) in totals.items():
        code = codes[pk]
        if code in ("4-1100", "4-2100", "4-1500"):
            out[code] = credit - debit
        elif code in ("5-1100", "5-2800"):
            out[code] = debit - credit
    return out


def test_members_of_cooperatives_loaded_before_them_are_added(monkeypatch: Any) -> None:
    # A database loaded by an older demo: operating cooperatives without members, Gunung Sari
    # Ulu's July–September closed. Loading again adds the members where the books allow it.
    monkeypatch.setattr(balikpapan, "demo_members_load", lambda coop, serial, actor: MembersResult())
    monkeypatch.setattr(balikpapan, "demo_shu_load", lambda coop, actor: ShuDemoResult())  # nor 2025
    call_command("load_demo", stdout=io.StringIO())
    assert not Member.objects.exists()
    monkeypatch.undo()

    out = io.StringIO()
    call_command("load_demo", stdout=out)

    assert "Koperasi Kelurahan Merah Putih Gunung Sari Ulu: anggota demo tidak dimuat" in out.getvalue()
    with_members = set(Member.objects.values_list("cooperative__code", flat=True).distinct())
    assert with_members == {"lamaru", "baru-ilir", "batu-ampar", "karang-rejo", "sepinggan", "damai"}
    assert not SavingsSetting.objects.filter(cooperative__code="gunung-sari-ulu").exists()
    for coop in Cooperative.objects.filter(code__in=with_members):
        assert [row.difference for row in savings_reconcile(cooperative=coop)] == [0, 0, 0]
    # Their loans come with their members; Gunung Sari Ulu, without members, has none.
    assert set(Loan.objects.values_list("cooperative__code", flat=True).distinct()) == with_members
    assert not LoanProduct.objects.filter(cooperative__code="gunung-sari-ulu").exists()
    # So does the gerai (its buyers are members); Gunung Sari Ulu, without members, has none.
    assert set(Product.objects.values_list("cooperative__code", flat=True).distinct()) == with_members
    assert set(Sale.objects.values_list("cooperative__code", flat=True).distinct()) == with_members
    for coop in Cooperative.objects.filter(code__in=with_members):
        assert inventory_reconcile(cooperative=coop).difference == 0
    assert not Product.objects.filter(cooperative__code="gunung-sari-ulu").exists()
    # Their 2025 came first (it needs the savings of 2026 not yet there), founders before the members.
    from koperasi.shu.models import FiscalYear

    assert set(FiscalYear.objects.values_list("cooperative__code", flat=True)) == {"batu-ampar", "damai", "karang-rejo"}
    founders = Member.objects.filter(joined_on=D(2025, 7, 28))
    assert Counter(founders.values_list("cooperative__code", flat=True)) == dict.fromkeys(
        ("batu-ampar", "damai", "karang-rejo"), 9
    )
    assert set(founders.values_list("member_no", flat=True)) == set(range(1, 10))


def test_books_of_an_older_demo_keep_their_gerai_summaries(monkeypatch: Any) -> None:
    # A database loaded before the gerai had stock: its books hold monthly sales summaries.
    # Loading again leaves those cooperatives' gerai alone (real sales on top would count twice).
    monkeypatch.setattr(balikpapan, "demo_shop_load", lambda coop, serial, actor: ShopResult())
    monkeypatch.setattr(balikpapan, "demo_shu_load", lambda coop, actor: ShuDemoResult())  # nor 2025
    call_command("load_demo", stdout=io.StringIO())
    monkeypatch.undo()
    lamaru = Cooperative.objects.get(code="lamaru")
    journal_post(
        cooperative=lamaru,
        date=D(2026, 10, 28),
        lines=[LineInput(account="1-1100", debit=1_000), LineInput(account="4-1100", credit=1_000)],
        memo="Rekap penjualan gerai Juli",
        source="demo",
        idempotency_key="demo-jual-7",
        actor=get_user_model().objects.get(username="admin"),
    )

    out = io.StringIO()
    call_command("load_demo", stdout=out)

    assert "Lamaru: gerai demo tidak dimuat (buku demo lama sudah berisi rekap penjualan)." in out.getvalue()
    # Gunung Sari Ulu's July–September are closed: its gerai cannot be added either.
    assert "Gunung Sari Ulu: gerai demo tidak dimuat (Periode 07/2026 sudah ditutup" in out.getvalue()
    assert set(Product.objects.values_list("cooperative__code", flat=True).distinct()) == {
        "baru-ilir",
        "batu-ampar",
        "karang-rejo",
        "sepinggan",
        "damai",
    }
    assert "Gerai: 70 penjualan baru." in out.getvalue()
    # Its 2026 savings (interest paid to October) leave no room for a 2025 under them: nothing of it is written.
    from koperasi.shu.models import FiscalYear

    for name in ("Batu Ampar", "Damai", "Karang Rejo"):
        assert (
            f"Koperasi Kelurahan Merah Putih {name}: tahun buku 2025 demo tidak dimuat (Bunga simpanan bulan 10/2026"
            in out.getvalue()
        )
    assert not FiscalYear.objects.exists()
    assert not Member.objects.filter(joined_on__year=2025).exists()


def test_bootstrap_admin_needs_a_password(monkeypatch) -> None:
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="ADMIN_PASSWORD"):
        call_command("bootstrap_admin", stdout=io.StringIO())
    monkeypatch.setenv("ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="terlalu lemah"):
        call_command("bootstrap_admin", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
    monkeypatch.setenv("ADMIN_PASSWORD", "Kota-Balikpapan-2026")
    call_command("bootstrap_admin", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("Kota-Balikpapan-2026")
    assert RegionalRole.objects.filter(user=admin, role="admin").count() == 1
    assert Cooperative.objects.count() == 0  # a real set-up starts empty: reference data only
    call_command("bootstrap_admin", stdout=io.StringIO())
    assert get_user_model().objects.count() == 1
