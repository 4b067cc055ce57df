"""Demo tahun buku 2025, its year-end close and its SHU (issue 8), in three operating KKMP.

The cooperatives were founded in 2025 (musyawarah in May, akta on 28 July: domain.md §6.6)
and the rest of the demo starts in June 2026. A year can only be closed once it is over, so
Batu Ampar, Damai and Karang Rejo get a small first tahun buku, through the real services:

- **Founders.** Nine anggota pendiri (the minimum for a koperasi primer since UU 6/2023)
  join on the akta date and pay simpanan pokok (Rp50.000) at once, then wajib (Rp20.000 a
  month from August): most every month, two a quarter at a time, one pays the whole year in
  December plus January 2026 ahead, one stops after September, one skips December. Three
  keep sukarela. No savings setting is stored for 2025: the domain.md §11 defaults are the
  same amounts, and the setting of 1 June 2026 stays the cooperative's only row. The
  savings module has no bills before July 2026, so their 2025 wajib counts towards the
  first bills it issues (``savings.selectors.wajib_bills``).
- **Business.** Under the Perum Bulog agreement of 1 December 2025, before the gerai is
  built, the cooperative sells beras SPHP (5 kg at the Rp65.500 HET) from the kelurahan
  office: two deliveries on 14 days' credit (HPP gerai against utang usaha, paid in cash),
  weekly sales recaps by journal, 40 % of the packs to members (founders who run a warung
  restock from it) on 4-1100 and the rest on 4-2100, the transport of the rice as a gerai
  cost; stationery and stamps as the office's. There is no till yet, so no member's
  purchases are on record: jasa usaha has no base in 2025.
- **Close.** The bendahara closes every month of 2025 (January–July had nothing), then the
  year (``shu.services.fiscal_year_close``) in January 2026.
- **SHU rules.** The AD/ART's rules from 2025, for the first tahun buku: cadangan 40 %, the
  members' 40 % all as jasa modal on pokok + wajib (no member transaction is on record),
  pengurus, pendidikan, sosial and pembangunan daerah kerja 5 % each.
- **RAT.** Batu Ampar (14 March 2026) and Damai (28 March 2026) hold their RAT: the SHU is
  approved with the decision number (``shu_approve``), and the RAT adopts the domain.md §11
  rules from 2026 on (jasa usaha from gerai purchases and loan interest). Members are paid
  on the RAT day in cash or, in April, into sukarela; at Batu Ampar three have not collected
  theirs (the unpaid report has rows), at Damai one. Karang Rejo closed 2025 but has not
  held its RAT: its approval page has work to do, and the Dinas sees it late (more than six
  months after the year's end).
- **Dana SHU.** On 25 April 2026 Batu Ampar's bendahara pays a training in cooperative
  matters for the board and members out of the dana pendidikan, in cash
  (``shu_fund_spend``): Rp50.000 of its Rp60.610, so the funds page has a spend and a fund
  partly used.
- Batu Ampar's first founder is the demo user ``anggota.batu-ampar``: the portal shows the
  SHU slip.

A later load leaves a cooperative whose 2025 is closed (or whose founders exist) alone.
The 2026 demo (members, loans, gerai) draws its people from the members who joined from
June 2026 (``demo.members.JOIN_FIRST``), so its figures are those it had without founders.
Events dated after today are not loaded.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.db import transaction
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.models import CooperativeRole
from koperasi.core.roles import Role
from koperasi.core.services import cooperative_user_add
from koperasi.demo.loans import LoansResult, _officers, _password_hash
from koperasi.demo.members import FAMILY, FEMALE, MALE, STREETS, _nik
from koperasi.ledger.models import Period
from koperasi.ledger.services import LineInput, journal_post, period_close
from koperasi.members.models import Member
from koperasi.members.services import member_register, member_user_link
from koperasi.savings import services as savings
from koperasi.savings.choices import SavingsKind
from koperasi.shu import selectors as shu_selectors
from koperasi.shu import services as shu
from koperasi.shu.calculations import AllocationLine
from koperasi.shu.choices import PaymentMethod, Pool, SpendChannel
from koperasi.shu.models import FiscalYear, ShuDistribution, ShuFundSpend, ShuMemberShare

D = datetime.date
YEAR = 2025
FOUNDED = D(2025, 7, 28)  # the akta (demo.balikpapan.STAGE_DATES)
FOUNDERS = 9
POKOK, WAJIB = 50_000, 20_000
PACK_PRICE, PACK_COST = 65_500, 55_000  # beras SPHP 5 kg: the zone 2 HET; Bulog's price to its partners
MEMBER_SHARE_PCT = 40
YEAR_CLOSED_ON = D(2026, 1, 16)
PORTAL_USER = "anggota.batu-ampar"


@dataclass(frozen=True)
class Plan:
    """One cooperative's 2025: SPHP deliveries (packs) and, if held, its RAT."""

    abbreviation: str
    deliveries: tuple[int, int]
    rat_date: datetime.date | None = None
    unpaid: int = 0  # founders who have not collected their SHU
    portal_user: str = ""
    training_on: datetime.date | None = None  # paid out of the dana pendidikan (module docstring)


PLANS = {
    "batu-ampar": Plan(
        "BTA", (200, 160), D(2026, 3, 14), unpaid=3, portal_user=PORTAL_USER, training_on=D(2026, 4, 25)
    ),
    "damai": Plan("DMI", (180, 140), D(2026, 3, 28), unpaid=1),
    "karang-rejo": Plan("KRJ", (160, 120)),
}

# The AD/ART's rules for the first tahun buku (module docstring); from 2026 the domain.md §11 defaults.
FOUNDING_ALLOCATION = (
    AllocationLine(Pool.CADANGAN, Decimal(40)),
    AllocationLine(Pool.JASA_MODAL, Decimal(40)),
    AllocationLine(Pool.DANA_PENGURUS, Decimal(5)),
    AllocationLine(Pool.DANA_PENDIDIKAN, Decimal(5)),
    AllocationLine(Pool.DANA_SOSIAL, Decimal(5)),
    AllocationLine(Pool.DANA_PEMBANGUNAN, Decimal(5)),
)
FOUNDING_NOTE = (
    "AD/ART tahun buku pertama: gerai belum beroperasi dan transaksi anggota belum tercatat per anggota, "
    "maka bagian anggota dibagi menurut simpanan pokok dan wajib."
)

# Wajib per founder (index): (day, amount) deposits. Most monthly; 5–6 a quarter at a time; 7 stops
# after September; 8 pays August–December and January 2026 in December; 4 skips December.
_MONTHLY = tuple((D(2025, m, 6), WAJIB) for m in range(8, 13))
WAJIB_PLAN: dict[int, tuple[tuple[datetime.date, int], ...]] = {
    0: _MONTHLY,
    1: _MONTHLY,
    2: _MONTHLY,
    3: _MONTHLY,
    4: _MONTHLY[:4],
    5: ((D(2025, 8, 11), 3 * WAJIB), (D(2025, 11, 10), 2 * WAJIB)),
    6: ((D(2025, 8, 11), 3 * WAJIB), (D(2025, 11, 12), 2 * WAJIB)),
    7: _MONTHLY[:2],
    8: ((D(2025, 12, 15), 6 * WAJIB),),
}
SUKARELA_PLAN: dict[int, tuple[tuple[datetime.date, int], ...]] = {
    0: ((D(2025, 9, 8), 500_000), (D(2025, 11, 7), 250_000)),
    3: ((D(2025, 10, 6), 1_000_000),),
    6: ((D(2025, 8, 20), 300_000), (D(2025, 12, 19), 200_000)),
}
SUKARELA_PAID = (0, 2)  # founders whose SHU goes into sukarela (the others in cash)
# What the dana pendidikan pays for (Plan.training_on).
TRAINING_AMOUNT = 50_000
TRAINING_PURPOSE = "Pelatihan perkoperasian untuk pengurus dan anggota"
TRAINING_RECIPIENT = "LPK Mitra Koperasi Balikpapan"


@dataclass
class ShuDemoResult:
    members_registered: int = 0
    savings_transactions: int = 0
    years_closed: int = 0
    distributions: int = 0
    payments: int = 0
    users_created: int = 0


def _founders(cooperative: Cooperative) -> list[dict[str, Any]]:
    """The nine founders' registration data, the same on every call (seeded by the cooperative's code)."""
    rng = random.Random(f"koperasi-demo-pendiri-{cooperative.code}")
    region6 = cooperative.kelurahan_id[:8].replace(".", "")
    people: list[dict[str, Any]] = []
    names: set[str] = set()
    while len(people) < FOUNDERS:
        female = len(people) % 2 == 1
        name = f"{rng.choice(FEMALE if female else MALE)} {rng.choice(FAMILY)}"
        birth = D(rng.randint(1962, 1990), rng.randint(1, 12), rng.randint(1, 28))
        kk_issued = D(rng.randint(2008, 2022), rng.randint(1, 12), rng.randint(1, 28))
        if name in names:
            continue
        names.add(name)
        people.append(
            {
                "nik": _nik(region6, birth, female, 9001 + len(people)),  # 9001–9009: no other demo NIK uses them
                "kk": f"{region6}{kk_issued:%d%m%y}{rng.randint(1, 9999):04d}",
                "name": name,
                "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 120)} RT {rng.randint(1, 45):02d}",
                "phone": f"0812{rng.randint(1_000_000, 99_999_999):08d}",
                "birth_place": "Balikpapan",
                "occupation": rng.choice(("Wiraswasta", "Pedagang", "PNS", "Pensiunan", "Ibu rumah tangga"))
                if female
                else rng.choice(("Wiraswasta", "Pedagang", "PNS", "Pensiunan", "Karyawan swasta")),
                "joined_on": FOUNDED,
            }
        )
    return people


def _savings(cooperative: Cooperative, members: list[Member], actor: Any) -> int:
    """Pokok on the akta day, then each founder's wajib and sukarela, in date order; return how many."""
    txns: list[tuple[datetime.date, int, str, int]] = []
    for index, _member in enumerate(members):
        txns.append((FOUNDED, index, SavingsKind.POKOK, POKOK))
        txns += [(day, index, SavingsKind.WAJIB, amount) for day, amount in WAJIB_PLAN[index]]
        txns += [(day, index, SavingsKind.SUKARELA, amount) for day, amount in SUKARELA_PLAN.get(index, ())]
    for n, (day, index, kind, amount) in enumerate(sorted(txns, key=lambda t: (t[0], t[1])), start=1):
        savings.savings_deposit(
            cooperative=cooperative,
            member=members[index],
            kind=kind,
            amount=amount,
            date=day,
            actor=actor,
            idempotency_key=f"demo-{cooperative.code}-pendiri-{index + 1}-{n:02d}",
        )
    return len(txns)


def _books(cooperative: Cooperative, plan: Plan, actor: Any) -> None:
    """The SPHP trade of December 2025 and the office's costs, by journal (module docstring)."""

    def post(key: str, day: datetime.date, memo: str, *lines: LineInput) -> None:
        journal_post(
            cooperative=cooperative,
            date=day,
            lines=list(lines),
            memo=memo,
            source="demo",
            idempotency_key=f"demo-2025-{key}",
            actor=actor,
        )

    def cash(debit: int = 0, credit: int = 0) -> LineInput:
        return LineInput(account="1-1100", debit=debit, credit=credit)

    post(
        "atk",
        D(2025, 11, 12),
        "ATK, meterai dan cetak buku simpanan anggota",
        LineInput(account="5-2900", debit=385_000),
        cash(credit=385_000),
    )
    first, second = plan.deliveries
    for n, (day, packs) in enumerate(((D(2025, 12, 2), first), (D(2025, 12, 16), second)), start=1):
        cost = packs * PACK_COST
        post(
            f"sphp-terima-{n}",
            day,
            f"Beras SPHP {packs} kemasan 5 kg dari Perum Bulog, tempo 14 hari",
            LineInput(account="5-1100", debit=cost),
            LineInput(account="2-1300", credit=cost),
        )
        post(
            f"sphp-bayar-{n}",
            day + datetime.timedelta(days=14),
            f"Pelunasan beras SPHP kiriman {day:%d/%m/%Y} ke Perum Bulog",
            LineInput(account="2-1300", debit=cost),
            cash(credit=cost),
        )
    total = first + second
    weeks = (D(2025, 12, 6), D(2025, 12, 13), D(2025, 12, 20), D(2025, 12, 27), D(2025, 12, 31))
    shares = (15, 25, 20, 20, 20)  # percent of the month's packs sold each week
    sold = 0
    for n, (day, share) in enumerate(zip(weeks, shares, strict=True), start=1):
        packs = total - sold if n == len(weeks) else total * share // 100
        sold += packs
        to_members = packs * MEMBER_SHARE_PCT // 100
        post(
            f"sphp-jual-{n}",
            day,
            f"Penjualan beras SPHP minggu ke-{n} Desember 2025 (rekap): {to_members} kemasan ke anggota, "
            f"{packs - to_members} ke bukan anggota",
            cash(debit=packs * PACK_PRICE),
            LineInput(account="4-1100", credit=to_members * PACK_PRICE),
            LineInput(account="4-2100", credit=(packs - to_members) * PACK_PRICE),
        )
    post(
        "sphp-angkut",
        D(2025, 12, 29),
        "Angkutan beras SPHP dari gudang Bulog Kariangau (2 kali)",
        LineInput(account="5-2900", debit=300_000, business_unit="gerai_sembako"),
        cash(credit=300_000),
    )


def _close_year(cooperative: Cooperative, bendahara: Any) -> FiscalYear:
    """Close every month of 2025, then the year, as the bendahara did in January 2026."""
    for month in range(1, 13):
        first = D(YEAR, month, 1)
        period_close(
            cooperative=cooperative,
            month=first,
            reason="Tidak ada transaksi" if month < 8 else f"Laporan bulan {first:%m/%Y} selesai diperiksa",
            actor=bendahara,
        )
        closed = D(YEAR + 1, 1, 10) if month == 12 else D(YEAR, month + 1, 10)
        Period.objects.filter(cooperative=cooperative, month=first).update(closed_at=_at(max(closed, D(YEAR, 8, 10))))
    fiscal_year = shu.fiscal_year_close(cooperative=cooperative, year=YEAR, actor=bendahara)
    FiscalYear.objects.filter(pk=fiscal_year.pk).update(closed_at=_at(YEAR_CLOSED_ON))
    return fiscal_year


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _rat(cooperative: Cooperative, plan: Plan, officers: dict[Role, Any], members: list[Member]) -> int:
    """The RAT's approval, the 2026 rules it adopts, the members paid and the training; return how many were paid."""
    assert plan.rat_date is not None
    ketua, bendahara = officers[Role.KETUA], officers[Role.BENDAHARA]
    decision = f"03/RAT/KKMP-{plan.abbreviation}/III/2026"
    distribution = shu.shu_approve(
        cooperative=cooperative, year=YEAR, rat_date=plan.rat_date, decision_number=decision, actor=ketua
    )
    ShuDistribution.objects.filter(pk=distribution.pk).update(approved_at=_at(plan.rat_date))
    shu.shu_policy_save(
        cooperative=cooperative,
        effective_year=YEAR + 1,
        lines=shu_selectors.DEFAULT_ALLOCATION,
        capital_kinds=shu_selectors.DEFAULT_CAPITAL_KINDS,
        note=f"Keputusan RAT {plan.rat_date:%d/%m/%Y} no. {decision}: mulai tahun buku 2026 jasa usaha "
        "dari belanja di gerai dan jasa pinjaman.",
        actor=ketua,
    )
    index = {m.pk: i for i, m in enumerate(members)}
    shares = sorted(
        ShuMemberShare.objects.filter(cooperative=cooperative, distribution=distribution, total__gt=0),
        key=lambda s: index[s.member_id],
    )
    paid = 0
    today = timezone.localdate()
    for share in shares[: len(shares) - plan.unpaid]:
        to_savings = index[share.member_id] in SUKARELA_PAID
        day = D(2026, 4, 6) if to_savings else plan.rat_date
        if day > today:
            continue
        shu.shu_pay(
            cooperative=cooperative,
            share=share,
            method=PaymentMethod.SUKARELA if to_savings else PaymentMethod.CASH,
            date=day,
            actor=bendahara,
        )
        paid += 1
    if plan.training_on is not None and plan.training_on <= today:
        spend = shu.shu_fund_spend(
            cooperative=cooperative,
            fund=Pool.DANA_PENDIDIKAN,
            amount=TRAINING_AMOUNT,
            date=plan.training_on,
            channel=SpendChannel.CASH,
            purpose=TRAINING_PURPOSE,
            recipient=TRAINING_RECIPIENT,
            actor=bendahara,
            idempotency_key=f"demo-{cooperative.code}-dana-pendidikan-1",
        )
        ShuFundSpend.objects.filter(pk=spend.pk).update(created_at=_at(plan.training_on))
    return paid


def _portal_user(cooperative: Cooperative, member: Member, username: str, actor: Any) -> int:
    """Give the first founder a portal login (``anggota.<code>``, the demo password); return users made."""
    from koperasi.demo.balikpapan import DEMO_PASSWORD  # balikpapan imports this module

    User = get_user_model()
    made = 0
    if not User.objects.filter(username=username).exists():
        User.objects.create(
            username=username,
            first_name=member.name,
            password=_password_hash(DEMO_PASSWORD, get_hasher().algorithm),
        )
        made = 1
    if not CooperativeRole.objects.filter(cooperative=cooperative, user__username=username).exists():
        cooperative_user_add(
            cooperative=cooperative,
            username=username,
            password=None,
            role=Role.ANGGOTA,
            full_name=member.name,
            actor=actor,
            allow_existing_user=True,
        )
    member_user_link(cooperative=cooperative, member=member, user=User.objects.get(username=username), actor=actor)
    return made


def demo_shu_load(cooperative: Cooperative, actor: Any) -> ShuDemoResult:
    """Load one cooperative's tahun buku 2025, its close and its SHU (module docstring); once per cooperative.

    A cooperative without a plan, or with its 2025 closed or its founders registered, is
    left alone. Raises what the services raise (e.g. ``savings_month_closed`` when an older
    demo's interest runs already cover 2025); the caller's transaction leaves nothing behind.
    """
    result = ShuDemoResult()
    plan = PLANS.get(cooperative.code)
    if plan is None or FiscalYear.objects.filter(cooperative=cooperative, year=YEAR).exists():
        return result
    people = _founders(cooperative)
    if Member.objects.filter(cooperative=cooperative, nik__in=[p["nik"] for p in people]).exists():
        return result
    today = timezone.localdate()
    with transaction.atomic():
        made = LoansResult()
        officers = _officers(cooperative, actor, made)  # ketua, bendahara, pengawas (as the loans would make them)
        result.users_created += made.users_created
        bendahara = officers[Role.BENDAHARA]
        members = [member_register(cooperative=cooperative, data=data, actor=bendahara) for data in people]
        result.members_registered += len(members)
        result.savings_transactions += _savings(cooperative, members, bendahara)
        _books(cooperative, plan, bendahara)
        if today <= YEAR_CLOSED_ON:
            return result
        _close_year(cooperative, bendahara)
        result.years_closed += 1
        shu.shu_policy_save(
            cooperative=cooperative,
            effective_year=YEAR,
            lines=FOUNDING_ALLOCATION,
            capital_kinds=(SavingsKind.POKOK, SavingsKind.WAJIB),
            note=FOUNDING_NOTE,
            actor=officers[Role.KETUA],
        )
        if plan.rat_date is not None and plan.rat_date <= today:
            result.payments += _rat(cooperative, plan, officers, members)
            result.distributions += 1
        if plan.portal_user:
            members[0].refresh_from_db()
            result.users_created += _portal_user(cooperative, members[0], plan.portal_user, actor)
    return result
