"""The loans month-end batch: penalties, days past due, collectibility, the allowance posting, the command.

The portfolio (``portfolio_case``): five loans of Manggar, flat 12 % a year, penalty 2 % a
month after 3 days' grace, each in a different place on 31 October 2026:

| loan | principal | disbursed  | oldest unpaid due | dpd | class         |
| M    | 3.000.000 | 20/09/2025 | 20/10/2025        | 376 | macet         |
| D    | 9.000.000 | 10/02/2026 | 10/03/2026        | 235 | diragukan     |
| KL   | 5.000.000 | 10/05/2026 | 10/07/2026 (1st paid) | 113 | kurang lancar |
| L1   | 2.000.000 | 15/09/2026 | 15/10/2026        | 16  | lancar        |
| L2   | 1.000.000 | 20/10/2026 | (none due)        | 0   | lancar        |

and one overdue loan of Lamaru (the other cooperative) that a Manggar run must not touch.
Required allowance (0,5 / 10 / 50 / 100 %): 15.000 + 450.000 + 4.500.000 + 3.000.000 = 7.965.000.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.loans import selectors, services
from koperasi.loans.models import Loan, LoanInstallment, LoanMonthEnd, LoanTransaction
from koperasi.loans.month_end import loans_month_end
from koperasi.savings.services import savings_deposit

pytestmark = pytest.mark.django_db

D = datetime.date
RUN = D(2026, 10, 31)
PENALTY = {"M": 460_876, "D": 559_440, "KL": 93_499, "L1": 1_617, "L2": 0}  # up to 31/10/2026, by hand below


@pytest.fixture
def lend(admin_user: Any) -> Any:
    """Apply, approve (by the cooperative's bendahara) and disburse a loan in cash."""

    def lend(cooperative: Any, member: Any, product: Any, principal: int, term: int, disbursed: datetime.date) -> Loan:
        from koperasi.core.models import CooperativeRole

        officer = CooperativeRole.objects.get(cooperative=cooperative, role=Role.BENDAHARA).user
        loan = services.loan_apply(
            cooperative=cooperative,
            member=member,
            product=product,
            principal=principal,
            term_months=term,
            applied_on=disbursed - datetime.timedelta(days=3),
            actor=officer,
        )
        services.loan_approve(
            cooperative=cooperative, loan=loan, actor=officer, date=disbursed - datetime.timedelta(days=2)
        )
        return services.loan_disburse(cooperative=cooperative, loan=loan, date=disbursed, actor=officer)

    return lend


@pytest.fixture
def member_in(register_member: Any, admin_user: Any) -> Any:
    """Register a member and pay the simpanan pokok on the joining day (active from then)."""

    def member_in(cooperative: Any, nik: str, name: str, joined: str = "2026-01-05", phone: str = "") -> Any:
        member = register_member(cooperative, nik=nik, name=name, joined_on=joined, phone=phone)
        savings_deposit(
            cooperative=cooperative,
            member=member,
            kind="pokok",
            amount=50_000,
            date=D.fromisoformat(joined),
            actor=admin_user,
        )
        member.refresh_from_db()
        return member

    return member_in


@pytest.fixture
def portfolio_case(
    coop: Any,
    other_coop: Any,
    grant: Any,
    bendahara: Any,
    active_member: Any,
    product: Any,
    make_product: Any,
    fund_cash: Any,
    lend: Any,
    member_in: Any,
) -> dict[str, Any]:
    fund_cash(coop, date=D(2025, 1, 2))
    sari = member_in(coop, "6471046107850003", "Sari Dewi", joined="2025-01-06", phone="0813-1111-2222")
    joko = member_in(coop, "6471041505800001", "Joko Susilo", phone="")
    rina = member_in(coop, "6471046003900002", "Rina Wati", phone="0852 3333 4444")
    agus = member_in(coop, "6471040101700004", "Agus Salim", phone="0811-5555-6666")
    loans = {
        "M": lend(coop, sari, product, 3_000_000, 12, D(2025, 9, 20)),
        "D": lend(coop, active_member, product, 9_000_000, 12, D(2026, 2, 10)),
        "KL": lend(coop, joko, product, 5_000_000, 10, D(2026, 5, 10)),
        "L1": lend(coop, rina, product, 2_000_000, 12, D(2026, 9, 15)),
        "L2": lend(coop, agus, product, 1_000_000, 6, D(2026, 10, 20)),
    }
    services.loan_repay(
        cooperative=coop, loan=loans["KL"], amount=550_000, date=D(2026, 6, 10), actor=bendahara
    )  # the first instalment, on time
    grant(other_coop, Role.BENDAHARA)
    fund_cash(other_coop)
    other_member = member_in(other_coop, "6471041505800001", "Joko Lamaru")
    other_product = make_product(other_coop)
    loans["other"] = lend(other_coop, other_member, other_product, 4_000_000, 12, D(2026, 3, 5))
    return {key: Loan.objects.get(pk=loan.pk) for key, loan in loans.items()}


def counts() -> tuple[int, ...]:
    return (
        LoanMonthEnd.objects.count(),
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        AuditEvent.objects.count(),
        LoanTransaction.objects.count(),
    )


def loan_state() -> list[tuple[Any, ...]]:
    return list(
        Loan.objects.order_by("pk").values_list("pk", "days_past_due", "collectibility", "classified_on", "status")
    )


def installment_state() -> list[tuple[Any, ...]]:
    return list(LoanInstallment.objects.order_by("pk").values_list("pk", "penalty_accrued", "penalty_from", "settled"))


def penalties(loan: Loan) -> int:
    return sum(LoanInstallment.objects.filter(loan=loan).values_list("penalty_accrued", flat=True))


def entry_lines(entry: Any) -> list[tuple[str, int, int]]:
    return list(JournalLine.objects.filter(entry=entry).order_by("id").values_list("account__code", "debit", "credit"))


# --- The batch --------------------------------------------------------------------------------------


def test_month_end_classifies_charges_penalties_and_posts_the_allowance(
    portfolio_case: dict[str, Any], coop: Any, other_coop: Any
) -> None:
    other_before = (
        list(
            Loan.objects.filter(cooperative=other_coop).values_list("days_past_due", "collectibility", "classified_on")
        ),
        list(LoanInstallment.objects.filter(cooperative=other_coop).values_list("penalty_accrued", "penalty_from")),
        JournalEntry.objects.filter(cooperative=other_coop).count(),
    )

    run = loans_month_end(cooperative=coop, date=RUN, actor=None)

    loans = {key: Loan.objects.get(pk=loan.pk) for key, loan in portfolio_case.items()}
    assert {k: (loans[k].days_past_due, loans[k].collectibility) for k in ("M", "D", "KL", "L1", "L2")} == {
        "M": (376, "macet"),
        "D": (235, "diragukan"),
        "KL": (113, "kurang_lancar"),
        "L1": (16, "lancar"),
        "L2": (0, "lancar"),
    }
    assert {loans[k].classified_on for k in ("M", "D", "KL", "L1", "L2")} == {RUN}
    assert {k: penalties(loans[k]) for k in PENALTY} == PENALTY
    # Every overdue unsettled instalment now counts its penalty from the run date.
    overdue = LoanInstallment.objects.filter(cooperative=coop, settled=False, due_date__lt=RUN)
    assert set(overdue.values_list("penalty_from", flat=True)) == {RUN}
    assert LoanInstallment.objects.get(loan=loans["KL"], no=1).penalty_accrued == 0  # paid on time

    assert (run.date, run.loans_classified, run.penalty_accrued) == (RUN, 5, 1_115_432)
    assert (run.allowance_before, run.allowance_required, run.created_by) == (0, 7_965_000, None)
    assert run.summary == {
        "lancar": {"count": 2, "outstanding": 3_000_000, "allowance": 15_000},
        "kurang_lancar": {"count": 1, "outstanding": 4_500_000, "allowance": 450_000},
        "diragukan": {"count": 1, "outstanding": 9_000_000, "allowance": 4_500_000},
        "macet": {"count": 1, "outstanding": 3_000_000, "allowance": 3_000_000},
    }
    entry = run.journal_entry
    assert entry is not None
    assert (entry.date, entry.idempotency_key, entry.source_type, entry.source_id) == (
        RUN,
        "loans:month-end:2026-10-31",
        "loans.loanmonthend",
        str(run.pk),
    )
    assert entry_lines(entry) == [("5-2500", 7_965_000, 0), ("1-1310", 0, 7_965_000)]
    event = AuditEvent.objects.get(action="loans.month_end")
    assert (event.cooperative_id, event.object_id, event.actor_id) == (coop.pk, str(run.pk), None)
    assert event.data["allowance_required"] == 7_965_000

    other_after = (
        list(
            Loan.objects.filter(cooperative=other_coop).values_list("days_past_due", "collectibility", "classified_on")
        ),
        list(LoanInstallment.objects.filter(cooperative=other_coop).values_list("penalty_accrued", "penalty_from")),
        JournalEntry.objects.filter(cooperative=other_coop).count(),
    )
    assert other_after == other_before
    assert not LoanMonthEnd.objects.filter(cooperative=other_coop).exists()


def test_a_second_run_for_the_same_date_returns_the_first(portfolio_case: dict[str, Any], coop: Any) -> None:
    first = loans_month_end(cooperative=coop, date=RUN, actor=None)
    before = (counts(), loan_state(), installment_state())
    again = loans_month_end(cooperative=coop, date=RUN, actor=None)
    assert again.pk == first.pk
    assert (counts(), loan_state(), installment_state()) == before


def test_an_earlier_date_than_the_latest_run_is_refused(portfolio_case: dict[str, Any], coop: Any) -> None:
    loans_month_end(cooperative=coop, date=RUN, actor=None)
    before = (counts(), loan_state(), installment_state())
    with pytest.raises(Conflict) as caught:
        loans_month_end(cooperative=coop, date=D(2026, 9, 30), actor=None)
    assert caught.value.code == "month_end_out_of_order"
    assert caught.value.message == (
        "Tutup bulan pinjaman 31/10/2026 sudah dijalankan; tanggal 30/09/2026 lebih awal dan tidak dapat diproses lagi."
    )
    assert (counts(), loan_state(), installment_state()) == before


def test_a_future_date_is_refused(portfolio_case: dict[str, Any], coop: Any) -> None:
    from django.utils import timezone

    before = (counts(), loan_state(), installment_state())
    with pytest.raises(ValidationError) as caught:
        loans_month_end(cooperative=coop, date=timezone.localdate() + datetime.timedelta(days=1), actor=None)
    assert caught.value.code == "date_in_future"
    assert caught.value.detail == {"date": ["Tanggal tutup bulan pinjaman tidak boleh di masa depan."]}
    assert (counts(), loan_state(), installment_state()) == before


def test_a_closed_ledger_month_refuses_the_run_and_writes_nothing(portfolio_case: dict[str, Any], coop: Any) -> None:
    from koperasi.ledger.services import period_close

    period_close(cooperative=coop, month=D(2026, 10, 1), reason="Laporan Oktober selesai", actor=None)
    before = (counts(), loan_state(), installment_state())
    with pytest.raises(Conflict) as caught:
        loans_month_end(cooperative=coop, date=RUN, actor=None)
    assert caught.value.code == "period_closed"
    assert "Periode 10/2026 sudah ditutup" in caught.value.message
    assert (counts(), loan_state(), installment_state()) == before


def test_repayments_dated_before_the_run_are_refused_after_it(
    portfolio_case: dict[str, Any], coop: Any, bendahara: Any
) -> None:
    loans_month_end(cooperative=coop, date=RUN, actor=bendahara)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.loan_repay(
            cooperative=coop, loan=portfolio_case["D"], amount=840_000, date=D(2026, 10, 30), actor=bendahara
        )
    assert caught.value.code == "loans_month_closed"
    assert counts() == before
    # On the run date itself: the penalty up to that day is already charged, nothing more.
    txn = services.loan_repay(cooperative=coop, loan=portfolio_case["D"], amount=200_000, date=RUN, actor=bendahara)
    assert (txn.penalty, txn.interest, txn.principal) == (129_920, 70_080, 0)


def test_the_actor_is_recorded(portfolio_case: dict[str, Any], coop: Any, bendahara: Any) -> None:
    run = loans_month_end(cooperative=coop, date=RUN, actor=bendahara)
    assert run.created_by == bendahara
    assert AuditEvent.objects.get(action="loans.month_end").actor == bendahara
    assert JournalEntry.objects.get(pk=run.journal_entry_id).created_by == bendahara


def test_a_later_run_uses_the_setting_in_force_and_releases_allowance(
    portfolio_case: dict[str, Any], coop: Any, bendahara: Any
) -> None:
    first = loans_month_end(cooperative=coop, date=RUN, actor=None)
    services.loan_setting_create(
        cooperative=coop,
        data={
            "effective_from": D(2026, 11, 1),
            "kurang_lancar_after": 10,
            "diragukan_after": 100,
            "macet_after": 200,
            "rate_lancar": Decimal("0"),
            "rate_kurang_lancar": Decimal("5"),
            "rate_diragukan": Decimal("25"),
            "rate_macet": Decimal("50"),
        },
        actor=bendahara,
    )
    second = loans_month_end(cooperative=coop, date=D(2026, 11, 21), actor=None)

    loans = {key: Loan.objects.get(pk=loan.pk) for key, loan in portfolio_case.items()}
    assert {k: (loans[k].days_past_due, loans[k].collectibility) for k in ("M", "D", "KL", "L1", "L2")} == {
        "M": (397, "macet"),
        "D": (256, "macet"),  # > 200 days under the new setting
        "KL": (134, "diragukan"),
        "L1": (37, "kurang_lancar"),
        "L2": (1, "lancar"),
    }
    # Required: KL 5 % × 2.000.000 + D 25 % × 4.500.000 + M 50 % × 12.000.000 = 7.225.000.
    assert (second.allowance_before, second.allowance_required) == (7_965_000, 7_225_000)
    assert second.summary["macet"] == {"count": 2, "outstanding": 12_000_000, "allowance": 6_000_000}
    assert second.summary["lancar"] == {"count": 1, "outstanding": 1_000_000, "allowance": 0}
    assert entry_lines(second.journal_entry) == [("1-1310", 740_000, 0), ("5-2500", 0, 740_000)]
    assert second.journal_entry_id != first.journal_entry_id
    # Penalty of the 21 days since the first run, on top of what it charged.
    assert second.penalty_accrued > 0
    assert penalties(loans["D"]) == PENALTY["D"] + 8 * 560 * 21 + 560 * 8  # 8 old instalments + no. 9 from 13/11


def test_no_posting_when_the_allowance_already_matches(portfolio_case: dict[str, Any], coop: Any) -> None:
    from koperasi.ledger.services import ByRole, LineInput, journal_post

    journal_post(
        cooperative=coop,
        date=D(2026, 10, 30),
        lines=[
            LineInput(account=ByRole("loan_allowance_expense"), debit=7_965_000),
            LineInput(account=ByRole("loan_allowance"), credit=7_965_000),
        ],
        memo="PPAP dibukukan manual",
        actor=None,
    )
    entries = JournalEntry.objects.count()
    run = loans_month_end(cooperative=coop, date=RUN, actor=None)
    assert (run.allowance_before, run.allowance_required, run.journal_entry) == (7_965_000, 7_965_000, None)
    assert JournalEntry.objects.count() == entries


def test_closed_and_written_off_loans_leave_the_allowance(
    portfolio_case: dict[str, Any], coop: Any, bendahara: Any, ketua: Any, pengawas: Any
) -> None:
    loans_month_end(cooperative=coop, date=RUN, actor=None)
    day = D(2026, 11, 2)
    paid_off = portfolio_case["L2"]
    quote = selectors.loan_position(loan=paid_off, day=day).payoff
    assert quote is not None
    services.loan_payoff(cooperative=coop, loan=paid_off, date=day, expected_total=quote.total, actor=bendahara)
    # Writing off M (Rp3.000.000) takes it from the allowance: 7.965.000 − 3.000.000 left.
    services.loan_write_off_propose(cooperative=coop, loan=portfolio_case["M"], reason="Meninggal dunia", actor=ketua)
    services.loan_write_off_approve(cooperative=coop, loan=portfolio_case["M"], date=day, actor=pengawas)

    run = loans_month_end(cooperative=coop, date=day, actor=None)
    assert run.loans_classified == 3
    assert run.summary == {
        "lancar": {"count": 1, "outstanding": 2_000_000, "allowance": 10_000},
        "kurang_lancar": {"count": 1, "outstanding": 4_500_000, "allowance": 450_000},
        "diragukan": {"count": 1, "outstanding": 9_000_000, "allowance": 4_500_000},
        "macet": {"count": 0, "outstanding": 0, "allowance": 0},
    }
    assert (run.allowance_before, run.allowance_required) == (4_965_000, 4_960_000)
    assert entry_lines(run.journal_entry) == [("1-1310", 5_000, 0), ("5-2500", 0, 5_000)]
    closed = Loan.objects.get(pk=paid_off.pk)
    assert (closed.status, closed.classified_on) == ("closed", RUN)  # no longer classified


def test_loans_disbursed_after_the_date_are_left_out(portfolio_case: dict[str, Any], coop: Any) -> None:
    run = loans_month_end(cooperative=coop, date=D(2026, 9, 30), actor=None)
    loans = {key: Loan.objects.get(pk=loan.pk) for key, loan in portfolio_case.items()}
    assert {k: (loans[k].days_past_due, loans[k].collectibility, loans[k].classified_on) for k in PENALTY} == {
        "M": (345, "diragukan", D(2026, 9, 30)),
        "D": (204, "diragukan", D(2026, 9, 30)),
        "KL": (82, "lancar", D(2026, 9, 30)),
        "L1": (0, "lancar", D(2026, 9, 30)),
        "L2": (0, "lancar", None),  # disbursed on 20/10
    }
    assert run.loans_classified == 4
    assert run.summary["diragukan"] == {"count": 2, "outstanding": 12_000_000, "allowance": 6_000_000}


def test_the_batch_runs_a_fixed_number_of_queries(
    portfolio_case: dict[str, Any], coop: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(30):
        loans_month_end(cooperative=coop, date=RUN, actor=None)


def test_a_cooperative_without_loans_records_an_empty_run(coop: Any) -> None:
    run = loans_month_end(cooperative=coop, date=RUN, actor=None)
    assert (run.loans_classified, run.penalty_accrued, run.allowance_required, run.journal_entry) == (0, 0, 0, None)
    assert run.summary["macet"] == {"count": 0, "outstanding": 0, "allowance": 0}


# --- Penalties: exactly what the repayment service charges -------------------------------------


@pytest.fixture
def twin_loans(
    coop: Any, other_coop: Any, grant: Any, bendahara: Any, fund_cash: Any, make_product: Any, lend: Any, member_in: Any
) -> tuple[Loan, Loan]:
    """The same annuity loan in both cooperatives: 1,15 % a month penalty after 5 days, partly repaid."""
    grant(other_coop, Role.BENDAHARA)
    twins = []
    for cooperative in (coop, other_coop):
        fund_cash(cooperative)
        member = member_in(cooperative, "6471041505800001", "Joko Susilo")
        product = make_product(
            cooperative, method="annuity", rate_pa=Decimal("18"), penalty_rate_pm=Decimal("1.15"), grace_days=5
        )
        loan = lend(cooperative, member, product, 7_777_777, 9, D(2026, 3, 17))
        officer = bendahara if cooperative == coop else None
        services.loan_repay(cooperative=cooperative, loan=loan, amount=1_234_567, date=D(2026, 5, 29), actor=officer)
        twins.append(loan)
    return twins[0], twins[1]


def test_batch_penalties_equal_the_service_penalties(twin_loans: tuple[Loan, Loan], coop: Any) -> None:
    ours, theirs = twin_loans
    run = loans_month_end(cooperative=coop, date=RUN, actor=None)
    with transaction.atomic():
        services._accrue_penalties(theirs, selectors.loan_installments(loan=theirs), RUN)

    def rows(loan: Loan) -> list[tuple[Any, ...]]:
        return list(
            LoanInstallment.objects.filter(loan=loan)
            .order_by("no")
            .values_list("no", "penalty_accrued", "penalty_from", "settled")
        )

    assert rows(ours) == rows(theirs)
    charged = sum(p for _, p, _, _ in rows(ours))
    already = LoanTransaction.objects.get(loan=ours, type="angsuran").penalty  # charged and paid on 29/05
    assert charged > already > 0
    assert run.penalty_accrued == charged - already
    # And a repayment after the run charges the days since the run exactly as the service alone would.
    ours = Loan.objects.get(pk=ours.pk)
    later = D(2026, 11, 10)
    with transaction.atomic():
        services._accrue_penalties(ours, selectors.loan_installments(loan=ours), later)
        services._accrue_penalties(theirs, selectors.loan_installments(loan=theirs), later)
    assert rows(ours) == rows(theirs)


# --- The command ------------------------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("loans_month_end", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_runs_every_cooperative_with_loans_once(portfolio_case: dict[str, Any], coop: Any) -> None:
    out, err = run_command("--date", "2026-10-31", "--workers", "1")
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("[1/2] lamaru: 1 pinjaman, PPAP Rp 2.000.000 (sebelumnya Rp 0), denda Rp ")
    assert lines[1].startswith("[2/2] manggar: 5 pinjaman, PPAP Rp 7.965.000 (sebelumnya Rp 0), denda Rp 1.115.432, ")
    assert lines[1].endswith(" s")
    assert lines[2].startswith("Selesai: 2 koperasi, 6 pinjaman, PPAP Rp 9.965.000, ")
    assert LoanMonthEnd.objects.count() == 2

    before = (counts(), loan_state(), installment_state())
    again, err = run_command("--date", "2026-10-31", "--workers", "1")
    assert err == ""
    assert again.splitlines()[1] == (
        "[2/2] manggar: tutup bulan 31/10/2026 sudah dijalankan sebelumnya (5 pinjaman, PPAP Rp 7.965.000); dilewati."
    )
    assert (counts(), loan_state(), installment_state()) == before


def test_command_for_named_cooperatives(portfolio_case: dict[str, Any], coop: Any, other_coop: Any) -> None:
    out, _ = run_command("--date", "2026-10-31", "--coop", "manggar", "--workers", "1")
    assert "lamaru" not in out
    assert out.splitlines()[0].startswith("[1/1] manggar: 5 pinjaman")
    assert not LoanMonthEnd.objects.filter(cooperative=other_coop).exists()
    assert not Loan.objects.filter(cooperative=other_coop).exclude(classified_on=None).exists()


def test_command_reports_each_failure_and_exits_1(portfolio_case: dict[str, Any], coop: Any) -> None:
    from koperasi.ledger.services import period_close

    period_close(cooperative=coop, month=D(2026, 10, 1), reason="Laporan Oktober selesai", actor=None)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"1 dari 2 koperasi gagal: manggar\."):
        call_command("loans_month_end", "--date", "2026-10-31", "--workers", "1", stdout=out, stderr=err)
    assert err.getvalue().startswith("[2/2] manggar: GAGAL — Periode 10/2026 sudah ditutup;")
    assert out.getvalue().startswith("[1/2] lamaru: 1 pinjaman")  # the other one still ran
    assert list(LoanMonthEnd.objects.values_list("cooperative__code", flat=True)) == ["lamaru"]
    assert not Loan.objects.filter(cooperative=coop).exclude(classified_on=None).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01"], "Tanggal '2026-13-01' tidak valid"),
        (["--date", "31/10/2026"], "Tanggal '31/10/2026' tidak valid"),
        (["--date", "2026-10-31", "--coop", "manggar", "tidak-ada"], "Koperasi tidak ditemukan: tidak-ada."),
        (["--date", "2026-10-31", "--workers", "0"], "--workers paling sedikit 1."),
    ],
)
def test_command_refuses_bad_arguments(args: list[str], message: str, portfolio_case: dict[str, Any]) -> None:
    before = (counts(), loan_state(), installment_state())
    with pytest.raises(CommandError, match=message):
        run_command(*args)
    assert (counts(), loan_state(), installment_state()) == before


def test_command_refuses_a_future_date_per_cooperative(portfolio_case: dict[str, Any]) -> None:
    from django.utils import timezone

    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    before = counts()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 dari 2 koperasi gagal"):
        call_command("loans_month_end", "--date", tomorrow, "--workers", "1", stdout=out, stderr=err)
    assert "GAGAL — Tanggal tutup bulan pinjaman tidak boleh di masa depan." in err.getvalue()
    assert counts() == before


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite forces one worker")
def test_command_on_sqlite_runs_one_at_a_time_whatever_workers(portfolio_case: dict[str, Any]) -> None:
    assert connection.vendor == "sqlite"
    out, err = run_command("--date", "2026-10-31", "--workers", "4")
    assert err == ""
    assert [line.split(":")[0] for line in out.splitlines()[:2]] == ["[1/2] lamaru", "[2/2] manggar"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_command_runs_cooperatives_in_parallel_on_postgres(portfolio_case: dict[str, Any], coop: Any) -> None:
    out, err = run_command("--date", "2026-10-31", "--workers", "2")
    assert err == ""
    assert sorted(line.split("] ")[1].split(":")[0] for line in out.splitlines()[:2]) == ["lamaru", "manggar"]
    assert "Selesai: 2 koperasi, 6 pinjaman, PPAP Rp 9.965.000" in out
    run = LoanMonthEnd.objects.get(cooperative=coop)
    assert (run.loans_classified, run.penalty_accrued, run.allowance_required) == (5, 1_115_432, 7_965_000)
