"""Programmes: creation with rules and categories, refusals that write nothing, ending, allocations, tenancy."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.shop import services as shop
from koperasi.subsidies import selectors
from koperasi.subsidies.defaults import program_defaults
from koperasi.subsidies.models import Distribution, ProgramAllocation, ProgramRule, SubsidyProgram
from koperasi.subsidies.services import ProgramInput, RuleInput, allocation_set, program_create, program_end
from tests.subsidies.conftest import NIK_A1, PROGRAM_FROM

pytestmark = pytest.mark.django_db
D = datetime.date

LPG_RULES = (RuleInput(per="kk", period="month", max_qty=10), RuleInput(per="nik", period="day", max_purchases=1))


def lpg_input(product_ref: Any, **overrides: Any) -> ProgramInput:
    base = ProgramInput(
        name="LPG 3 kg bersubsidi",
        product=product_ref,
        partner="PT Pertamina Patra Niaga",
        price=19_000,
        valid_from=PROGRAM_FROM,
        monthly_allocation=300,
        categories=("rumah_tangga", "usaha_mikro"),
        rules=LPG_RULES,
    )
    return dataclasses.replace(base, **overrides)


def counts() -> tuple[int, int, int, int]:
    return (
        SubsidyProgram.objects.count(),
        ProgramRule.objects.count(),
        ProgramAllocation.objects.count(),
        AuditEvent.objects.filter(action__startswith="subsidies.").count(),
    )


def test_program_create_saves_rules_categories_and_an_audit_row(coop: Any, lpg: Any, manajer: Any) -> None:
    program = program_create(cooperative=coop, data=lpg_input("lpg3", note="Pangkalan resmi"), actor=manajer)
    assert (program.product_id, program.price, program.valid_from, program.valid_to) == (
        lpg.pk,
        19_000,
        PROGRAM_FROM,
        None,
    )
    assert (program.monthly_allocation, program.registration_required, program.note) == (300, True, "Pangkalan resmi")
    assert program.categories == ["rumah_tangga", "usaha_mikro"]
    assert program.admits("usaha_mikro") and not program.admits("petani") and not program.admits("pelajar")
    assert program.created_by == manajer
    assert list(program.rules.values_list("per", "period", "max_qty", "max_purchases")) == [
        ("kk", "month", 10, None),
        ("nik", "day", None, 1),
    ]
    event = AuditEvent.objects.get(action="subsidies.program.create")
    assert (event.cooperative_id, event.actor_id, event.object_id) == (coop.pk, manajer.pk, str(program.pk))
    assert event.data == {
        "product": "LPG3",
        "price": 19_000,
        "valid_from": "2026-03-01",
        "valid_to": None,
        "rules": ["10 tabung per KK per bulan", "1 kali pembelian per NIK per hari"],
        "categories": ["rumah_tangga", "usaha_mikro"],
    }


def test_defaults_follow_the_commodity() -> None:
    lpg = program_defaults("lpg_3kg")
    assert lpg is not None and lpg.monthly_allocation == 300
    assert [r.describe("tabung") for r in lpg.rules] == [
        "10 tabung per KK per bulan",
        "1 kali pembelian per NIK per hari",
    ]
    sphp = program_defaults("beras_sphp")
    assert sphp is not None and sphp.categories == ["rumah_tangga"]
    minyakita = program_defaults("minyakita")
    assert minyakita is not None and minyakita.rules == []
    assert program_defaults("beras_medium") is None


@pytest.mark.parametrize(
    ("overrides", "error", "code", "field"),
    [
        ({"price": 19_001}, Conflict, "price_above_het", "price"),
        ({"price": 0}, ValidationError, "amount_invalid", "price"),
        ({"price": -19_000}, ValidationError, "amount_invalid", "price"),
        ({"price": True}, ValidationError, "amount_invalid", "price"),
        ({"price": 19_000.0}, ValidationError, "amount_invalid", "price"),
        ({"price": 10**12}, ValidationError, "amount_too_large", "price"),
        ({"valid_to": D(2026, 2, 28)}, ValidationError, "invalid", "valid_to"),
        ({"valid_from": "2026-03-01"}, ValidationError, "invalid", "valid_from"),
        ({"product": "NOPE"}, ValidationError, "product_unknown", "lines"),
        ({"product": 10**9}, ValidationError, "product_unknown", "lines"),
        ({"categories": ()}, ValidationError, "invalid", "categories"),
        ({"categories": ("rumah_tangga", "pelajar")}, ValidationError, "invalid", "categories"),
        (
            {"rules": (RuleInput("kk", "month", 10), RuleInput("kk", "month", 8))},
            ValidationError,
            "invalid",
            "rules.2",
        ),
        ({"rules": (RuleInput("nik", "day"),)}, ValidationError, "invalid", "rules.1.max_qty"),
        ({"rules": (RuleInput("nik", "day", max_qty=0),)}, ValidationError, "invalid", "rules.1.max_qty"),
        ({"rules": (RuleInput("nik", "day", max_qty=True),)}, ValidationError, "invalid", "rules.1.max_qty"),
        (
            {"rules": (RuleInput("nik", "purchase", max_qty=2, max_purchases=1),)},
            ValidationError,
            "invalid",
            "rules.1.max_purchases",
        ),
        ({"rules": (RuleInput("rt", "day", max_qty=2),)}, ValidationError, "invalid", "rules.1.per"),
        ({"rules": (RuleInput("nik", "year", max_qty=2),)}, ValidationError, "invalid", "rules.1.period"),
        ({"registration_required": False}, ValidationError, "invalid", "rules.1.per"),  # the KK rule
        ({"name": "LPG\x00"}, ValidationError, "invalid", "name"),
        ({"name": "  "}, ValidationError, "invalid", "name"),
        ({"partner": ""}, ValidationError, "invalid", "partner"),
        ({"monthly_allocation": -1}, ValidationError, "invalid", "monthly_allocation"),
    ],
)
def test_program_create_refusals_write_nothing(
    coop: Any, lpg: Any, manajer: Any, overrides: dict[str, Any], error: type[Exception], code: str, field: str
) -> None:
    before = counts()
    with pytest.raises(error) as refused:
        program_create(cooperative=coop, data=lpg_input(lpg, **overrides), actor=manajer)
    assert refused.value.code == code  # type: ignore[attr-defined]
    assert field in refused.value.detail  # type: ignore[attr-defined]
    assert counts() == before


def test_the_price_above_het_message(coop: Any, lpg: Any, manajer: Any) -> None:
    with pytest.raises(Conflict) as refused:
        program_create(cooperative=coop, data=lpg_input(lpg, price=19_001), actor=manajer)
    assert refused.value.message == (
        "Harga program Rp 19.001 melebihi HET LPG 3 kg Rp 19.000 yang berlaku pada 01/03/2026."
    )


def test_the_price_is_checked_against_todays_het_too(coop: Any, lpg: Any, manajer: Any, admin_user: Any) -> None:
    shop.het_create(
        commodity="lpg_3kg", region_code="64.71", price=18_000, effective_from=D(2026, 6, 1), actor=admin_user
    )
    before = counts()
    with pytest.raises(Conflict) as refused:
        program_create(cooperative=coop, data=lpg_input(lpg), actor=manajer)
    assert refused.value.code == "price_above_het"
    assert "HET LPG 3 kg Rp 18.000" in refused.value.message
    assert counts() == before
    # Ending before the new HET: only the HET of its own days applies.
    program = program_create(cooperative=coop, data=lpg_input(lpg, valid_to=D(2026, 5, 31)), actor=manajer)
    assert program.price == 19_000


def test_too_many_rules(coop: Any, lpg: Any, manajer: Any) -> None:
    rules = tuple(RuleInput(per, period, max_qty=5) for per in ("nik", "kk") for period in ("day", "week", "month"))
    rules += (RuleInput("nik", "purchase", 2), RuleInput("kk", "purchase", 3), RuleInput("nik", "day", 1))
    with pytest.raises(ValidationError) as refused:
        program_create(cooperative=coop, data=lpg_input(lpg, rules=rules), actor=manajer)
    assert "rules" in refused.value.detail


def test_another_cooperatives_product_is_unknown(coop: Any, other_coop: Any, make_item: Any, manajer: Any) -> None:
    theirs = make_item(other_coop, sku="LPG3", name="LPG 3 kg", unit="tabung", price=19_000, het_commodity="lpg_3kg")
    before = counts()
    for ref in (theirs, theirs.pk):
        with pytest.raises(ValidationError) as refused:
            program_create(cooperative=coop, data=lpg_input(ref), actor=manajer)
        assert refused.value.code == "product_unknown"
    assert counts() == before


def test_an_overlapping_programme_for_the_same_product_is_refused(coop: Any, lpg: Any, manajer: Any) -> None:
    first = program_create(cooperative=coop, data=lpg_input(lpg, valid_to=D(2026, 6, 30)), actor=manajer)
    before = counts()
    for valid_from, valid_to in [
        (D(2026, 6, 30), None),  # starts on the last day
        (D(2026, 1, 1), D(2026, 3, 1)),  # ends on the first day
        (D(2026, 4, 1), D(2026, 4, 30)),  # inside
        (D(2026, 1, 1), None),  # around
    ]:
        with pytest.raises(Conflict) as refused:
            program_create(
                cooperative=coop, data=lpg_input(lpg, valid_from=valid_from, valid_to=valid_to), actor=manajer
            )
        assert refused.value.code == "program_overlap"
        assert refused.value.message == (
            "LPG 3 kg sudah punya program LPG 3 kg bersubsidi (mulai 01/03/2026 s.d. 30/06/2026); "
            "akhiri dahulu program itu."
        )
    assert counts() == before
    after = program_create(cooperative=coop, data=lpg_input(lpg, valid_from=D(2026, 7, 1)), actor=manajer)
    before = program_create(
        cooperative=coop, data=lpg_input(lpg, valid_from=D(2026, 1, 1), valid_to=D(2026, 2, 28)), actor=manajer
    )
    assert after.pk != first.pk and before.valid_to == D(2026, 2, 28)


def test_an_open_ended_programme_blocks_every_later_start(coop: Any, lpg_program: Any, lpg: Any, manajer: Any) -> None:
    with pytest.raises(Conflict) as refused:
        program_create(cooperative=coop, data=lpg_input(lpg, valid_from=D(2030, 1, 1)), actor=manajer)
    assert refused.value.code == "program_overlap"
    assert "tanpa batas akhir" in refused.value.message


def test_a_programme_on_another_product_does_not_overlap(coop: Any, lpg_program: Any, oil: Any, manajer: Any) -> None:
    program = program_create(
        cooperative=coop,
        data=lpg_input(oil, name="MinyaKita", price=15_700, rules=(), partner="Distributor DMO"),
        actor=manajer,
    )
    assert list(program.rules.all()) == []


# --- Ending a programme ----------------------------------------------------------------------------


def _sell_lpg(coop: Any, kasir: Any, lpg: Any, day: D, qty: int = 1, nik: str = NIK_A1) -> Any:
    return shop.sale_create(
        cooperative=coop, date=day, lines=[shop.SaleLineInput(lpg, qty)], buyer_nik=nik, actor=kasir
    )


def test_program_end_not_before_its_last_distribution_then_a_new_one_the_next_day(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, manajer: Any
) -> None:
    _sell_lpg(coop, kasir, lpg, D(2026, 3, 10), qty=4)
    before = counts()
    with pytest.raises(ValidationError) as early:
        program_end(cooperative=coop, program=lpg_program, valid_to=D(2026, 3, 9), reason="Harga baru", actor=manajer)
    assert early.value.detail == {
        "valid_to": ["Sudah ada penyaluran pada 10/03/2026; tanggal berakhir paling awal hari itu."]
    }
    with pytest.raises(ValidationError) as no_reason:
        program_end(cooperative=coop, program=lpg_program, valid_to=D(2026, 3, 10), reason=" ", actor=manajer)
    assert "reason" in no_reason.value.detail
    with pytest.raises(ValidationError) as before_start:
        program_end(cooperative=coop, program=lpg_program, valid_to=D(2026, 2, 1), reason="Salah", actor=manajer)
    assert "valid_to" in before_start.value.detail
    assert counts() == before

    ended = program_end(
        cooperative=coop, program=lpg_program.pk, valid_to=D(2026, 3, 10), reason="HET baru", actor=manajer
    )
    assert ended.valid_to == D(2026, 3, 10)
    event = AuditEvent.objects.get(action="subsidies.program.end")
    assert event.data == {"valid_to": "2026-03-10", "was": None, "reason": "HET baru"}
    with pytest.raises(Conflict) as again:
        program_end(cooperative=coop, program=lpg_program, valid_to=D(2026, 3, 20), reason="Lagi", actor=manajer)
    assert again.value.code == "program_ended"
    assert again.value.message == "Program ini sudah berakhir pada 10/03/2026."

    # The same day is still the old programme's; the next day a new one may start.
    with pytest.raises(Conflict) as overlap:
        program_create(cooperative=coop, data=lpg_input(lpg, valid_from=D(2026, 3, 10)), actor=manajer)
    assert overlap.value.code == "program_overlap"
    renewed = program_create(
        cooperative=coop, data=lpg_input(lpg, valid_from=D(2026, 3, 11), price=18_500), actor=manajer
    )
    # The quota follows the product: household A used 4 in March under the old programme.
    sale = _sell_lpg(coop, kasir, lpg, D(2026, 3, 11), qty=6)
    assert sale.total == 6 * 18_500
    with pytest.raises(Conflict) as full:
        _sell_lpg(coop, kasir, lpg, D(2026, 3, 12), qty=1)
    assert full.value.code == "quota_exceeded"
    assert list(Distribution.objects.order_by("pk").values_list("program_id", "unit_price")) == [
        (lpg_program.pk, 19_000),
        (renewed.pk, 18_500),
    ]


def test_a_programme_may_be_shortened_again(coop: Any, lpg: Any, manajer: Any) -> None:
    program = program_create(cooperative=coop, data=lpg_input(lpg, valid_to=D(2026, 12, 31)), actor=manajer)
    program_end(cooperative=coop, program=program, valid_to=D(2026, 6, 30), reason="Kontrak", actor=manajer)
    ended = program_end(cooperative=coop, program=program, valid_to=D(2026, 5, 31), reason="Kontrak", actor=manajer)
    assert ended.valid_to == D(2026, 5, 31)
    assert AuditEvent.objects.filter(action="subsidies.program.end").order_by("pk").last().data["was"] == (  # type: ignore[union-attr]
        "2026-06-30"
    )


# --- Allocations -----------------------------------------------------------------------------------


def test_allocation_set_replaces_the_months_figure(coop: Any, lpg_program: Any, manajer: Any) -> None:
    first = allocation_set(
        cooperative=coop, program=lpg_program, month=D(2026, 4, 15), qty=300, reference="DO-04", actor=manajer
    )
    assert (first.month, first.qty, first.reference) == (D(2026, 4, 1), 300, "DO-04")
    again = allocation_set(cooperative=coop, program=lpg_program.pk, month=D(2026, 4, 1), qty=280, actor=manajer)
    assert again.pk == first.pk
    assert list(ProgramAllocation.objects.values_list("month", "qty", "reference")) == [(D(2026, 4, 1), 280, "")]
    events = AuditEvent.objects.filter(action="subsidies.allocation.set").order_by("pk")
    assert [e.data for e in events] == [
        {"program": lpg_program.pk, "month": "2026-04-01", "qty": 300, "new": True},
        {"program": lpg_program.pk, "month": "2026-04-01", "qty": 280, "new": False},
    ]


def test_allocation_refusals(coop: Any, lpg: Any, manajer: Any) -> None:
    program = program_create(cooperative=coop, data=lpg_input(lpg, valid_to=D(2026, 6, 10)), actor=manajer)
    before = counts()
    for month, qty, field in [
        (D(2026, 2, 1), 300, "month"),  # before the programme
        (D(2026, 7, 1), 300, "month"),  # after it ended
        (D(2026, 4, 1), 0, "qty"),
        (D(2026, 4, 1), -5, "qty"),
        (D(2026, 4, 1), None, "qty"),
        (D(2026, 4, 1), "300", "qty"),
        ("2026-04-01", 300, "month"),
    ]:
        with pytest.raises(ValidationError) as refused:
            allocation_set(cooperative=coop, program=program, month=month, qty=qty, actor=manajer)  # type: ignore[arg-type]
        assert field in refused.value.detail, (month, qty)
    with pytest.raises(ValidationError):
        allocation_set(cooperative=coop, program=program, month=D(2026, 4, 1), qty=1, reference="\x00", actor=manajer)
    assert counts() == before
    # The months it touches are fine: it started 1 March and ends 10 June.
    allocation_set(cooperative=coop, program=program, month=D(2026, 3, 1), qty=250, actor=manajer)
    allocation_set(cooperative=coop, program=program, month=D(2026, 6, 1), qty=80, actor=manajer)
    assert ProgramAllocation.objects.count() == 2


# --- Tenancy ---------------------------------------------------------------------------------------


def test_programmes_belong_to_their_cooperative(
    coop: Any, other_coop: Any, lpg_program: Any, make_item: Any, manajer: Any, grant: Any
) -> None:
    other_manajer = grant(other_coop, "manajer")
    theirs = make_item(other_coop, sku="LPG3", name="LPG 3 kg", unit="tabung", price=19_000, het_commodity="lpg_3kg")
    # The same SKU with the same dates in another cooperative is no overlap.
    their_program = program_create(cooperative=other_coop, data=lpg_input(theirs), actor=other_manajer)
    assert their_program.cooperative_id == other_coop.pk
    assert list(selectors.program_list(cooperative=coop)) == [lpg_program]
    assert list(selectors.program_list(cooperative=other_coop)) == [their_program]
    before = counts()
    with pytest.raises(NotFound):
        selectors.program_get(cooperative=other_coop, program_id=lpg_program.pk)
    with pytest.raises(NotFound):
        program_end(cooperative=other_coop, program=lpg_program.pk, valid_to=D(2026, 4, 1), reason="x", actor=manajer)
    with pytest.raises(NotFound):
        allocation_set(cooperative=other_coop, program=lpg_program, month=D(2026, 4, 1), qty=1, actor=manajer)
    with pytest.raises(NotFound):
        selectors.program_get(cooperative=coop, program_id=2**62)
    assert counts() == before
