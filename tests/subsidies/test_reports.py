"""Reports of the subsidy programmes (``subsidies.reports``): exact figures from a month of distribution.

The month (``month``), in March 2026, sold through ``shop.services.sale_create`` by the kasir:

- Recipients: household A = a1 (Manggar), a2 (Manggar), a3 (no kelurahan); household B = b1 (Lamaru).
- LPG 3 kg at Rp19.000 (1 purchase per NIK per day, so every purchase "reaches the limit"):
  NT-1 3/3 a1 2 tabung (MAP-001, recorded 10:00); NT-2 3/4 a2 3 tabung (MAP-002, 10:00);
  NT-3 3/5 a3 1 (MAP-003, recorded 06:15: before opening); NT-4 3/5 b1 2 (MAP-004, 10:00);
  NT-5 3/6 b1 1 (recorded 22:30: after closing); NT-6 3/7 b1 1 (recorded 9 March 09:00: back-dated).
- SPHP at Rp65.500 (2 packs per NIK per day): NT-7 3/5 a1 2 packs (reaches the limit, 11:00);
  NT-8 3/6 a1 1 pack (11:00).
- 8 March: 1 tabung of NT-2 returned (approved by the bendahara).

LPG: 10 tabung handed over, 1 returned, 9 net; Rp190.000 gross, Rp171.000 net; 6 transactions.
SPHP: 3 packs, Rp196.500. Stock bought 2 March: 20 LPG, 10 rice.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from koperasi.core.errors import NotFound, ValidationError
from koperasi.shop import services as shop
from koperasi.shop.services import PurchaseLineInput, SaleLineInput
from koperasi.subsidies import reports
from koperasi.subsidies.models import Distribution
from koperasi.subsidies.services import ProgramInput, allocation_set, program_create
from tests.subsidies.conftest import KK_A, KK_B, NIK_A1, NIK_A2, NIK_B1

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = {"start": D(2026, 3, 1), "end": D(2026, 3, 31)}
NIK_A3 = "6471044101900003"  # a woman born 1 January 1990, household A
MANGGAR, LAMARU = "64.71.01.1001", "64.71.01.1002"


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def sell(
    coop: Any, actor: Any, product: Any, qty: int, day: datetime.date, nik: str, when: datetime.datetime, **kw: Any
) -> Any:
    sale = shop.sale_create(
        cooperative=coop, date=day, lines=[SaleLineInput(product, qty)], actor=actor, buyer_nik=nik, **kw
    )
    # The till stamps "now"; the month happened in March at the times the docstring says.
    Distribution.objects.filter(sale=sale).update(recorded_at=when)
    return sale


@pytest.fixture
def month(
    coop: Any, stocked: Any, lpg: Any, rice: Any, lpg_program: Any, sphp_program: Any, register: Any,
    kasir: Any, bendahara: Any,
) -> dict[str, Any]:  # fmt: skip
    register(kelurahan_code=MANGGAR)
    register(nik=NIK_A2, name="Siti Aminah", kelurahan_code=MANGGAR)
    register(nik=NIK_A3, name="Rina Santoso")
    register(nik=NIK_B1, kk=KK_B, name="Joko Widodo", kelurahan_code=LAMARU)
    s: dict[str, Any] = {}
    s["nt1"] = sell(coop, kasir, lpg, 2, D(2026, 3, 3), NIK_A1, at(D(2026, 3, 3), 10), partner_reference="MAP-001")
    s["nt2"] = sell(coop, kasir, lpg, 3, D(2026, 3, 4), NIK_A2, at(D(2026, 3, 4), 10), partner_reference="MAP-002")
    s["nt3"] = sell(coop, kasir, lpg, 1, D(2026, 3, 5), NIK_A3, at(D(2026, 3, 5), 6, 15), partner_reference="MAP-003")
    s["nt4"] = sell(coop, kasir, lpg, 2, D(2026, 3, 5), NIK_B1, at(D(2026, 3, 5), 10), partner_reference="MAP-004")
    s["nt5"] = sell(coop, kasir, lpg, 1, D(2026, 3, 6), NIK_B1, at(D(2026, 3, 6), 22, 30))
    s["nt6"] = sell(coop, kasir, lpg, 1, D(2026, 3, 7), NIK_B1, at(D(2026, 3, 9), 9))
    s["nt7"] = sell(coop, kasir, rice, 2, D(2026, 3, 5), NIK_A1, at(D(2026, 3, 5), 11))
    s["nt8"] = sell(coop, kasir, rice, 1, D(2026, 3, 6), NIK_A1, at(D(2026, 3, 6), 11))
    back = shop.sale_return_request(
        cooperative=coop,
        sale=s["nt2"],
        kind="return",
        reason="Tabung bocor",
        date=D(2026, 3, 8),
        quantities={s["nt2"].lines.get().pk: 1},
        actor=kasir,
    )
    shop.sale_return_decide(cooperative=coop, sale_return=back, approve=True, actor=bendahara)
    return s


def nos(month: dict[str, Any], *keys: str) -> list[str]:
    return [month[k].sale_no for k in keys]


# --- Logbook ------------------------------------------------------------------------------------------------
def test_logbook_of_the_lpg_programme(month: Any, coop: Any, lpg_program: Any, kasir: Any) -> None:
    r = reports.logbook(cooperative=coop, program=lpg_program, **MARCH)
    assert (r.start, r.end, r.unmasked) == (D(2026, 3, 1), D(2026, 3, 31), False)
    assert r.program is not None and (r.program.name, r.program.partner, r.program.unit) == (
        "LPG 3 kg bersubsidi",
        "PT Pertamina Patra Niaga",
        "tabung",
    )
    assert [x.sale_no for x in r.rows] == nos(month, "nt1", "nt2", "nt3", "nt4", "nt5", "nt6")
    first, second = r.rows[0], r.rows[1]
    assert first == reports.LogbookRow(
        date=D(2026, 3, 3),
        time=datetime.time(10, 0),
        sale_no=month["nt1"].sale_no,
        program="LPG 3 kg bersubsidi",
        nik="6471••••••••0001",
        name="Budi Santoso",
        kk="6471••••••••0001",
        category="rumah_tangga",
        category_label="Rumah tangga",
        qty=2,
        qty_returned=0,
        qty_net=2,
        unit_price=19_000,
        total=38_000,
        total_net=38_000,
        partner_reference="MAP-001",
        kasir=kasir.username,
    )
    assert (second.qty, second.qty_returned, second.qty_net, second.total, second.total_net) == (
        3,
        1,
        2,
        57_000,
        38_000,
    )
    assert [x.time for x in r.rows] == [
        datetime.time(10),
        datetime.time(10),
        datetime.time(6, 15),
        datetime.time(10),
        datetime.time(22, 30),
        datetime.time(9),
    ]
    assert [x.partner_reference for x in r.rows] == ["MAP-001", "MAP-002", "MAP-003", "MAP-004", "", ""]
    assert r.totals == reports.LogbookTotals(
        transactions=6, distributions=6, qty=10, qty_returned=1, qty_net=9, amount=190_000, amount_net=171_000
    )


def test_logbook_of_all_programmes_and_unmasked(month: Any, coop: Any) -> None:
    r = reports.logbook(cooperative=coop, program=None, unmask=True, **MARCH)
    assert r.program is None and r.unmasked
    assert [x.sale_no for x in r.rows] == nos(month, "nt1", "nt2", "nt3", "nt4", "nt7", "nt8", "nt5", "nt6")
    assert [x.nik for x in r.rows][:3] == [NIK_A1, NIK_A2, NIK_A3]
    assert r.rows[0].kk == KK_A
    assert r.totals == reports.LogbookTotals(
        transactions=8, distributions=8, qty=13, qty_returned=1, qty_net=12, amount=386_500, amount_net=367_500
    )


def test_logbook_period_filters_by_sale_date(month: Any, coop: Any, lpg_program: Any) -> None:
    r = reports.logbook(cooperative=coop, program=lpg_program, start=D(2026, 3, 5), end=D(2026, 3, 6))
    assert [x.sale_no for x in r.rows] == nos(month, "nt3", "nt4", "nt5")
    assert (r.totals.transactions, r.totals.qty_net, r.totals.amount_net) == (3, 4, 76_000)
    empty = reports.logbook(cooperative=coop, program=lpg_program, start=D(2026, 4, 1), end=D(2026, 4, 30))
    assert empty.rows == [] and empty.totals == reports.LogbookTotals(0, 0, 0, 0, 0, 0, 0)


# --- Allocation ---------------------------------------------------------------------------------------------
def test_allocation_per_month_with_its_source(month: Any, coop: Any, lpg_program: Any, manajer: Any) -> None:
    allocation_set(
        cooperative=coop, program=lpg_program, month=D(2026, 3, 1), qty=250, reference="DO/03", actor=manajer
    )
    r = reports.allocation(cooperative=coop, program=lpg_program, start=D(2026, 3, 1), end=D(2026, 4, 30))
    assert [
        (x.month, x.start, x.end, x.allocation, x.source, x.source_label, x.reference)
        for x in r.rows
    ] == [
        (D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 31), 250, "month", "Alokasi bulan ini", "DO/03"),
        (D(2026, 4, 1), D(2026, 4, 1), D(2026, 4, 30), 300, "program", "Bawaan program", ""),
    ]  # fmt: skip
    # 20 received on 2 March; 10 handed over, 1 back: 9 net; stock 20 − 10 + 1 = 11.
    assert [(x.received, x.distributed, x.remaining, x.stock_end) for x in r.rows] == [
        (20, 9, 241, 11),
        (0, 0, 300, 11),
    ]
    assert r.totals == reports.AllocationTotals(allocation=550, received=20, distributed=9, remaining=541)


def test_allocation_of_all_programmes_clips_to_the_period(month: Any, coop: Any) -> None:
    r = reports.allocation(cooperative=coop, program=None, start=D(2026, 3, 4), end=D(2026, 3, 5))
    # Products by name: Beras SPHP before LPG. SPHP has no allocation; 2 packs on the 5th.
    assert [
        (x.program, x.allocation, x.source, x.received, x.distributed, x.remaining, x.stock_end) for x in r.rows
    ] == [
        ("Beras SPHP", 0, "none", 0, 2, -2, 8),
        ("LPG 3 kg bersubsidi", 300, "program", 0, 5, 295, 12),
    ]
    assert (r.rows[0].start, r.rows[0].end) == (D(2026, 3, 4), D(2026, 3, 5))
    # LPG distributed net as the quota counts it: NT-2 3 − 1 returned (on the 8th) + 1 + 2 = 5.
    # Stock at the end of 5 March: 20 − 2 − 3 − 1 − 2 = 12 (the return comes back on the 8th).
    assert r.totals == reports.AllocationTotals(allocation=300, received=0, distributed=7, remaining=293)


def test_allocation_before_any_programme_is_empty(coop: Any, lpg_program: Any) -> None:
    r = reports.allocation(cooperative=coop, program=lpg_program, start=D(2026, 2, 1), end=D(2026, 2, 28))
    assert r.rows == [] and r.totals == reports.AllocationTotals(0, 0, 0, 0)


# --- Kelurahan ----------------------------------------------------------------------------------------------
def test_by_kelurahan(month: Any, coop: Any, lpg_program: Any) -> None:
    r = reports.kelurahan(cooperative=coop, program=lpg_program, **MARCH)
    assert r.rows == [
        reports.KelurahanRow(
            LAMARU, "Lamaru", recipients=1, households=1, transactions=3, qty_net=4, amount_net=76_000
        ),
        reports.KelurahanRow(
            MANGGAR, "Manggar", recipients=2, households=1, transactions=2, qty_net=4, amount_net=76_000
        ),
        reports.KelurahanRow(
            "", "Tidak tercatat", recipients=1, households=1, transactions=1, qty_net=1, amount_net=19_000
        ),
    ]
    # Household A spans Manggar and "not recorded": counted once in the total.
    assert r.totals == reports.KelurahanTotals(
        recipients=4, households=2, transactions=6, qty_net=9, amount_net=171_000
    )


def test_by_kelurahan_all_programmes(month: Any, coop: Any) -> None:
    r = reports.kelurahan(cooperative=coop, program=None, **MARCH)
    manggar = next(x for x in r.rows if x.code == MANGGAR)
    assert (manggar.recipients, manggar.transactions, manggar.qty_net, manggar.amount_net) == (2, 4, 7, 272_500)
    assert r.totals == reports.KelurahanTotals(
        recipients=4, households=2, transactions=8, qty_net=12, amount_net=367_500
    )


# --- Anomalies ----------------------------------------------------------------------------------------------
def test_anomalies_with_default_thresholds(month: Any, coop: Any, kasir: Any, rice: Any) -> None:
    # Joko takes the SPHP maximum (2 packs a day) on three days: repeatedly at the limit. His three
    # LPG purchases of the month are not: "1 purchase a day" is not a quantity limit.
    for day in (10, 11, 12):
        sell(coop, kasir, rice, 2, D(2026, 3, day), NIK_B1, at(D(2026, 3, day), 10))
    r = reports.anomalies(cooperative=coop, program=None, **MARCH)
    assert r.thresholds == reports.AnomalyThresholds(3, 3, datetime.time(7), datetime.time(21))
    assert r.many_niks == [
        reports.ManyNiksRow(
            product="LPG 3 kg",
            kk="6471••••••••0001",
            nik_count=3,
            niks=["6471••••••••0001", "6471••••••••0003", "6471••••••••0002"],  # by NIK
            names=["Budi Santoso", "Rina Santoso", "Siti Aminah"],
            transactions=3,
            qty_net=5,
            reason="Satu KK membeli LPG 3 kg melalui 3 NIK berbeda dalam periode ini (diperiksa mulai 3 NIK).",
        )
    ]
    assert r.at_limit == [
        reports.AtLimitRow(
            product="Beras SPHP 5 kg",
            nik="6471••••••••0003",
            name="Joko Widodo",
            kk="6471••••••••0002",
            times_at_limit=3,
            transactions=3,
            qty_net=6,
            first_date=D(2026, 3, 10),
            last_date=D(2026, 3, 12),
            reason="Membeli sampai batas kuota 3 kali dalam periode ini (diperiksa mulai 3 kali).",
        )
    ]
    assert [(x.sale_no, x.recorded_at, x.kasir, x.reason) for x in r.odd_times] == [
        (
            month["nt3"].sale_no,
            at(D(2026, 3, 5), 6, 15),
            kasir.username,
            "Dicatat pukul 06:15, sebelum jam buka 07:00.",
        ),
        (
            month["nt5"].sale_no,
            at(D(2026, 3, 6), 22, 30),
            kasir.username,
            "Dicatat pukul 22:30, setelah jam tutup 21:00.",
        ),
        (
            month["nt6"].sale_no,
            at(D(2026, 3, 9), 9),
            kasir.username,
            "Nota bertanggal 07/03/2026 tetapi dicatat 09/03/2026 (tanggal mundur).",
        ),
    ]
    assert r.totals == reports.AnomalyTotals(many_niks=1, at_limit=1, odd_times=3)
    assert r.row_count == 5 and not r.unmasked


def test_anomaly_thresholds_are_parameters(month: Any, coop: Any, lpg_program: Any) -> None:
    r = reports.anomalies(
        cooperative=coop,
        program=lpg_program,
        unmask=True,
        min_niks_per_kk=4,
        min_times_at_limit=1,
        opens=datetime.time(6),
        closes=datetime.time(23),
        **MARCH,
    )
    assert r.many_niks == []
    # No LPG purchase took a household's last units of its 10 a month ("1 purchase a day" does not count).
    assert r.at_limit == []
    one = reports.anomalies(cooperative=coop, program=None, min_times_at_limit=1, unmask=True, **MARCH)
    assert [(x.product, x.nik, x.kk, x.times_at_limit) for x in one.at_limit] == [
        ("Beras SPHP 5 kg", NIK_A1, KK_A, 1)  # 2 packs on 5 March: the day's maximum
    ]
    assert [x.sale_no for x in r.odd_times] == [month["nt6"].sale_no]  # only the back-dated one
    with pytest.raises(ValidationError) as bad:
        reports.anomalies(cooperative=coop, program=None, min_niks_per_kk=0, **MARCH)
    assert bad.value.code == "threshold_invalid"
    with pytest.raises(ValidationError) as hours:
        reports.anomalies(cooperative=coop, program=None, opens=datetime.time(21), closes=datetime.time(7), **MARCH)
    assert hours.value.code == "hours_invalid"


def test_exactly_at_closing_time_is_not_late(month: Any, coop: Any) -> None:
    Distribution.objects.filter(sale=month["nt5"]).update(recorded_at=at(D(2026, 3, 6), 21))
    r = reports.anomalies(cooperative=coop, program=None, **MARCH)
    assert month["nt5"].sale_no not in [x.sale_no for x in r.odd_times]
    Distribution.objects.filter(sale=month["nt5"]).update(recorded_at=at(D(2026, 3, 6), 21, 1))
    r = reports.anomalies(cooperative=coop, program=None, **MARCH)
    assert month["nt5"].sale_no in [x.sale_no for x in r.odd_times]


# --- Input --------------------------------------------------------------------------------------------------
def test_period_defaults_and_limits() -> None:
    today = D(2026, 11, 24)
    assert reports.period_resolve(None, None, today) == reports.Period(D(2026, 11, 1), today)
    assert reports.period_resolve(None, D(2026, 3, 20), today) == reports.Period(D(2026, 3, 1), D(2026, 3, 20))
    assert reports.period_resolve(D(2026, 3, 20), None, today) == reports.Period(D(2026, 3, 20), today)
    assert reports.period_resolve(D(2026, 12, 5), None, today) == reports.Period(D(2026, 12, 5), D(2026, 12, 31))
    # 366 days both ends counted is the longest.
    assert reports.period_resolve(D(2024, 1, 1), D(2024, 12, 31), today).end == D(2024, 12, 31)
    with pytest.raises(ValidationError) as long:
        reports.period_resolve(D(2025, 1, 1), D(2026, 1, 2), today)
    assert long.value.code == "range_too_long"
    assert "paling lama 366 hari; yang diminta 367 hari" in long.value.message
    with pytest.raises(ValidationError) as reversed_:
        reports.period_resolve(D(2026, 3, 2), D(2026, 3, 1), today)
    assert reversed_.value.code == "range_invalid"


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "1" * 19, "1\x00", "１２", "1.5"])
def test_program_id_that_cannot_be_read(raw: str) -> None:
    with pytest.raises(ValidationError) as bad:
        reports.program_id_from_text(raw)
    assert bad.value.code == "program_invalid"


def test_program_id_read_and_tenancy(coop: Any, other_coop: Any, lpg_program: Any) -> None:
    assert reports.program_id_from_text(" ") is None
    assert reports.program_id_from_text(str(lpg_program.pk)) == lpg_program.pk
    assert reports.program_for_report(cooperative=coop, program_id=lpg_program.pk) == lpg_program
    with pytest.raises(NotFound):
        reports.program_for_report(cooperative=other_coop, program_id=lpg_program.pk)
    with pytest.raises(NotFound):
        reports.program_for_report(cooperative=coop, program_id=10**17)


def test_other_cooperatives_distributions_never_show(month: Any, coop: Any, other_coop: Any) -> None:
    for name in reports.REPORTS:
        result = reports.build(cooperative=other_coop, name=name, start=D(2026, 3, 1), end=D(2026, 3, 31))
        assert result.row_count == 0, name
    assert reports.build(cooperative=coop, name="logbook", start=D(2026, 3, 1), end=D(2026, 3, 31)).row_count == 8


def test_unknown_report() -> None:
    with pytest.raises(ValidationError) as bad:
        reports.report_spec("nope\x00")
    assert bad.value.code == "report_unknown"
    assert "\x00" not in bad.value.message


def test_unmask_only_for_reports_with_personal_data(month: Any, coop: Any) -> None:
    kel = reports.build(cooperative=coop, name="kelurahan", unmask=True, start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert not hasattr(kel, "unmasked")
    spec = reports.REPORTS["kelurahan"]
    assert reports.unmasked_audit_data(spec, kel, "html") is None
    log = reports.build(cooperative=coop, name="logbook", unmask=True, start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert reports.unmasked_audit_data(reports.REPORTS["logbook"], log, "xlsx") == {
        "from": "2026-03-01",
        "to": "2026-03-31",
        "rows": 8,
        "format": "xlsx",
    }


# --- Fixed query counts -------------------------------------------------------------------------------------
@pytest.fixture
def oil_program(coop: Any, oil: Any, manajer: Any) -> Any:
    """MinyaKita at its HET with no quota, so one buyer can buy many times a day."""
    return program_create(
        cooperative=coop,
        data=ProgramInput(
            name="MinyaKita", product=oil, partner="Kemendag", price=15_700, valid_from=D(2026, 3, 1), rules=[]
        ),
        actor=manajer,
    )


def _oil_sales(coop: Any, kasir: Any, bendahara: Any, supplier: Any, oil: Any, count: int) -> None:
    shop.purchase_direct(
        cooperative=coop, supplier=supplier, date=D(2026, 3, 2), lines=[PurchaseLineInput(oil, 30, 14_000)],
        actor=bendahara,
    )  # fmt: skip
    niks = [NIK_A1, NIK_A2, NIK_A3, NIK_B1]
    for i in range(count):
        day = D(2026, 3, 3 + i % 20)
        sell(coop, kasir, oil, 1, day, niks[i % 4], at(day, 5 + i % 3 * 9), partner_reference=f"R{i}")


@pytest.mark.parametrize("count", [3, 30])
def test_query_counts_do_not_grow_with_rows(
    coop: Any, stocked: Any, supplier: Any, oil: Any, oil_program: Any, households: Any, register: Any,
    kasir: Any, bendahara: Any, count: int, django_assert_num_queries: Any,
) -> None:  # fmt: skip
    register(nik=NIK_A3, name="Rina Santoso", kelurahan_code=MANGGAR)
    _oil_sales(coop, kasir, bendahara, supplier, oil, count)
    assert Distribution.objects.filter(program=oil_program).count() == count
    period = {"start": D(2026, 3, 1), "end": D(2026, 3, 31)}
    with django_assert_num_queries(1):
        log = reports.logbook(cooperative=coop, program=oil_program, unmask=True, **period)
    assert log.row_count == count
    with django_assert_num_queries(4):
        reports.allocation(cooperative=coop, program=oil_program, **period)
    with django_assert_num_queries(5):
        reports.allocation(cooperative=coop, program=None, **period)
    with django_assert_num_queries(2):
        reports.kelurahan(cooperative=coop, program=oil_program, **period)
    with django_assert_num_queries(3):
        odd = reports.anomalies(cooperative=coop, program=None, **period)
    assert len(odd.odd_times) == len([i for i in range(count) if i % 3 != 1])  # 05:00 and 23:00 are odd hours
