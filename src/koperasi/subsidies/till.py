"""Enforcement at the till: which lines of a sale are subsidised goods, whether the buyer may take them.

``shop.services.sale_create`` calls :func:`quota_check` inside its transaction *after* it
has locked the product rows, and :func:`distributions_record` after it has written the sale
lines. Every sale of a programme's product locks that product's row first, so two tills
selling to the same household queue there and the second one counts the first's
distribution: the check and the sale happen under one lock (ADR 0006). Nothing here locks
on its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import Conflict
from koperasi.members.identity import nik_mask
from koperasi.subsidies import calculations, selectors
from koperasi.subsidies.models import Distribution, Recipient, SubsidyProgram


@dataclass
class SubsidisedLine:
    program: SubsidyProgram
    qty: int
    usages: list[calculations.RuleUsage]


@dataclass
class TillPlan:
    """What the till decided for one sale: the buyer, and per product its programme and quota."""

    nik: str
    recipient: Recipient | None
    lines: dict[int, SubsidisedLine] = field(default_factory=dict)  # by product id

    @property
    def prices(self) -> dict[int, int]:
        """The programme price of each subsidised product (it replaces the shelf price)."""
        return {product_id: line.program.price for product_id, line in self.lines.items()}


def _program_on(programs: list[SubsidyProgram], day: datetime.date) -> SubsidyProgram | tuple[str, str]:
    program, problem = selectors.program_in_force(programs, day)
    if program is not None:
        return program
    # None in force: the nearest one has ended unless every one starts later.
    code = "program_not_started" if all(p.valid_from > day for p in programs) else "program_expired"
    return code, problem


def quota_check(
    *,
    cooperative: Cooperative,
    date: datetime.date,
    items: Sequence[tuple[Any, int]],
    nik: str,
) -> TillPlan | None:
    """Check every subsidised line of a sale against its programme; return the plan, or None if there is none.

    ``items`` are (locked product, qty) pairs; a product on several lines counts once with
    the sum. Raises Conflict: ``program_expired``, ``program_not_started``, ``nik_required``,
    ``recipient_not_registered``, ``recipient_inactive``, ``category_not_eligible``,
    ``quota_exceeded`` (``detail.remaining`` says how many units are still allowed).
    """
    wanted: dict[int, int] = {}
    products: dict[int, Any] = {}
    for product, qty in items:
        wanted[product.pk] = wanted.get(product.pk, 0) + qty
        products[product.pk] = product
    programs = selectors.programs_for_products(cooperative=cooperative, product_ids=sorted(wanted))
    if not programs:
        return None
    chosen: dict[int, SubsidyProgram] = {}
    for product_id, candidates in sorted(programs.items()):
        found = _program_on(candidates, date)
        if isinstance(found, tuple):
            code, message = found
            raise Conflict(f"{products[product_id].name}: {message}", code=code)
        chosen[product_id] = found
    if not nik:
        names = ", ".join(products[pid].name for pid in chosen)
        raise Conflict(
            f"{names} barang bersubsidi: hanya dijual dengan NIK pembeli; ketik NIK atau pindai kartu anggota.",
            code="nik_required",
            detail={"buyer_nik": ["NIK pembeli wajib untuk barang bersubsidi."]},
        )
    recipient = selectors.recipient_by_nik(cooperative=cooperative, nik=nik)
    plan = TillPlan(nik=nik, recipient=recipient)
    for product_id, program in chosen.items():
        problem = selectors.eligibility_problem(program, recipient, nik, date)
        if problem is not None:
            raise Conflict(problem[1], code=problem[0], detail={"buyer_nik": [problem[1]], "remaining": ["0"]})
        rules = selectors.program_rules(program)
        used = selectors.used_by(
            cooperative=cooperative,
            product_id=product_id,
            rules=rules,
            day=date,
            nik=nik,
            kk=recipient.kk if recipient else "",
        )
        usages = calculations.usage(rules, date, used)
        qty = wanted[product_id]
        refused = calculations.refusing_rule(usages, qty)
        if refused is not None:
            left = calculations.remaining(usages) or 0
            message = calculations.refusal_message(refused, qty, products[product_id].unit)
            raise Conflict(
                f"{products[product_id].name} untuk NIK {nik_mask(nik)}: {message}",
                code="quota_exceeded",
                detail={
                    "remaining": [str(left)],
                    "rule": [refused.rule.describe(products[product_id].unit)],
                    "lines": [message],
                },
            )
        plan.lines[product_id] = SubsidisedLine(program=program, qty=qty, usages=usages)
    return plan


def distributions_record(
    *,
    cooperative: Cooperative,
    plan: TillPlan,
    sale: Any,
    sale_lines: Sequence[Any],
    partner_reference: str = "",
) -> list[Distribution]:
    """Write one logbook row per subsidised sale line (the lines must be saved). One query."""
    now = timezone.now()
    rows = []
    for line in sale_lines:
        planned = plan.lines.get(line.product_id)
        if planned is None:
            continue
        recipient = plan.recipient
        rows.append(
            Distribution(
                cooperative=cooperative,
                program=planned.program,
                product_id=line.product_id,
                sale=sale,
                sale_line=line,
                recipient=recipient,
                date=sale.date,
                recorded_at=now,
                nik=plan.nik,
                kk=recipient.kk if recipient else "",
                name=recipient.name if recipient else sale.buyer_name,
                category=recipient.category if recipient else "",
                qty=line.qty,
                unit_price=line.unit_price,
                partner_reference=partner_reference,
                reached_limit=calculations.reaches_limit(planned.usages, planned.qty),
            )
        )
    return Distribution.objects.bulk_create(rows)
