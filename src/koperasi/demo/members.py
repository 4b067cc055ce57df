"""Demo members and their savings for an operating KKMP (issue 4).

Each of the seven operating cooperatives opens member registration in June 2026, after
the members' meeting set the savings rules (pokok Rp50.000, wajib Rp20.000 a month,
sukarela 3 % a year from 1 June 2026). Most people pay simpanan pokok and become aktif;
a few stay calon anggota; wajib bills are issued for July–November 2026 and paid
monthly by most, late or not at all by some; some keep simpanan sukarela (a few
withdraw); month-end interest is credited for June–October; one member leaves in
October and gets the savings back.

The people are generated, not real: a seeded generator (the cooperative's code) gives
the same NIKs, names and dates on every run. NIKs carry the region code of the
cooperative's kecamatan, a real birth date (women: day + 40) and a serial; ages mix
youth (18–30), adults and seniors (60+). Everything goes through the member and savings
services in date order (a transaction's ``balance_after`` is its running balance), with
idempotency keys ``demo-<coop>-<person>-<n>``; a person whose NIK is already a member of
the cooperative is skipped, so loading twice creates nothing twice.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.members.choices import CURRENT_STATUSES, MemberStatus
from koperasi.members.models import Member
from koperasi.members.services import member_register, member_user_link
from koperasi.savings import services as savings
from koperasi.savings.choices import Channel, SavingsKind
from koperasi.savings.models import SavingsSetting

D = datetime.date
SETTING_FROM = D(2026, 6, 1)
POKOK, WAJIB, RATE_PA = 50_000, 20_000, Decimal("3")
BILL_MONTHS = tuple(D(2026, m, 1) for m in (7, 8, 9, 10, 11))
INTEREST_MONTHS = tuple(D(2026, m, 1) for m in (6, 7, 8, 9, 10))
JOIN_FIRST, JOIN_LAST = D(2026, 6, 2), D(2026, 10, 28)
LAST_EVENT = D(2026, 11, 20)
DEMO_COOP = "gunung-sari-ulu"
MEMBER_COUNTS = {DEMO_COOP: 60}  # the others: 40–80, from their generator

MALE = (
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Dedi", "Eko", "Fajar", "Hasan", "Hendra",
    "Irfan", "Joko", "Kurniawan", "Muhammad", "Rahmat", "Rizky", "Rudi", "Slamet", "Syamsuddin", "Wahyu",
    "Yusuf", "Baharuddin", "Hamzah", "Ilham", "Taufik",
)  # fmt: skip
FEMALE = (
    "Aminah", "Ayu", "Dewi", "Fitri", "Indah", "Kartini", "Lestari", "Nur", "Nurhayati", "Ratna",
    "Rina", "Siti", "Sri", "Wulan", "Yuni", "Rahmawati", "Hasnah", "Mariani", "Suryani", "Putri",
    "Halimah", "Salmah", "Anisa", "Diana", "Maya",
)  # fmt: skip
FAMILY = (
    "Saputra", "Hidayat", "Pratama", "Wijaya", "Rahman", "Setiawan", "Nugroho", "Santoso", "Susanto",
    "Hakim", "Hasanuddin", "Syahputra", "Gunawan", "Firmansyah", "Ramadhan", "Utomo", "Kusuma",
    "Lubis", "Siregar", "Tanjung", "Daeng Matta", "Mappanyukki", "Baso", "Yunus", "Ismail",
)  # fmt: skip
STREETS = (
    "Jl. Gunung Sari", "Jl. Mayjend Sutoyo", "Jl. Ahmad Yani", "Jl. Pattimura", "Jl. Mawar",
    "Jl. Melati", "Gg. Kenanga", "Jl. Pandan Sari", "Jl. Kampung Timur", "Jl. Pelita",
)  # fmt: skip
BIRTH_PLACES = ("Balikpapan", "Balikpapan", "Balikpapan", "Samarinda", "Makassar", "Banjarmasin", "Surabaya")
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878", "0896")
JOBS_YOUTH = ("Mahasiswa", "Karyawan swasta", "Pengemudi ojek daring", "Wiraswasta", "Pedagang")
JOBS_ADULT = ("Wiraswasta", "Pedagang", "Karyawan swasta", "Ibu rumah tangga", "PNS", "Buruh harian", "Nelayan")
JOBS_SENIOR = ("Pensiunan", "Pedagang", "Ibu rumah tangga", "Wiraswasta")


@dataclass(frozen=True)
class Txn:
    """One planned savings transaction (amount > 0 deposits, < 0 withdraws)."""

    date: datetime.date
    kind: str
    amount: int
    channel: str = Channel.TUNAI


@dataclass
class Person:
    """A generated member with the savings they will move, in date order."""

    index: int
    data: dict[str, Any]
    joined_on: datetime.date
    txns: list[Txn] = field(default_factory=list)
    exit_on: datetime.date | None = None


# --- The plan (pure: no database) --------------------------------------------------------------
def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _nik(region6: str, birth: datetime.date, female: bool, serial: int) -> str:
    day = birth.day + (40 if female else 0)
    return f"{region6}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def _identity(rng: random.Random, region6: str, serial: int, index: int) -> dict[str, Any]:
    """Return the registration data of one generated person (youth 18–30, adult or senior 60+)."""
    female = rng.random() < 0.55
    group = rng.choices(("youth", "adult", "senior"), weights=(25, 55, 20))[0]
    years = {"youth": (1996, 2007), "adult": (1967, 1994), "senior": (1950, 1965)}[group]
    birth = D(rng.randint(*years), rng.randint(1, 12), rng.randint(1, 28))
    given = rng.choice(FEMALE if female else MALE)
    name = f"{given} {rng.choice(FAMILY)}"
    if group == "senior" and rng.random() < 0.4:
        name = ("Hj. " if female else "H. ") + name
    kk_issued = D(rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28))
    jobs = {"youth": JOBS_YOUTH, "adult": JOBS_ADULT, "senior": JOBS_SENIOR}[group]
    job = rng.choice(jobs)
    if job == "Ibu rumah tangga" and not female:
        job = "Wiraswasta"
    phone = "" if rng.random() < 0.08 else f"{rng.choice(PHONE_PREFIXES)}{rng.randint(1_000_000, 99_999_999):08d}"
    data = {
        "nik": _nik(region6, birth, female, serial * 100 + index + 1),
        "kk": f"{region6}{kk_issued:%d%m%y}{rng.randint(1, 9999):04d}",
        "name": name,
        "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 120)} RT {rng.randint(1, 45):02d}",
        "phone": phone,
        "birth_place": rng.choice(BIRTH_PLACES),
        "occupation": job,
    }
    return data


def _savings_plan(rng: random.Random, person: Person, *, calon: bool, leaves: bool) -> None:
    """Plan pokok, wajib and sukarela for one person (none if they stay calon)."""
    if calon:
        return
    activated = min(person.joined_on + datetime.timedelta(days=rng.choice((0, 0, 0, 1, 3, 7, 14))), JOIN_LAST)
    person.txns.append(Txn(activated, SavingsKind.POKOK, POKOK))
    exit_on = D(2026, 10, 26) if leaves else None
    # Wajib: a month is billed to everyone aktif in it (savings.services.wajib_bills_issue).
    billed = [m for m in BILL_MONTHS if activated <= _month_end(m) and (exit_on is None or m <= exit_on)]
    habit = rng.choices(("monthly", "late", "stopped", "ahead"), weights=(62, 14, 16, 8))[0]
    if leaves:
        habit = "monthly"
    if habit == "ahead" and billed:
        first = max(billed[0] + datetime.timedelta(days=rng.randint(2, 8)), activated)
        person.txns.append(Txn(first, SavingsKind.WAJIB, WAJIB * 3))
        rest = billed[3:]
        for month in rest:
            person.txns.append(Txn(month + datetime.timedelta(days=rng.randint(2, 9)), SavingsKind.WAJIB, WAJIB))
    elif habit == "late":
        # pays two months at a time, in the second month; an odd last month stays unpaid
        for second in billed[1::2]:
            person.txns.append(Txn(second + datetime.timedelta(days=rng.randint(12, 19)), SavingsKind.WAJIB, WAJIB * 2))
    else:
        paid = billed if habit == "monthly" else billed[: max(len(billed) - rng.randint(1, 3), 0)]
        for month in paid:
            channel = Channel.TRANSFER if rng.random() < 0.15 else Channel.TUNAI
            day = max(month + datetime.timedelta(days=rng.randint(1, 9)), activated)
            person.txns.append(Txn(day, SavingsKind.WAJIB, WAJIB, channel))
    # Sukarela: about half keep some; a few take money out later.
    if leaves or rng.random() < 0.45:
        balance = 0
        day = activated + datetime.timedelta(days=rng.randint(0, 20))
        while day <= LAST_EVENT:
            if balance > 100_000 and rng.random() < 0.12:
                amount = -min(balance // 2 // 10_000 * 10_000, 1_000_000)
            else:
                amount = rng.choice((25_000, 50_000, 100_000, 100_000, 150_000, 200_000, 250_000, 500_000, 1_000_000))
            if exit_on and day >= exit_on:
                break
            if amount:
                balance += amount
                person.txns.append(Txn(day, SavingsKind.SUKARELA, amount))
            day += datetime.timedelta(days=rng.randint(25, 70))
    person.exit_on = exit_on
    person.txns.sort(key=lambda t: t.date)


def _featured(region6: str) -> Person:
    """Budi Santoso, the demo user ``anggota``: every kind of savings, one wajib bill unpaid."""
    person = Person(
        index=0,
        data={
            "nik": _nik(region6, D(1985, 5, 15), False, 1),
            "kk": f"{region6}0101100003",
            "name": "Budi Santoso",
            "address": "Jl. Gunung Sari No. 12 RT 05",
            "phone": "0812-3456-7890",
            "birth_place": "Balikpapan",
            "occupation": "Wiraswasta",
        },
        joined_on=JOIN_FIRST,
    )
    person.txns = [
        Txn(JOIN_FIRST, SavingsKind.POKOK, POKOK),
        Txn(D(2026, 6, 15), SavingsKind.SUKARELA, 500_000),
        Txn(D(2026, 7, 6), SavingsKind.WAJIB, WAJIB),
        Txn(D(2026, 8, 5), SavingsKind.WAJIB, WAJIB),
        Txn(D(2026, 8, 5), SavingsKind.SUKARELA, 250_000),
        Txn(D(2026, 9, 7), SavingsKind.WAJIB, WAJIB, Channel.TRANSFER),
        Txn(D(2026, 9, 20), SavingsKind.SUKARELA, -150_000),
        Txn(D(2026, 10, 8), SavingsKind.WAJIB, WAJIB),
        Txn(D(2026, 10, 10), SavingsKind.SUKARELA, 100_000),
    ]  # November's wajib is not paid: the portal shows one overdue bill
    return person


def members_plan(code: str, region6: str, serial: int) -> list[Person]:
    """Return the people of one cooperative and their savings, the same on every call."""
    rng = random.Random(f"koperasi-demo-{code}")
    count = MEMBER_COUNTS.get(code) or rng.randint(40, 80)
    people: list[Person] = []
    names: set[str] = set()
    leaver = rng.randint(5, 15)
    if code == DEMO_COOP:
        people.append(_featured(region6))
        names.add("Budi Santoso")
    while len(people) < count:
        index = len(people)
        data = _identity(rng, region6, serial, index)
        if data["name"] in names:
            continue
        names.add(data["name"])
        # Most register in the June–July drive, the rest trickle in until October.
        if rng.random() < 0.7:
            joined = _day_between(rng, JOIN_FIRST, D(2026, 7, 31))
        else:
            joined = _day_between(rng, D(2026, 8, 1), JOIN_LAST)
        person = Person(index=index, data=data, joined_on=joined)
        calon = index != leaver and rng.random() < (0.06 if joined.month <= 7 else 0.3)
        _savings_plan(rng, person, calon=calon, leaves=index == leaver)
        people.append(person)
    return people


# --- Loading (through the services) ------------------------------------------------------------
def _events(people: list[Person], today: datetime.date) -> Iterator[tuple[datetime.date, int, int, Any]]:
    """Yield (date, phase, order, what) in the order they happened; nothing after ``today``.

    Phases on one day: registrations, transactions, exits, wajib bills, interest. A month's
    bills are issued at its end (or today): they go to everyone aktif in the month, so
    issuing them earlier would miss the members who join later in it.
    """
    events: list[tuple[datetime.date, int, int, Any]] = []
    for month in BILL_MONTHS:
        events.append((min(_month_end(month), today), 4, 0, ("bills", month)))
    for person in people:
        events.append((person.joined_on, 1, person.index, ("register", person)))
        for n, txn in enumerate(person.txns, start=1):
            events.append((txn.date, 2, person.index * 100 + n, ("txn", person, n, txn)))
        if person.exit_on:
            events.append((person.exit_on, 3, person.index, ("exit", person)))
    for month in INTEREST_MONTHS:
        last_day = _month_end(month)
        if last_day < today:
            events.append((last_day, 5, 0, ("interest", month)))
    events.sort(key=lambda e: e[:3])
    return (e for e in events if e[0] <= today)


@dataclass
class MembersResult:
    registered: int = 0
    transactions: int = 0


def demo_members_load(cooperative: Cooperative, serial: int, actor: Any) -> MembersResult:
    """Register the demo members of one operating cooperative and move their savings.

    Idempotent: the savings setting, bills and interest runs are created once; a person
    whose NIK is already a member here is skipped. Raises Conflict (``period_closed``) or
    ValidationError (``savings_month_closed``) if the months of the demo savings were
    closed, or their interest paid, before the members were loaded.
    """
    result = MembersResult()
    today = timezone.localdate()
    region6 = cooperative.kelurahan_id[:8].replace(".", "")
    people = members_plan(cooperative.code, region6, serial)
    existing = set(Member.objects.filter(cooperative=cooperative).values_list("nik", flat=True))
    new = [p for p in people if p.data["nik"] not in existing]
    with transaction.atomic():
        if not SavingsSetting.objects.filter(cooperative=cooperative, effective_from=SETTING_FROM).exists():
            savings.savings_setting_create(
                cooperative=cooperative,
                actor=actor,
                effective_from=SETTING_FROM,
                pokok_amount=POKOK,
                wajib_amount=WAJIB,
                sukarela_rate_pa=RATE_PA,
            )
        members: dict[int, int] = {}
        for _, _, _, what in _events(new, today):
            match what:
                case ("bills", month):
                    savings.wajib_bills_issue(cooperative=cooperative, month=month, actor=actor)
                case ("interest", month):
                    savings.interest_month_post(cooperative=cooperative, month=month, actor=actor)
                case ("register", person):
                    member = member_register(
                        cooperative=cooperative, data={**person.data, "joined_on": person.joined_on}, actor=actor
                    )
                    members[person.index] = member.pk
                    result.registered += 1
                case ("txn", person, n, txn):
                    _transact(cooperative, members[person.index], person, n, txn, actor)
                    result.transactions += 1
                case ("exit", person):
                    savings.member_exit(
                        cooperative=cooperative,
                        member=members[person.index],
                        status=MemberStatus.KELUAR,
                        date=person.exit_on,
                        reason="Pindah domisili ke Samarinda",
                        actor=actor,
                    )
    return result


def _transact(cooperative: Cooperative, member_id: int, person: Person, n: int, txn: Txn, actor: Any) -> None:
    common = {
        "cooperative": cooperative,
        "member": member_id,
        "kind": txn.kind,
        "amount": abs(txn.amount),
        "date": txn.date,
        "actor": actor,
        "channel": txn.channel,
        "reference": f"TRF{txn.date:%y%m%d}{member_id:05d}" if txn.channel == Channel.TRANSFER else "",
        "idempotency_key": f"demo-{cooperative.code}-{person.index:03d}-{n:02d}",
    }
    if txn.amount > 0:
        savings.savings_deposit(**common)
    else:
        savings.savings_withdraw(**common)


def demo_portal_link(cooperative: Cooperative, user: Any, actor: Any) -> bool:
    """Link the demo user ``anggota`` to Budi Santoso's membership; return whether it changed.

    The portal shows a user the member whose ``user`` is them (``members.selectors.member_for_user``).
    """
    nik = _featured(cooperative.kelurahan_id[:8].replace(".", "")).data["nik"]
    member = Member.objects.filter(cooperative=cooperative, nik=nik, status__in=CURRENT_STATUSES).first()
    if member is None or member.user_id is not None:
        return False
    if Member.objects.filter(cooperative=cooperative, user=user).exists():
        return False
    member_user_link(cooperative=cooperative, member=member, user=user, actor=actor)
    return True
