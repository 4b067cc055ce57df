"""Reads of programmes, recipients and quota usage."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Aggregate, Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound
from koperasi.ledger.periods import month_start
from koperasi.members.identity import nik_mask
from koperasi.subsidies import calculations
from koperasi.subsidies.choices import RecipientCategory, RulePer
from koperasi.subsidies.models import Distribution, ProgramAllocation, ProgramRule, Recipient, SubsidyProgram


def program_rules(program: SubsidyProgram) -> list[calculations.Rule]:
    """Return the programme's rules as pure values (uses a prefetch of ``rules`` when present)."""
    return [
        calculations.Rule(per=r.per, period=r.period, max_qty=r.max_qty, max_purchases=r.max_purchases)
        for r in program.rules.all()
    ]


def program_list(*, cooperative: Cooperative) -> QuerySet[SubsidyProgram]:
    """Return the cooperative's programmes with product and rules, newest first."""
    return (
        SubsidyProgram.objects.filter(cooperative=cooperative)
        .select_related("product")
        .prefetch_related(Prefetch("rules", queryset=ProgramRule.objects.order_by("id")))
        .order_by("-valid_from", "name", "id")
    )


def program_get(*, cooperative: Cooperative, program_id: int) -> SubsidyProgram:
    """Return one programme of the cooperative. Raises NotFound (``program_not_found``)."""
    found = program_list(cooperative=cooperative).filter(pk=program_id).first()
    if found is None:
        raise NotFound("Program subsidi tidak ditemukan.", code="program_not_found")
    return found


def in_force(program: SubsidyProgram, day: datetime.date) -> bool:
    return program.valid_from <= day and (program.valid_to is None or day <= program.valid_to)


def programs_for_products(*, cooperative: Cooperative, product_ids: Iterable[int]) -> dict[int, list[SubsidyProgram]]:
    """Return every programme of the given products (any dates) with their rules, by product id.

    One query (plus one for the rules when some product has a programme): the till runs it
    for every sale to learn which lines are subsidised goods.
    """
    found: dict[int, list[SubsidyProgram]] = {}
    for program in (
        SubsidyProgram.objects.filter(cooperative=cooperative, product_id__in=list(product_ids))
        .prefetch_related(Prefetch("rules", queryset=ProgramRule.objects.order_by("id")))
        .order_by("valid_from", "id")
    ):
        found.setdefault(program.product_id, []).append(program)
    return found


def eligibility_problem(
    program: SubsidyProgram, recipient: Recipient | None, nik: str, day: datetime.date
) -> tuple[str, str] | None:
    """Return ``(code, message)`` when ``nik`` may not buy under ``program`` on ``day`` at all, else None (no query)."""
    if day < program.valid_from:
        return "program_not_started", f"Program {program.name} baru berlaku mulai {program.valid_from:%d/%m/%Y}."
    if program.valid_to is not None and day > program.valid_to:
        return (
            "program_expired",
            f"Program {program.name} berakhir pada {program.valid_to:%d/%m/%Y}; "
            "barang bersubsidi tidak boleh dijual di luar program.",
        )
    if recipient is None:
        if program.registration_required:
            return (
                "recipient_not_registered",
                f"NIK {nik_mask(nik)} belum terdaftar sebagai penerima {program.name}; "
                "daftarkan dahulu dengan KTP dan KK.",
            )
        return None
    if not recipient.is_active:
        when = f" sejak {recipient.deactivated_on:%d/%m/%Y}" if recipient.deactivated_on else ""
        return (
            "recipient_inactive",
            f"Penerima {recipient.name} ({recipient.nik_masked}) dinonaktifkan{when}: {recipient.deactivation_reason}",
        )
    if not program.admits(recipient.category):
        allowed = ", ".join(str(RecipientCategory(c).label).lower() for c in program.categories)
        label = str(RecipientCategory(recipient.category).label).lower()
        return (
            "category_not_eligible",
            f"Kategori {label} tidak termasuk penerima {program.name} (yang boleh: {allowed}).",
        )
    return None


def recipient_list(*, cooperative: Cooperative) -> QuerySet[Recipient]:
    """Return the cooperative's recipients, by name."""
    recipients = Recipient.objects.filter(cooperative=cooperative)
    return recipients.select_related("kelurahan", "member").order_by("name", "id")


def recipient_get(*, cooperative: Cooperative, recipient_id: int) -> Recipient:
    """Return one recipient. Raises NotFound (``recipient_not_found``)."""
    found = recipient_list(cooperative=cooperative).filter(pk=recipient_id).first()
    if found is None:
        raise NotFound("Penerima tidak ditemukan.", code="recipient_not_found")
    return found


def recipient_by_nik(*, cooperative: Cooperative, nik: str) -> Recipient | None:
    """Return the recipient registered with ``nik`` (active or not), or None."""
    return Recipient.objects.filter(cooperative=cooperative, nik=nik).first()


def used_by(
    *,
    cooperative: Cooperative,
    product_id: int,
    rules: list[calculations.Rule],
    day: datetime.date,
    nik: str,
    kk: str,
) -> dict[calculations.Rule, calculations.Used]:
    """Return what ``nik`` (and its household ``kk``) bought of the product in each rule's window, net of returns.

    Quota follows the product, not the programme, so a programme replaced in mid-month by a
    new one (new price or rules) does not give households a fresh month. One query.
    """
    bounds = calculations.span(rules, day)
    if bounds is None:
        return {}
    net = F("sale_line__qty") - F("sale_line__qty_returned")
    kept = Q(sale_line__qty__gt=F("sale_line__qty_returned"))
    aggregates: dict[str, Aggregate] = {}
    for i, rule in enumerate(rules):
        window = calculations.window(rule.period, day)
        if window is None:
            continue
        if rule.per == RulePer.KK and not kk:
            continue
        who = Q(nik=nik) if rule.per == RulePer.NIK else Q(kk=kk)
        where = who & Q(date__gte=window[0], date__lte=window[1])
        aggregates[f"q{i}"] = Sum(net, filter=where)
        aggregates[f"p{i}"] = Count("sale_id", distinct=True, filter=where & kept)
    if not aggregates:
        return {}
    who_any = Q(nik=nik) | Q(kk=kk) if kk else Q(nik=nik)
    row = (
        Distribution.objects.filter(cooperative=cooperative, product_id=product_id, date__range=bounds)
        .filter(who_any)
        .aggregate(**aggregates)
    )
    return {
        rule: calculations.Used(qty=row.get(f"q{i}") or 0, purchases=row.get(f"p{i}") or 0)
        for i, rule in enumerate(rules)
        if f"q{i}" in row
    }


@dataclass(frozen=True)
class ProgramUsage:
    """What one NIK may still buy under a programme on a day, rule by rule."""

    program: SubsidyProgram
    nik: str
    day: datetime.date
    recipient: Recipient | None
    rules: list[calculations.RuleUsage]
    remaining: int | None  # the smallest over all rules; None when no rule limits units
    refusal: str  # why this NIK cannot buy at all now ("" if it can)
    refusal_code: str


def program_usage(*, cooperative: Cooperative, program: SubsidyProgram, nik: str, day: datetime.date) -> ProgramUsage:
    """Return the NIK's quota under ``program`` on ``day``: per rule used and remaining, and the smallest remaining.

    ``refusal`` says why the NIK cannot buy at all (not registered, inactive, category,
    programme not in force), in which case ``remaining`` is 0.
    """
    recipient = recipient_by_nik(cooperative=cooperative, nik=nik)
    rules = program_rules(program)
    used = used_by(
        cooperative=cooperative,
        product_id=program.product_id,
        rules=rules,
        day=day,
        nik=nik,
        kk=recipient.kk if recipient else "",
    )
    usages = calculations.usage(rules, day, used)
    problem = eligibility_problem(program, recipient, nik, day)
    left = calculations.remaining(usages)
    return ProgramUsage(
        program=program,
        nik=nik,
        day=day,
        recipient=recipient,
        rules=usages,
        remaining=0 if problem else left,
        refusal=problem[1] if problem else "",
        refusal_code=problem[0] if problem else "",
    )


def distribution_list(
    *,
    cooperative: Cooperative,
    program: SubsidyProgram | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    nik: str = "",
) -> QuerySet[Distribution]:
    """Return the logbook rows (oldest first) with sale, line and recipient, optionally for one programme/period/NIK."""
    qs = Distribution.objects.filter(cooperative=cooperative).select_related(
        "sale", "sale_line", "program", "product", "recipient", "recipient__kelurahan"
    )
    if program is not None:
        qs = qs.filter(program=program)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    if nik:
        qs = qs.filter(nik=nik)
    return qs.order_by("date", "recorded_at", "id")


def program_in_force(programs: Iterable[SubsidyProgram], day: datetime.date) -> tuple[SubsidyProgram | None, str]:
    """Return the programme of one product in force on ``day`` and "", or None and why the till refuses (no query).

    ``programs`` are one product's programmes (from :func:`programs_for_products`); the
    message is the one the till gives (ended, or not started yet).
    """
    candidates = list(programs)
    current = next((p for p in candidates if in_force(p, day)), None)
    if current is not None or not candidates:
        return current, ""
    ended = [p for p in candidates if p.valid_to is not None and p.valid_to < day]
    nearest = max(ended, key=lambda p: p.valid_to or day) if ended else min(candidates, key=lambda p: p.valid_from)
    problem = eligibility_problem(nearest, None, "", day)
    return None, problem[1] if problem else ""


# --- Figures of the programme and recipient pages ---------------------------------------------
def _net_qty() -> Sum:
    # What a household kept: a return or void gives the units back (ADR 0006).
    return Sum(F("sale_line__qty") - F("sale_line__qty_returned"))


def month_figures(*, cooperative: Cooperative, month: datetime.date) -> tuple[dict[int, int], dict[int, int]]:
    """Return, by programme id, the units distributed in ``month`` (net of returns) and the recorded allocations.

    Two queries for all programmes; a programme without a recorded allocation uses its default.
    """
    first = month_start(month)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    distributed = dict(
        Distribution.objects.filter(cooperative=cooperative, date__range=(first, last))
        .values("program_id")
        .annotate(qty=_net_qty())
        .order_by()
        .values_list("program_id", "qty")
    )
    allocations = dict(
        ProgramAllocation.objects.filter(cooperative=cooperative, month=first).values_list("program_id", "qty")
    )
    return {k: v or 0 for k, v in distributed.items()}, allocations


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date
    allocation: int
    recorded: bool  # False: the programme's default monthly allocation
    reference: str
    distributed: int

    @property
    def over(self) -> bool:
        return bool(self.allocation) and self.distributed > self.allocation


def program_months(*, cooperative: Cooperative, program: SubsidyProgram, today: datetime.date) -> list[MonthRow]:
    """Return the programme's months with a recorded allocation or a distribution, and this month (newest first).

    Two queries.
    """
    recorded = {a.month: a for a in ProgramAllocation.objects.filter(cooperative=cooperative, program=program)}
    distributed = {
        row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]: row["qty"] or 0
        for row in Distribution.objects.filter(cooperative=cooperative, program=program)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(qty=_net_qty())
        .order_by()
    }
    months = set(recorded) | set(distributed)
    this_month = month_start(today)
    if program.valid_from <= today and (program.valid_to is None or month_start(program.valid_to) >= this_month):
        months.add(this_month)
    rows = []
    for month in sorted(months, reverse=True):
        allocation = recorded.get(month)
        rows.append(
            MonthRow(
                month=month,
                allocation=allocation.qty if allocation else program.monthly_allocation,
                recorded=allocation is not None,
                reference=allocation.reference if allocation else "",
                distributed=distributed.get(month, 0),
            )
        )
    return rows


def recipient_search(
    recipients: QuerySet[Recipient], *, search: str = "", category: str = "", active: str = ""
) -> QuerySet[Recipient]:
    """Narrow recipients by name (part of it), or an exact NIK or No. KK; by category; by active or not."""
    text = " ".join(search.replace("\x00", " ").split())
    digits = "".join(ch for ch in text if ch not in " .-")
    if len(digits) == 16 and digits.isdigit():
        recipients = recipients.filter(Q(nik=digits) | Q(kk=digits))
    elif text:
        recipients = recipients.filter(name__icontains=text)
    if category:
        recipients = recipients.filter(category=category)
    if active in ("0", "1"):
        recipients = recipients.filter(is_active=active == "1")
    return recipients
