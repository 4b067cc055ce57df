"""Portfolio reports (live, as of a day): collectibility and NPL, aging, arrears with reminders, dues.

The portfolio is ``test_month_end.portfolio_case`` (five Manggar loans, one in each place, and
one Lamaru loan); the figures on 31 October 2026 are worked out in that module's docstring.
Overdue amounts include the penalty a repayment on the day would charge first:
M 3.360.000 + 460.876, D 6.720.000 + 559.440, KL 2.200.000 + 93.499, L1 186.666 + 1.617.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest

from koperasi.core.errors import ValidationError
from koperasi.loans import reports
from koperasi.loans.month_end import loans_month_end
from tests.loans import test_month_end as month_end_case

pytestmark = pytest.mark.django_db

# The portfolio and its helpers, shared with the batch tests.
lend = month_end_case.lend
member_in = month_end_case.member_in
portfolio_case = month_end_case.portfolio_case
RUN = month_end_case.RUN

D = datetime.date
OVERDUE = {"M": 3_820_876, "D": 7_279_440, "KL": 2_293_499, "L1": 188_283}


def test_portfolio_by_collectibility(portfolio_case: dict[str, Any], coop: Any) -> None:
    result = reports.portfolio(cooperative=coop, day=RUN)
    assert [(r.collectibility, r.label, r.count, r.outstanding, r.rate, r.allowance) for r in result.rows] == [
        ("lancar", "Lancar", 2, 3_000_000, Decimal("0.5"), 15_000),
        ("kurang_lancar", "Kurang lancar", 1, 4_500_000, Decimal("10"), 450_000),
        ("diragukan", "Diragukan", 1, 9_000_000, Decimal("50"), 4_500_000),
        ("macet", "Macet", 1, 3_000_000, Decimal("100"), 3_000_000),
    ]
    assert (result.total_count, result.total_outstanding, result.npl_outstanding) == (5, 19_500_000, 16_500_000)
    assert result.npl_ratio == Decimal("84.62")  # 16.500.000 / 19.500.000
    assert (result.allowance_required, result.allowance_booked, result.allowance_shortfall) == (
        7_965_000,
        0,
        7_965_000,
    )

    loans_month_end(cooperative=coop, date=RUN, actor=None)
    after = reports.portfolio(cooperative=coop, day=RUN)
    assert (after.allowance_required, after.allowance_booked, after.allowance_shortfall) == (7_965_000, 7_965_000, 0)
    assert after.rows == result.rows
    assert reports.portfolio(cooperative=coop, day=D(2026, 10, 30)).allowance_booked == 0  # booked on the 31st


def test_portfolio_on_an_earlier_day(portfolio_case: dict[str, Any], coop: Any) -> None:
    result = reports.portfolio(cooperative=coop, day=D(2026, 9, 30))
    # L2 is not disbursed yet; L1 has nothing due; KL is 82 days late (lancar); M 345 days (diragukan).
    assert [(r.collectibility, r.count, r.outstanding) for r in result.rows] == [
        ("lancar", 2, 6_500_000),
        ("kurang_lancar", 0, 0),
        ("diragukan", 2, 12_000_000),
        ("macet", 0, 0),
    ]
    assert (result.npl_outstanding, result.npl_ratio) == (12_000_000, Decimal("64.86"))  # 12 / 18,5


def test_portfolio_without_loans(coop: Any) -> None:
    result = reports.portfolio(cooperative=coop, day=RUN)
    assert [(r.count, r.outstanding, r.allowance) for r in result.rows] == [(0, 0, 0)] * 4
    assert (result.total_count, result.total_outstanding, result.npl_outstanding) == (0, 0, 0)
    assert result.npl_ratio == Decimal("0")
    assert (result.allowance_required, result.allowance_booked) == (0, 0)


def test_aging_lists_every_bucket(portfolio_case: dict[str, Any], coop: Any) -> None:
    expected = [
        ("0", 1, 1_000_000, 0),
        ("1–30", 1, 2_000_000, OVERDUE["L1"]),
        ("31–90", 0, 0, 0),
        ("91–180", 1, 4_500_000, OVERDUE["KL"]),
        ("181–360", 1, 9_000_000, OVERDUE["D"]),
        ("> 360", 1, 3_000_000, OVERDUE["M"]),
    ]
    rows = reports.aging(cooperative=coop, day=RUN)
    assert [(r.bucket, r.count, r.outstanding, r.overdue) for r in rows] == expected
    # The batch charges the same penalty the report counted as pending: the figures do not move.
    loans_month_end(cooperative=coop, date=RUN, actor=None)
    rows = reports.aging(cooperative=coop, day=RUN)
    assert [(r.bucket, r.count, r.outstanding, r.overdue) for r in rows] == expected


def test_arrears_most_days_first_with_whatsapp_reminders(portfolio_case: dict[str, Any], coop: Any) -> None:
    rows = reports.arrears(cooperative=coop, day=RUN)
    loans = portfolio_case
    assert [
        (r.loan_id, r.loan_number, r.member_no, r.member_name, r.phone, r.days_past_due, r.collectibility) for r in rows
    ] == [
        (loans["M"].pk, "PJ-00001", "00002", "Sari Dewi", "+6281311112222", 376, "macet"),
        (loans["D"].pk, "PJ-00002", "00001", "Budi Santoso", "+6281234567890", 235, "diragukan"),
        (loans["KL"].pk, "PJ-00003", "00003", "Joko Susilo", "", 113, "kurang_lancar"),
        (loans["L1"].pk, "PJ-00004", "00004", "Rina Wati", "+6285233334444", 16, "lancar"),
    ]
    assert [r.overdue_amount for r in rows] == [OVERDUE["M"], OVERDUE["D"], OVERDUE["KL"], OVERDUE["L1"]]
    assert [r.member_id for r in rows] == [loans[k].member_id for k in ("M", "D", "KL", "L1")]
    text = (
        "Assalamualaikum/Salam sejahtera Bapak/Ibu Budi Santoso, angsuran pinjaman PJ-00002 di KKMP Manggar "
        "terlambat 235 hari. Jumlah yang harus dibayar per 31/10/2026: Rp 7.279.440 (pokok, jasa dan denda). "
        "Mohon segera dibayarkan ke kasir koperasi. Terima kasih."
    )
    assert rows[1].wa_link == "https://wa.me/6281234567890?text=" + quote(text, safe="")
    assert rows[2].wa_link == ""  # no phone, no link
    assert rows[0].wa_link.startswith("https://wa.me/6281311112222?text=")


def test_arrears_amount_is_what_a_repayment_that_day_must_pay(
    portfolio_case: dict[str, Any], coop: Any, bendahara: Any
) -> None:
    from koperasi.loans import services

    services.loan_repay(cooperative=coop, loan=portfolio_case["L1"], amount=OVERDUE["L1"], date=RUN, actor=bendahara)
    rows = reports.arrears(cooperative=coop, day=RUN)
    assert [r.loan_number for r in rows] == ["PJ-00001", "PJ-00002", "PJ-00003"]  # L1 is up to date now


def test_due_between_lists_the_week_s_instalments(portfolio_case: dict[str, Any], coop: Any) -> None:
    loans = portfolio_case
    rows = reports.due_between(cooperative=coop, start=D(2026, 11, 1), end=D(2026, 11, 15))
    assert [
        (r.loan_id, r.loan_number, r.member_id, r.member_name, r.phone, r.due_date, r.installment_no, r.amount_left)
        for r in rows
    ] == [
        (
            loans["D"].pk,
            "PJ-00002",
            loans["D"].member_id,
            "Budi Santoso",
            "+6281234567890",
            D(2026, 11, 10),
            9,
            840_000,
        ),
        (loans["KL"].pk, "PJ-00003", loans["KL"].member_id, "Joko Susilo", "", D(2026, 11, 10), 6, 550_000),
        (loans["L1"].pk, "PJ-00004", loans["L1"].member_id, "Rina Wati", "+6285233334444", D(2026, 11, 15), 2, 186_666),
    ]


def test_due_between_counts_the_penalty_charged_so_far(portfolio_case: dict[str, Any], coop: Any) -> None:
    loans_month_end(cooperative=coop, date=RUN, actor=None)
    rows = reports.due_between(cooperative=coop, start=D(2026, 10, 10), end=D(2026, 10, 10))
    assert [(r.loan_number, r.installment_no, r.amount_left) for r in rows] == [
        ("PJ-00002", 8, 840_000 + 10_080),  # 18 days × Rp560
        ("PJ-00003", 5, 550_000 + 6_600),
    ]


def test_due_between_refuses_a_backwards_or_long_range(coop: Any) -> None:
    with pytest.raises(ValidationError, match=r"Tanggal awal tidak boleh setelah tanggal akhir\."):
        reports.due_between(cooperative=coop, start=D(2026, 11, 8), end=D(2026, 11, 1))
    with pytest.raises(ValidationError, match="paling lama satu tahun"):
        reports.due_between(cooperative=coop, start=D(2025, 1, 1), end=D(2026, 11, 1))


def test_reports_run_a_fixed_number_of_queries(
    portfolio_case: dict[str, Any], coop: Any, django_assert_max_num_queries: Any
) -> None:
    # A savepoint and its release around the main query, and on PostgreSQL ``SET LOCAL jit = off``.
    with django_assert_max_num_queries(8):
        reports.portfolio(cooperative=coop, day=RUN)
    with django_assert_max_num_queries(4):
        reports.aging(cooperative=coop, day=RUN)
    with django_assert_max_num_queries(5):
        reports.arrears(cooperative=coop, day=RUN)
    with django_assert_max_num_queries(1):
        reports.due_between(cooperative=coop, start=D(2026, 11, 1), end=D(2026, 11, 15))


def test_reports_show_only_the_cooperative_s_own_loans(
    portfolio_case: dict[str, Any], coop: Any, other_coop: Any
) -> None:
    other = portfolio_case["other"]
    result = reports.portfolio(cooperative=other_coop, day=RUN)
    assert [(r.collectibility, r.count, r.outstanding) for r in result.rows] == [
        ("lancar", 0, 0),
        ("kurang_lancar", 0, 0),
        ("diragukan", 1, 4_000_000),  # 5/04 -> 31/10: 209 days
        ("macet", 0, 0),
    ]
    assert [(r.bucket, r.count) for r in reports.aging(cooperative=other_coop, day=RUN) if r.count] == [("181–360", 1)]
    assert [(r.loan_id, r.days_past_due) for r in reports.arrears(cooperative=other_coop, day=RUN)] == [(other.pk, 209)]
    dues = reports.due_between(cooperative=other_coop, start=D(2026, 11, 1), end=D(2026, 11, 15))
    assert [(r.loan_id, r.due_date, r.amount_left) for r in dues] == [(other.pk, D(2026, 11, 5), 373_333)]
    # And Manggar's reports never show Lamaru's loan.
    assert other.pk not in [r.loan_id for r in reports.arrears(cooperative=coop, day=RUN)]
    assert other.pk not in [r.loan_id for r in reports.due_between(cooperative=coop, start=RUN, end=D(2026, 12, 31))]
    assert reports.portfolio(cooperative=coop, day=RUN).total_count == 5
