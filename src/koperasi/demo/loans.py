"""Demo loans for an operating KKMP (issue 5): products, officers, a funded USP and 2026's loans.

Each of the seven operating cooperatives opens its savings-and-loan unit (unit simpan
pinjam) on 1 June 2026, with the members' registration. It offers three products
(productive annuity loans for members' small businesses, flat consumer loans, declining
seasonal loans), funds the unit with a second Himbara tranche (PMK 49/2025, 6 % a year,
part of it drawn as cash) and lends to its members from June to November 2026:

- most borrowers pay on time (a few days early or late, within the grace days); one
  short consumer loan is paid in full and one loan is paid off early;
- a few pay late (with penalties), one misses a month and pays two together;
- a few stop paying, so the arrears reach every class the cooperative's thresholds give
  (see below); one of them pays a little now and then;
- applications still open: one waiting for the bendahara, one approved and waiting for the
  money, one above the bendahara's limit approved by the ketua and waiting for the
  pengawas; one application is rejected.

Budi Santoso (member 00001 of Gunung Sari Ulu, the demo user ``anggota``) has a productive
loan of Rp6.000.000 from July, repaid every month, so his portal shows a loan and its schedule.

Collectibility: members register from June 2026, so by late November no loan can be more
than about 145 days past due. With the default thresholds (domain.md §11: kurang lancar
after 90 days, diragukan after 180, macet after 360) only lancar and kurang lancar can
occur. Gunung Sari Ulu (the demo cooperative its officers log in to) therefore adopted a
stricter internal policy from 1 June 2026 — kurang lancar after 30 days, diragukan after 60,
macet after 90 (a ``LoanSetting``) — so its portfolio shows all four classes; the other
six keep the defaults and show lancar and kurang lancar (arrears of 100+ days).

Approvals need officers: Gunung Sari Ulu's demo users ``ketua``, ``bendahara`` and
``pengawas`` (created here if the loader has not created them yet); every other operating
cooperative gets ``ketua.<code>``, ``bendahara.<code>`` and ``pengawas.<code>`` with the demo
password.

Everything goes through the real services (``loans.services``) in date order, with the
month-end batch (``loans.month_end``) for 31 October 2026 between October's and
November's events; nothing is dated after today. The plan is seeded by the cooperative's
code, so every load gives the same loans. Loading is once per cooperative: a cooperative
that already has loan products is left alone.
"""

from __future__ import annotations

import datetime
import functools
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, make_password
from django.db import transaction
from django.utils import timezone

from koperasi.cooperatives import services as coop_services
from koperasi.cooperatives.choices import UnitStatus
from koperasi.cooperatives.models import BusinessUnit, Cooperative
from koperasi.core.models import CooperativeRole
from koperasi.core.roles import Role
from koperasi.core.services import cooperative_user_add
from koperasi.demo.members import FAMILY, FEMALE, JOIN_FIRST, MALE
from koperasi.ledger.services import ByRole, LineInput, journal_post
from koperasi.loans import calculations
from koperasi.loans import services as loans
from koperasi.loans.models import LoanInstallment, LoanProduct
from koperasi.loans.month_end import loans_month_end
from koperasi.loans.selectors import installment_states
from koperasi.members.choices import MemberStatus
from koperasi.members.models import Member

D = datetime.date
USP_FROM = D(2026, 6, 1)  # the unit opens with the members' registration (demo.members)
MONTH_END = D(2026, 10, 31)
LAST_DAY = D(2026, 11, 23)  # the plan's last event; events after today are left out
DEMO_COOP = "gunung-sari-ulu"
BUDI_NO = 1
APPROVAL_LIMIT = 10_000_000
FUNDING_RATE_PA = 6  # Himbara, domain.md §6.3
STRICT_RULES = {"kurang_lancar_after": 30, "diragukan_after": 60, "macet_after": 90}
# The oldest unpaid due date (month, day) of the loans in arrears, ± a few days per cooperative.
# Gunung Sari Ulu (30/60/90 days): on 31 October macet, diragukan, 2 kurang lancar, lancar;
# on 24 November 2 macet, diragukan, 2 kurang lancar, lancar. Others (90/180/360): kurang
# lancar on both dates, one more kurang lancar by 24 November, and one lancar but late.
STRICT_TARGETS = ((7, 10), (8, 20), (9, 15), (9, 25), (10, 10), (11, 5))
DEFAULT_TARGETS = ((7, 10), (8, 12), (10, 15))

PRODUKTIF, KONSUMTIF, MUSIMAN = "Pinjaman produktif UMKM", "Pinjaman konsumtif", "Pinjaman musiman"
PRODUCTS: tuple[dict[str, Any], ...] = (
    {
        "name": PRODUKTIF,
        "method": "annuity",
        "rate_pa": Decimal("12"),
        "min_term_months": 3,
        "max_term_months": 24,
        "min_principal": 1_000_000,
        "max_principal": 25_000_000,
        "admin_fee_percent": Decimal("1"),
        "provision_percent": Decimal("1"),
        "penalty_rate_pm": Decimal("1"),
        "grace_days": 5,
    },
    {
        "name": KONSUMTIF,
        "method": "flat",
        "rate_pa": Decimal("12"),
        "min_term_months": 1,
        "max_term_months": 12,
        "min_principal": 500_000,
        "max_principal": 5_000_000,
        "admin_fee_amount": 25_000,
        "penalty_rate_pm": Decimal("1"),
        "grace_days": 3,
    },
    {
        "name": MUSIMAN,
        "method": "declining",
        "rate_pa": Decimal("15"),
        "min_term_months": 2,
        "max_term_months": 6,
        "min_principal": 1_000_000,
        "max_principal": 10_000_000,
        "provision_percent": Decimal("0.5"),
        "penalty_rate_pm": Decimal("1.5"),
        "grace_days": 5,
    },
)
AMOUNTS = {
    PRODUKTIF: ((2_000_000, 3_000_000, 5_000_000, 5_000_000, 7_500_000, 10_000_000), (6, 10, 12, 12, 18, 24)),
    KONSUMTIF: ((1_000_000, 1_500_000, 2_000_000, 2_500_000, 3_000_000, 5_000_000), (3, 6, 6, 10, 12)),
    MUSIMAN: ((2_000_000, 3_000_000, 4_000_000, 5_000_000, 7_500_000), (3, 4, 6)),
}
BOARD_AMOUNTS = (12_500_000, 15_000_000, 20_000_000, 25_000_000)
PURPOSES = {
    PRODUKTIF: (
        "Tambahan modal warung sembako",
        "Modal usaha kue dan jajanan pasar",
        "Beli mesin jahit dan bahan",
        "Etalase dan freezer untuk warung",
        "Modal bengkel motor",
        "Modal usaha laundry kiloan",
        "Gerobak dan peralatan angkringan",
        "Modal dagang ikan di Pasar Klandasan",
    ),
    KONSUMTIF: (
        "Biaya sekolah anak",
        "Perbaikan atap rumah",
        "Biaya berobat keluarga",
        "Perlengkapan kuliah anak",
        "Pasang listrik dan air",
    ),
    MUSIMAN: (
        "Stok dagangan menjelang Natal dan tahun baru",
        "Modal melaut musim ikan",
        "Stok pakaian menjelang tahun ajaran baru",
        "Stok parsel akhir tahun",
    ),
}
REJECTION_REASON = "Kemampuan bayar belum cukup: angsuran melebihi sepertiga penghasilan bulanan."
OFFICER_ROLES = (Role.KETUA, Role.BENDAHARA, Role.PENGAWAS)


# --- The plan (pure: no database) --------------------------------------------------------------
@dataclass(frozen=True)
class Payment:
    """Pay what instalments 1..``upto`` ask (with their penalties, and anything else due) on ``date``."""

    date: datetime.date
    upto: int
    partial: bool = False  # a third of the oldest unpaid instalment instead, rounded down to Rp10.000
    transfer: bool = False


@dataclass
class LoanPlan:
    index: int
    story: str
    member_no: int
    product: str
    principal: int
    term: int
    applied_on: datetime.date
    purpose: str
    approvals: list[datetime.date] = field(default_factory=list)  # one (bendahara) or two (ketua, pengawas)
    disbursed_on: datetime.date | None = None
    rejected: bool = False
    payments: list[Payment] = field(default_factory=list)
    payoff_on: datetime.date | None = None

    @property
    def needs_board(self) -> bool:
        return self.principal > APPROVAL_LIMIT

    @property
    def due_dates(self) -> list[datetime.date]:
        return calculations.due_dates(self.disbursed_on, self.term) if self.disbursed_on else []


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + _days(rng.randint(0, max((last - first).days, 0)))


class _Planner:
    """Draws the loans of one cooperative from its members (member no. -> date pokok was paid)."""

    def __init__(self, code: str, members: dict[int, datetime.date]) -> None:
        self.rng = random.Random(f"koperasi-demo-loans-{code}")
        self.members = members
        self.used: set[int] = set()
        self.plans: list[LoanPlan] = []

    def borrower(self, applied_on: datetime.date) -> int | None:
        """A member who is aktif (has paid simpanan pokok) by ``applied_on`` and has no loan yet."""
        pool = [no for no, day in self.members.items() if day <= applied_on and no not in self.used]
        if not pool:
            return None
        member_no = self.rng.choice(pool)
        self.used.add(member_no)
        return member_no

    def terms(self, product: str) -> tuple[int, int]:
        amounts, terms = AMOUNTS[product]
        return self.rng.choice(amounts), self.rng.choice(terms)

    def add(
        self, story: str, product: str, disbursed_on: datetime.date | None, *, applied_on: datetime.date | None = None
    ) -> LoanPlan | None:
        """Plan an application (approved and disbursed on ``disbursed_on`` if given)."""
        rng = self.rng
        if applied_on is None:
            assert disbursed_on is not None
            applied_on = disbursed_on - _days(rng.randint(3, 7))
        member_no = self.borrower(applied_on)
        if member_no is None:
            return None
        principal, term = self.terms(product)
        if story.startswith("board"):
            principal, term = rng.choice(BOARD_AMOUNTS), rng.choice((18, 24))
        plan = LoanPlan(
            index=len(self.plans) + 1,
            story=story,
            member_no=member_no,
            product=product,
            principal=principal,
            term=term,
            applied_on=applied_on,
            purpose=rng.choice(PURPOSES[product]),
            disbursed_on=disbursed_on,
        )
        if disbursed_on is not None:
            first = applied_on + _days(1)
            plan.approvals = [first] if not plan.needs_board else [first, first + _days(1)]
        self.plans.append(plan)
        return plan

    def product(self) -> str:
        return self.rng.choices((PRODUKTIF, KONSUMTIF, MUSIMAN), weights=(45, 35, 20))[0]

    # Repayment habits -----------------------------------------------------------------------
    def on_time(self, plan: LoanPlan, *, first: int = 1, last: int | None = None) -> None:
        """Pay instalments ``first``..``last`` a few days early or late (within the grace days)."""
        rng = self.rng
        for no, due in enumerate(plan.due_dates, start=1):
            if no < first or (last is not None and no > last):
                continue
            day = due + _days(rng.choice((-5, -3, -2, -1, 0, 0, 0, 1, 2)))
            if day > LAST_DAY:
                break
            plan.payments.append(Payment(day, no, transfer=rng.random() < 0.2))

    def late(self, plan: LoanPlan) -> None:
        """Pay most instalments 8–20 days late, with the penalty."""
        rng = self.rng
        for no, due in enumerate(plan.due_dates, start=1):
            day = due + _days(rng.randint(8, 20) if rng.random() < 0.7 else rng.randint(-2, 1))
            if day > LAST_DAY:
                break
            plan.payments.append(Payment(day, no))

    def skips_one(self, plan: LoanPlan) -> None:
        """Pay on time but miss one month, then pay both instalments the next month."""
        dues = [d for d in plan.due_dates if d + _days(3) <= LAST_DAY]
        skipped = self.rng.randint(1, max(len(dues) - 1, 1)) if len(dues) >= 2 else 0
        for no, due in enumerate(dues, start=1):
            if no == skipped:
                continue
            plan.payments.append(Payment(due + _days(self.rng.randint(0, 3)), no))


def _arrears(planner: _Planner, oldest_unpaid: datetime.date, *, partial: bool = False) -> None:
    """A loan whose instalments from ``oldest_unpaid`` on are not paid (after 0–2 paid on time)."""
    rng = planner.rng
    for paid in range(rng.choice((0, 1, 2)), -1, -1):
        disbursed = calculations.add_months(oldest_unpaid, -(paid + 1))
        if disbursed < USP_FROM + _days(5):
            continue
        plan = planner.add("arrears", rng.choice((PRODUKTIF, KONSUMTIF, KONSUMTIF, MUSIMAN)), disbursed)
        if plan is None:
            continue
        planner.on_time(plan, last=paid)
        if partial:  # a little now and then, never a whole instalment
            for day in (oldest_unpaid + _days(20), oldest_unpaid + _days(50)):
                if day <= LAST_DAY:
                    plan.payments.append(Payment(day, paid + 1, partial=True))
        return


def loans_plan(code: str, members: dict[int, datetime.date]) -> list[LoanPlan]:
    """Return the loans of one cooperative, the same on every call.

    ``members`` maps the member no. of every aktif member to the day they became aktif.
    """
    planner = _Planner(code, members)
    rng = planner.rng
    strict = code == DEMO_COOP
    count = 22 if strict else rng.randint(15, 19)

    if strict and BUDI_NO in members:
        planner.used.add(BUDI_NO)
        budi = LoanPlan(
            index=1,
            story="budi",
            member_no=BUDI_NO,
            product=PRODUKTIF,
            principal=6_000_000,
            term=12,
            applied_on=D(2026, 7, 6),
            purpose="Tambahan modal warung sembako",
            approvals=[D(2026, 7, 8)],
            disbursed_on=D(2026, 7, 10),
            payments=[Payment(D(2026, 8, 10), 1), Payment(D(2026, 9, 9), 2), Payment(D(2026, 10, 9), 3)],
        )
        budi.payments.append(Payment(D(2026, 11, 10), 4, transfer=True))
        planner.plans.append(budi)

    # Arrears: the oldest unpaid due date decides the class (see the module docstring).
    jitter = rng.randint(-3, 3)
    targets = STRICT_TARGETS if strict else DEFAULT_TARGETS
    for n, (month, day) in enumerate(targets):
        _arrears(planner, D(2026, month, day + jitter), partial=n == 0)

    # Paid in full, paid off early, late payers, a missed month.
    closed = planner.add("closed", KONSUMTIF, _day_between(rng, D(2026, 6, 12), D(2026, 7, 20)))
    if closed:
        closed.term = 3
        planner.on_time(closed)
    payoff = planner.add("payoff", rng.choice((PRODUKTIF, MUSIMAN)), _day_between(rng, D(2026, 6, 15), D(2026, 7, 31)))
    if payoff:
        payoff.term = max(payoff.term, 6)
        paid = rng.randint(2, 3)
        planner.on_time(payoff, last=paid)
        payoff.payoff_on = payoff.due_dates[paid - 1] + _days(rng.randint(6, 20))
    for _ in range(2):
        late = planner.add("late", planner.product(), _day_between(rng, D(2026, 6, 15), D(2026, 8, 31)))
        if late:
            planner.late(late)
    skipper = planner.add("skips", planner.product(), _day_between(rng, D(2026, 6, 20), D(2026, 8, 20)))
    if skipper:
        skipper.term = max(skipper.term, 6)
        planner.skips_one(skipper)
    board = planner.add("board", PRODUKTIF, _day_between(rng, D(2026, 7, 15), D(2026, 8, 31)))
    if board:
        planner.on_time(board)

    # Applications still open, and one refused (in November, as the officers work now).
    planner.add("applied", planner.product(), None, applied_on=_day_between(rng, D(2026, 11, 18), D(2026, 11, 21)))
    approved = planner.add(
        "approved", planner.product(), None, applied_on=_day_between(rng, D(2026, 11, 9), D(2026, 11, 12))
    )
    if approved:
        approved.approvals = [approved.applied_on + _days(rng.randint(2, 4))]
        if approved.needs_board:
            approved.approvals.append(approved.approvals[0] + _days(1))
    pending = planner.add(
        "board_pending", PRODUKTIF, None, applied_on=_day_between(rng, D(2026, 11, 10), D(2026, 11, 14))
    )
    if pending:
        pending.approvals = [pending.applied_on + _days(rng.randint(1, 3))]  # the ketua; the pengawas has not yet
    rejected = planner.add("rejected", KONSUMTIF, None, applied_on=_day_between(rng, D(2026, 11, 16), D(2026, 11, 19)))
    if rejected:
        rejected.rejected = True

    # The rest pay on time, disbursed from June to mid-November.
    for _ in range(count * 3):  # a draw finds no borrower when everyone aktif by then has a loan
        if len(planner.plans) >= count:
            break
        month = rng.choices((6, 7, 8, 9, 10, 11), weights=(8, 16, 20, 20, 20, 16))[0]
        first = max(D(2026, month, 1), D(2026, 6, 10))
        plan = planner.add(
            "on_time", planner.product(), _day_between(rng, first, min(D(2026, month, 28), D(2026, 11, 16)))
        )
        if plan is not None:
            planner.on_time(plan)
    return planner.plans


# --- Loading (through the services) ------------------------------------------------------------
@dataclass
class LoansResult:
    loans: int = 0
    transactions: int = 0
    users_created: int = 0


@functools.cache
def _password_hash(password: str, hasher: str) -> str:
    """Hash once (Argon2 is slow on purpose): the officers of six cooperatives share the demo password."""
    return make_password(password, hasher=hasher)


def _officers(cooperative: Cooperative, actor: Any, result: LoansResult) -> dict[Role, Any]:
    """The ketua, bendahara and pengawas who decide on loans; created (demo password) if missing."""
    from koperasi.demo.balikpapan import DEMO_PASSWORD, DEMO_STAFF  # balikpapan imports this module

    User = get_user_model()
    officers: dict[Role, Any] = {}
    rng = random.Random(f"koperasi-demo-officers-{cooperative.code}")
    names = {role: name for _, role, name in DEMO_STAFF}
    for role in OFFICER_ROLES:
        held = CooperativeRole.objects.filter(cooperative=cooperative, role=role).select_related("user").first()
        if held is not None:
            officers[role] = held.user
            continue
        female = rng.random() < 0.5
        if cooperative.code == DEMO_COOP:
            username, full_name = role.value, names[role]
            cooperative_user_add(
                cooperative=cooperative,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                full_name=full_name,
                actor=actor,
            )
        else:
            username = f"{role.value}.{cooperative.code}"
            full_name = f"{rng.choice(FEMALE if female else MALE)} {rng.choice(FAMILY)}"
            if not User.objects.filter(username=username).exists():
                User.objects.create(
                    username=username,
                    first_name=full_name,
                    password=_password_hash(DEMO_PASSWORD, get_hasher().algorithm),
                )
            cooperative_user_add(
                cooperative=cooperative,
                username=username,
                password=None,
                role=role,
                full_name=full_name,
                actor=actor,
                allow_existing_user=True,
            )
        result.users_created += 1
        officers[role] = User.objects.get(username=username)
    return officers


def _owed(loan_id: int, penalty_rate_pm: Decimal, upto: int, day: datetime.date) -> tuple[int, list[Any]]:
    """What a payment on ``day`` of instalments 1..``upto`` (and all due by then) costs, penalties included.

    Penalties run up since they were last charged are added as ``services`` will charge them.
    Also returns the instalment states (with those penalties) for a payoff quote.
    """
    rows = list(LoanInstallment.objects.filter(loan_id=loan_id).order_by("no"))
    basis_points = calculations.penalty_basis_points(penalty_rate_pm)
    states = []
    for row, state in zip(rows, installment_states(rows), strict=True):
        if not row.settled and row.penalty_from < day:
            days = (day - row.penalty_from).days
            state = replace(
                state,
                penalty_accrued=state.penalty_accrued
                + calculations.penalty_for(state.principal_left + state.interest_left, basis_points, days),
            )
        states.append(state)
    amount = sum(s.left for s in states if s.no <= upto or s.due_date <= day)
    return amount, states


def _round_up(amount: int, step: int) -> int:
    return -(-amount // step) * step


def _funding(cooperative: Cooperative, plans: list[LoanPlan], actor: Any, today: datetime.date) -> None:
    """The unit's money: a Himbara tranche into the bank on 1 June, part drawn as cash, and its interest."""
    transfer = sum(p.principal for p in plans if p.disbursed_on and p.principal >= 5_000_000)
    cash = sum(p.principal for p in plans if p.disbursed_on and p.principal < 5_000_000)
    cash = _round_up(cash, 5_000_000)
    total = _round_up((transfer + cash) * 11 // 10, 10_000_000)  # a tenth to spare

    def post(key: str, day: datetime.date, memo: str, debit: str, credit: str, amount: int) -> None:
        journal_post(
            cooperative=cooperative,
            date=day,
            lines=[LineInput(account=ByRole(debit), debit=amount), LineInput(account=ByRole(credit), credit=amount)],
            memo=memo,
            source="demo",
            idempotency_key=f"demo-usp-{key}",
            actor=actor,
        )

    post(
        "himbara",
        USP_FROM,
        "Pencairan pinjaman Himbara tahap II untuk modal unit simpan pinjam",
        "bank",
        "bank_loan",
        total,
    )
    post("kas", USP_FROM, "Penarikan bank untuk kas unit simpan pinjam", "cash", "bank", cash)
    interest = total * FUNDING_RATE_PA // 100 // 12
    for month in (6, 7, 8, 9, 10):
        last = calculations.add_months(D(2026, month, 1), 1) - _days(1)
        if last <= today:
            post(
                f"bunga-{month}",
                last,
                f"Bunga pinjaman Himbara tahap II bulan {month:02d}/2026",
                "bank_interest_expense",
                "bank",
                interest,
            )


def demo_loans_load(cooperative: Cooperative, actor: Any) -> LoansResult:
    """Open the savings-and-loan unit of one operating cooperative and load its demo loans.

    Once per cooperative: one that has loan products already, or no aktif members yet, is
    left alone. Raises Conflict (``period_closed``) if the months of the demo loans were
    closed before they were loaded; the caller's transaction then leaves nothing behind.
    """
    result = LoansResult()
    if LoanProduct.objects.filter(cooperative=cooperative).exists():
        return result
    # The members who joined from June 2026 (demo.members); founders of 2025 (demo.shu) do not borrow here.
    rows = Member.objects.filter(
        cooperative=cooperative, status=MemberStatus.AKTIF, joined_on__gte=JOIN_FIRST
    ).order_by("member_no")
    members = {no: day for no, day in rows.values_list("member_no", "activated_on") if day is not None}
    if not members:
        return result
    member_ids = dict(rows.values_list("member_no", "pk"))
    today = timezone.localdate()
    plans = loans_plan(cooperative.code, members)
    with transaction.atomic():
        officers = _officers(cooperative, actor, result)
        bendahara, ketua, pengawas = officers[Role.BENDAHARA], officers[Role.KETUA], officers[Role.PENGAWAS]
        unit = BusinessUnit.objects.get(cooperative=cooperative, code="simpan_pinjam")
        if unit.status != UnitStatus.AKTIF:
            coop_services.business_unit_save(
                cooperative=cooperative, actor=actor, code="simpan_pinjam", status=UnitStatus.AKTIF, started_on=USP_FROM
            )
        setting = {"effective_from": USP_FROM, "approval_limit": APPROVAL_LIMIT}
        if cooperative.code == DEMO_COOP:
            setting |= STRICT_RULES
        loans.loan_setting_create(cooperative=cooperative, data=setting, actor=actor)
        products = {
            data["name"]: loans.loan_product_create(cooperative=cooperative, data=data, actor=actor).pk
            for data in PRODUCTS
        }
        _funding(cooperative, plans, actor, today)

        events: list[tuple[datetime.date, int, int, str, Any]] = []
        for plan in plans:
            events.append((plan.applied_on, 0, plan.index, "apply", plan))
            for n, day in enumerate(plan.approvals):
                events.append((day, 1 + n, plan.index, "approve", (plan, n)))
            if plan.rejected:
                events.append((min(plan.applied_on + _days(2), LAST_DAY), 1, plan.index, "reject", plan))
            if plan.disbursed_on:
                events.append((plan.disbursed_on, 3, plan.index, "disburse", plan))
            for payment in plan.payments:
                events.append((payment.date, 4, plan.index, "pay", (plan, payment)))
            if plan.payoff_on:
                events.append((plan.payoff_on, 4, plan.index, "payoff", plan))
        events.append((MONTH_END, 9, 0, "month_end", None))
        events.sort(key=lambda e: e[:3])

        loan_ids: dict[int, int] = {}
        rates: dict[int, Decimal] = {}
        for day, _, _, what, item in events:
            if day > today:
                break
            match what:
                case "apply":
                    plan = item
                    loan = loans.loan_apply(
                        cooperative=cooperative,
                        member=member_ids[plan.member_no],
                        product=products[plan.product],
                        principal=plan.principal,
                        term_months=plan.term,
                        applied_on=plan.applied_on,
                        purpose=plan.purpose,
                        actor=bendahara,
                    )
                    loan_ids[plan.index], rates[plan.index] = loan.pk, loan.penalty_rate_pm
                    result.loans += 1
                case "approve":
                    plan, n = item
                    approver = bendahara if not plan.needs_board else (ketua, pengawas)[n]
                    loans.loan_approve(cooperative=cooperative, loan=loan_ids[plan.index], actor=approver, date=day)
                case "reject":
                    loans.loan_reject(
                        cooperative=cooperative, loan=loan_ids[item.index], reason=REJECTION_REASON, actor=bendahara
                    )
                case "disburse":
                    plan = item
                    by_bank = plan.principal >= 5_000_000
                    loans.loan_disburse(
                        cooperative=cooperative,
                        loan=loan_ids[plan.index],
                        date=day,
                        actor=bendahara,
                        channel="transfer" if by_bank else "tunai",
                        reference=f"TRF-USP-{day:%y%m%d}-{plan.index:02d}" if by_bank else "",
                    )
                    result.transactions += 1
                case "pay":
                    plan, payment = item
                    loan_id = loan_ids[plan.index]
                    amount, states = _owed(loan_id, rates[plan.index], payment.upto, day)
                    if payment.partial:
                        oldest = next(s for s in states if not s.settled)
                        amount = max(oldest.left // 3 // 10_000 * 10_000, 10_000)
                    if amount <= 0:
                        continue
                    loans.loan_repay(
                        cooperative=cooperative,
                        loan=loan_id,
                        amount=amount,
                        date=day,
                        actor=bendahara,
                        channel="transfer" if payment.transfer else "tunai",
                        reference=f"TRF{day:%y%m%d}{member_ids[plan.member_no]:05d}" if payment.transfer else "",
                    )
                    result.transactions += 1
                case "payoff":
                    loan_id = loan_ids[item.index]
                    _, states = _owed(loan_id, rates[item.index], 0, day)
                    quote = calculations.payoff_quote(states, day)
                    loans.loan_payoff(
                        cooperative=cooperative, loan=loan_id, date=day, expected_total=quote.total, actor=bendahara
                    )
                    result.transactions += 1
                case "month_end":
                    loans_month_end(cooperative=cooperative, date=MONTH_END, actor=bendahara)
    return result
