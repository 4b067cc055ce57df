"""The subsidy pages: programmes (list, new, detail with allocations, end and "Cek kuota"), recipients
(list with masked NIKs and audited unmasking, registration, detail, edit, deactivation) and the navigation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.shop import services as shop
from koperasi.subsidies.models import ProgramAllocation, ProgramRule, Recipient, SubsidyProgram
from tests.shop.conftest import SOLD
from tests.subsidies.conftest import KK_A, KK_B, NIK_A1, NIK_A2, NIK_B1, NIK_UNREGISTERED

pytestmark = pytest.mark.django_db

D = datetime.date
BASE = "/k/manggar/subsidi/"
HUGE = "99999999999999999999999"


@pytest.fixture(autouse=True)
def _today(monkeypatch: Any) -> None:
    """Every page and service runs on 10 March 2026 (``timezone.localdate``)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: SOLD)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sell(coop: Any, actor: Any, product: Any, qty: int, nik: str, day: datetime.date = SOLD) -> Any:
    return shop.sale_create(
        cooperative=coop, date=day, lines=[shop.SaleLineInput(product, qty)], buyer_nik=nik, actor=actor
    )


def writes() -> dict[str, Any]:
    """Everything the subsidy pages can write."""
    return {
        "programs": list(SubsidyProgram.objects.order_by("pk").values_list("pk", "valid_to")),
        "rules": ProgramRule.objects.count(),
        "allocations": list(ProgramAllocation.objects.order_by("pk").values_list("month", "qty")),
        "recipients": list(
            Recipient.objects.order_by("pk").values_list("pk", "kk", "name", "category", "nib", "is_active")
        ),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def anggota(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.ANGGOTA)


@pytest.fixture
def world(lpg_program: Any, households: dict[str, Any]) -> dict[str, int]:
    return {"program": lpg_program.pk, "recipient": households["a1"].pk}


VIEW_PAGES = ["", "program/{program}/", "penerima/", "penerima/{recipient}/"]
PROGRAM_PAGES = ["program/baru/"]
REGISTER_PAGES = ["penerima/baru/", "penerima/{recipient}/ubah/", "penerima/impor/", "penerima/impor/template.xlsx"]
PROGRAM_POSTS = ["program/baru/", "program/{program}/alokasi/", "program/{program}/akhiri/"]
VIEW_POSTS = ["program/{program}/cek-kuota/"]
REGISTER_POSTS = [
    "penerima/baru/",
    "penerima/{recipient}/ubah/",
    "penerima/{recipient}/nonaktifkan/",
    "penerima/{recipient}/aktifkan/",
    "penerima/impor/",
]


# --- who may open which page ------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.KETUA, Role.BENDAHARA, Role.MANAJER])
@pytest.mark.parametrize("page", VIEW_PAGES + PROGRAM_PAGES + REGISTER_PAGES)
def test_every_page_renders_for_those_who_run_the_programme(
    page: str, role: Role, world: dict[str, int], coop: Any, grant: Any
) -> None:
    user = grant(coop, role, f"{role}-uji")
    response = login(user).get(BASE + page.format(**world))
    assert response.status_code == 200
    if response.get("Content-Type", "").startswith("text/html"):
        assert response.context["coop"].code == "manggar"
        assert response.context["subsidy_perms"]["programs"] is True


@pytest.mark.parametrize("page", VIEW_PAGES + REGISTER_PAGES)
def test_the_kasir_sees_and_registers(page: str, world: dict[str, int], kasir: Any) -> None:
    assert login(kasir).get(BASE + page.format(**world)).status_code == 200


@pytest.mark.parametrize("page", VIEW_PAGES)
def test_the_pengawas_and_sekretaris_read(
    page: str, world: dict[str, int], pengawas: Any, coop: Any, grant: Any
) -> None:
    assert login(pengawas).get(BASE + page.format(**world)).status_code == 200
    assert login(grant(coop, Role.SEKRETARIS)).get(BASE + page.format(**world)).status_code == 200


def test_who_may_not_write_is_refused_and_nothing_changes(
    world: dict[str, int], kasir: Any, pengawas: Any, anggota: Any, dinas_user: Any
) -> None:
    before = writes()
    for page in PROGRAM_PAGES:
        assert login(kasir).get(BASE + page).status_code == 403
        assert login(pengawas).get(BASE + page).status_code == 403
    for page in REGISTER_PAGES:
        assert login(pengawas).get(BASE + page.format(**world)).status_code == 403
    body = {"reason": "x", "valid_to": "2026-03-31", "month": "2026-03", "qty": "1", "name": "X", "note": "x"}
    for page in PROGRAM_POSTS:
        assert login(kasir).post(BASE + page.format(**world), body).status_code == 403, page
    for page in REGISTER_POSTS:
        assert login(pengawas).post(BASE + page.format(**world), body).status_code == 403, page
    for user in (anggota, dinas_user):
        client = login(user)
        for page in VIEW_PAGES + PROGRAM_PAGES + REGISTER_PAGES:
            assert client.get(BASE + page.format(**world)).status_code == 403, (user, page)
        for page in VIEW_POSTS + PROGRAM_POSTS + REGISTER_POSTS:
            assert client.post(BASE + page.format(**world), body).status_code == 403, (user, page)
    assert writes() == before


def test_another_cooperative_sees_nothing(
    world: dict[str, int], other_coop: Any, other_ketua: Any, ketua: Any, register: Any, make_item: Any
) -> None:
    from koperasi.subsidies.services import ProgramInput, program_create

    before = writes()
    client = login(other_ketua)
    for page in VIEW_PAGES + PROGRAM_PAGES + REGISTER_PAGES:
        assert client.get(BASE + page.format(**world)).status_code == 404, page
    for page in VIEW_POSTS + PROGRAM_POSTS + REGISTER_POSTS:
        assert client.post(BASE + page.format(**world), {"reason": "x"}).status_code == 404, page
    assert writes() == before
    # Lamaru's own ids, asked for under Manggar, do not exist there.
    foreign = register(cooperative=other_coop, nik=NIK_B1, kk=KK_B, name="Orang Lamaru")
    gas = make_item(other_coop, sku="LPG3", name="LPG 3 kg", unit="tabung", price=19_000, het_commodity="lpg_3kg")
    program = program_create(
        cooperative=other_coop,
        data=ProgramInput(name="LPG Lamaru", product=gas, partner="Pertamina", price=19_000, valid_from=D(2026, 3, 1)),
        actor=other_ketua,
    )
    before = writes()
    client = login(ketua)
    assert client.get(f"{BASE}penerima/{foreign.pk}/").status_code == 404
    assert client.get(f"{BASE}penerima/{foreign.pk}/ubah/").status_code == 404
    assert client.post(f"{BASE}penerima/{foreign.pk}/nonaktifkan/", {"reason": "x"}).status_code == 404
    assert client.get(f"{BASE}program/{program.pk}/").status_code == 404
    assert (
        client.post(f"{BASE}program/{program.pk}/akhiri/", {"reason": "x", "valid_to": "2026-03-31"}).status_code == 404
    )
    assert client.post(f"{BASE}program/{program.pk}/alokasi/", {"month": "2026-03", "qty": "5"}).status_code == 404
    assert writes() == before


def test_huge_or_foreign_ids_are_not_found(
    world: dict[str, int], ketua: Any, other_coop: Any, register_member: Any
) -> None:
    client = login(ketua)
    for page in ("program/{x}/", "penerima/{x}/", "penerima/{x}/ubah/", "program/{x}/akhiri/"):
        assert client.get(BASE + page.format(x=HUGE)).status_code in (404, 405), page
    assert client.get(f"{BASE}program/{HUGE}/").status_code == 404
    assert client.get(f"{BASE}penerima/9223372036854775808/").status_code == 404
    assert client.post(f"{BASE}penerima/{HUGE}/nonaktifkan/", {"reason": "x"}).status_code == 404
    assert client.get(f"{BASE}penerima/baru/?member={HUGE}").status_code == 404
    assert client.get(f"{BASE}penerima/baru/?member=abc").status_code == 404
    stranger = register_member(other_coop)
    assert client.get(f"{BASE}penerima/baru/?member={stranger.pk}").status_code == 404


# --- programmes -------------------------------------------------------------------------------
def test_home_lists_programmes_with_this_months_figures(
    coop: Any, ketua: Any, kasir: Any, stocked: Any, lpg: Any, lpg_program: Any, sphp_program: Any, households: Any
) -> None:
    sell(coop, kasir, lpg, 2, NIK_A1, D(2026, 3, 2))
    sell(coop, kasir, lpg, 3, NIK_B1)
    sell(coop, kasir, lpg, 1, NIK_A1, D(2026, 3, 9))
    ProgramAllocation.objects.create(cooperative=coop, program=lpg_program, month=D(2026, 3, 1), qty=250)
    with_queries = login(kasir)
    response = with_queries.get(BASE)
    assert response.status_code == 200
    rows = {row["program"].name: row for row in response.context["rows"]}
    assert (rows["LPG 3 kg bersubsidi"]["distributed"], rows["LPG 3 kg bersubsidi"]["allocation"]) == (6, 250)
    assert (rows["Beras SPHP"]["distributed"], rows["Beras SPHP"]["allocation"]) == (0, 0)
    assert rows["LPG 3 kg bersubsidi"]["rules"] == [
        "10 tabung per KK per bulan",
        "1 kali pembelian per NIK per hari",
    ]
    html = response.content.decode()
    assert "PT Pertamina Patra Niaga" in html and "Rp 19.000" in html and "berlaku hari ini" in html
    assert "2 karung per NIK per hari" in html
    assert "Program baru" not in html  # the kasir does not start programmes
    assert "Program baru" in login(ketua).get(BASE).content.decode()


def test_home_queries_do_not_grow_with_programmes(
    request: Any, coop: Any, kasir: Any, lpg_program: Any, django_assert_num_queries: Any
) -> None:
    client = login(kasir)
    # session, user, cooperative, 2 role lookups, programmes, rules, month's distributions and
    # allocations, the header's cooperatives
    with django_assert_num_queries(10):
        assert len(client.get(BASE).context["rows"]) == 1
    request.getfixturevalue("sphp_program")
    with django_assert_num_queries(10):
        assert len(client.get(BASE).context["rows"]) == 2


def program_post(product: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "product": product.pk,
        "name": "LPG 3 kg bersubsidi",
        "partner": "PT Pertamina Patra Niaga",
        "price": "19.000",
        "valid_from": "2026-03-01",
        "valid_to": "",
        "monthly_allocation": "300",
        "categories": ["rumah_tangga", "usaha_mikro"],
        "registration_required": "on",
        "rule1_per": "kk",
        "rule1_period": "month",
        "rule1_max_qty": "10",
        "rule2_per": "nik",
        "rule2_period": "day",
        "rule2_max_purchases": "1",
        "note": "",
    }
    data.update(overrides)
    return data


def test_new_programme_is_prefilled_from_the_products_commodity(coop: Any, ketua: Any, lpg: Any, oil: Any) -> None:
    client = login(ketua)
    blank = client.get(f"{BASE}program/baru/")
    assert blank.status_code == 200
    assert blank.context["form"].initial["valid_from"] == SOLD
    response = client.get(f"{BASE}program/baru/?product={lpg.pk}")
    initial = response.context["form"].initial
    assert (initial["name"], initial["partner"], initial["price"], initial["monthly_allocation"]) == (
        "LPG 3 kg bersubsidi",
        "PT Pertamina Patra Niaga",
        19_000,
        300,
    )
    assert initial["categories"] == ["rumah_tangga", "usaha_mikro", "petani", "nelayan"]
    assert (initial["rule1_per"], initial["rule1_period"], initial["rule1_max_qty"]) == ("kk", "month", 10)
    assert (initial["rule2_per"], initial["rule2_period"], initial["rule2_max_purchases"]) == ("nik", "day", 1)
    html = response.content.decode()
    assert 'value="LPG 3 kg bersubsidi"' in html and 'value="19000"' in html
    oil_form = client.get(f"{BASE}program/baru/?product={oil.pk}").context["form"].initial
    assert (oil_form["name"], oil_form["price"]) == ("MinyaKita", 15_700)
    for junk in ("abc", HUGE, "-1", "999999"):
        ignored = client.get(f"{BASE}program/baru/?product={junk}")
        assert ignored.status_code == 200 and "name" not in ignored.context["form"].initial


def test_new_programme_is_created_with_its_rules(coop: Any, manajer: Any, lpg: Any) -> None:
    response = login(manajer).post(f"{BASE}program/baru/", program_post(lpg))
    program = SubsidyProgram.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}program/{program.pk}/"
    assert (program.price, program.valid_from, program.valid_to, program.monthly_allocation) == (
        19_000,
        D(2026, 3, 1),
        None,
        300,
    )
    assert program.categories == ["rumah_tangga", "usaha_mikro"] and program.registration_required
    assert list(ProgramRule.objects.values_list("per", "period", "max_qty", "max_purchases").order_by("id")) == [
        ("kk", "month", 10, None),
        ("nik", "day", None, 1),
    ]
    assert AuditEvent.objects.filter(action="subsidies.program.create").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"price": "25.000"}, "price", "melebihi HET LPG 3 kg Rp 19.000"),
        ({"categories": []}, "categories", "Pilih paling sedikit satu kategori penerima."),
        ({"registration_required": ""}, "rule1_per", "Kuota per KK hanya bisa bila pembeli wajib terdaftar"),
        ({"rule2_period": "purchase"}, "rule2_max_purchases", "Aturan per pembelian hanya membatasi jumlah"),
        ({"rule2_max_purchases": ""}, "rule2_max_qty", "Isi batas jumlah (max_qty) atau kali pembelian."),
        ({"valid_to": "2026-02-01"}, "valid_to", "Tanggal berakhir tidak boleh sebelum tanggal mulai."),
        ({"price": "19.000,50"}, "price", "Harga harus rupiah bulat"),
        ({"name": "\x00"}, "name", ""),
    ],
)
def test_a_refused_programme_keeps_the_form_and_writes_nothing(
    coop: Any, ketua: Any, lpg: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = writes()
    response = login(ketua).post(f"{BASE}program/baru/", program_post(lpg, **overrides))
    assert response.status_code in (409, 422)
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert 'value="PT Pertamina Patra Niaga"' in response.content.decode()  # the values typed are kept
    assert writes() == before


def test_a_second_programme_for_the_product_is_refused(coop: Any, ketua: Any, lpg: Any, lpg_program: Any) -> None:
    before = writes()
    response = login(ketua).post(f"{BASE}program/baru/", program_post(lpg, valid_from="2026-04-01"))
    assert response.status_code == 409
    assert "sudah punya program LPG 3 kg bersubsidi" in response.content.decode()
    assert writes() == before


def test_programme_detail_shows_rules_months_and_latest_sales(
    coop: Any, kasir: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any
) -> None:
    sell(coop, kasir, lpg, 2, NIK_A1, D(2026, 3, 2))
    ProgramAllocation.objects.create(
        cooperative=coop, program=lpg_program, month=D(2026, 3, 1), qty=250, reference="DO-7"
    )
    response = login(kasir).get(f"{BASE}program/{lpg_program.pk}/")
    assert response.status_code == 200
    assert response.context["rules"] == ["10 tabung per KK per bulan", "1 kali pembelian per NIK per hari"]
    months = response.context["months"]
    assert [(m.month, m.allocation, m.recorded, m.distributed, m.reference) for m in months] == [
        (D(2026, 3, 1), 250, True, 2, "DO-7")
    ]
    html = response.content.decode()
    assert "6471••••••••0001" in html and NIK_A1 not in html
    assert "Rumah tangga, Usaha mikro, Petani sasaran, Nelayan sasaran" in html
    assert response.context["allocation_form"] is None and response.context["end_form"] is None  # kasir


def test_quota_check_shows_what_remains_per_rule_and_the_refusal(
    coop: Any, kasir: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any
) -> None:
    sell(coop, kasir, lpg, 3, NIK_A2, D(2026, 3, 2))
    sell(coop, kasir, lpg, 2, NIK_A1)
    client = login(kasir)
    url = f"{BASE}program/{lpg_program.pk}/cek-kuota/"
    before = writes()
    response = client.post(url, {"nik": NIK_A1})
    assert response.status_code == 200
    usage = response.context["usage"]
    assert [(u.used_qty, u.remaining_qty, u.used_purchases, u.remaining_purchases) for u in usage.rules] == [
        (5, 5, 2, None),
        (2, None, 1, 0),
    ]
    assert usage.remaining == 0
    html = response.content.decode()
    assert "<code>6471••••••••0001</code>" in html and "Budi Santoso" in html
    assert 'id="sisa">0 tabung' in html
    # Household A's other adult still has 5 tabung this month and one purchase today.
    other = client.post(url, {"nik": NIK_A2}).context["usage"]
    assert other.remaining == 5 and other.refusal == ""
    unregistered = client.post(url, {"nik": NIK_UNREGISTERED})
    assert unregistered.context["usage"].refusal_code == "recipient_not_registered"
    assert "NIK 6471••••••••0003 belum terdaftar sebagai penerima LPG 3 kg bersubsidi" in unregistered.content.decode()
    bad = client.post(url, {"nik": "12345"})
    assert bad.status_code == 422 and bad.context["usage"] is None
    assert "NIK harus 16 angka (tertulis 5 karakter)." in bad.content.decode()
    assert client.post(url, {"nik": "\x00"}).status_code == 422
    assert client.get(url).status_code == 405
    assert writes() == before  # a check writes nothing


def test_allocation_of_a_month_is_set_and_replaced(coop: Any, bendahara: Any, lpg_program: Any) -> None:
    client = login(bendahara)
    url = f"{BASE}program/{lpg_program.pk}/alokasi/"
    response = client.post(url, {"month": "2026-03", "qty": "250", "reference": "DO-1"})
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}program/{lpg_program.pk}/#alokasi"
    assert client.post(url, {"month": "2026-03", "qty": "280", "reference": "DO-2"}).status_code == 302
    assert list(ProgramAllocation.objects.values_list("month", "qty", "reference")) == [(D(2026, 3, 1), 280, "DO-2")]
    before = writes()
    refused = client.post(url, {"month": "2026-01", "qty": "5"})
    assert refused.status_code == 422
    assert "Bulan itu di luar masa berlaku program." in refused.content.decode()
    assert client.post(url, {"month": "bulan", "qty": "-1"}).status_code == 422
    assert writes() == before


def test_programme_is_ended_with_a_reason(coop: Any, ketua: Any, lpg_program: Any) -> None:
    client = login(ketua)
    url = f"{BASE}program/{lpg_program.pk}/akhiri/"
    before = writes()
    missing = client.post(url, {"valid_to": "2026-03-31", "reason": ""})
    assert missing.status_code == 422 and writes() == before
    early = client.post(url, {"valid_to": "2026-02-01", "reason": "Harga baru"})
    assert early.status_code == 422
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai." in early.content.decode()
    assert writes() == before
    response = client.post(url, {"valid_to": "2026-03-31", "reason": "Harga baru dari Pertamina"})
    assert response.status_code == 302
    lpg_program.refresh_from_db()
    assert lpg_program.valid_to == D(2026, 3, 31)
    again = client.post(url, {"valid_to": "2026-03-31", "reason": "lagi"})
    assert again.status_code == 409 and "sudah berakhir pada 31/03/2026" in again.content.decode()


# --- recipients -------------------------------------------------------------------------------
def test_recipient_list_searches_filters_and_masks(coop: Any, kasir: Any, households: Any, register: Any) -> None:
    register(nik="6471040101700004", kk=KK_B, name="Warung Bu Sari", category="usaha_mikro", nib="9120001234567")
    client = login(kasir)
    response = client.get(f"{BASE}penerima/")
    assert response.status_code == 200
    html = response.content.decode()
    assert [r.name for r in response.context["page"].object_list] == [
        "Budi Santoso",
        "Joko Widodo",
        "Siti Aminah",
        "Warung Bu Sari",
    ]
    assert "6471••••••••0001" in html and NIK_A1 not in html and KK_A not in html
    assert "Tampilkan NIK lengkap" not in html  # the kasir may not unmask

    def names(query: str) -> list[str]:
        return [r.name for r in client.get(f"{BASE}penerima/?{query}").context["page"].object_list]

    assert names("q=siti") == ["Siti Aminah"]
    assert names(f"q={NIK_B1}") == ["Joko Widodo"]
    assert names(f"q={KK_A}") == ["Budi Santoso", "Siti Aminah"]
    assert names("q=6471") == []  # a NIK is found only whole
    assert names("category=usaha_mikro") == ["Warung Bu Sari"]
    assert names("active=0") == []
    assert names("category=bogus&q=%00") == ["Budi Santoso", "Joko Widodo", "Siti Aminah", "Warung Bu Sari"]


def test_recipient_list_pages_by_fifty(coop: Any, kasir: Any) -> None:
    Recipient.objects.bulk_create(
        Recipient(
            cooperative=coop,
            nik=f"64710415058{i:05d}",
            kk=KK_A,
            name=f"Orang {i:03d}",
            category="rumah_tangga",
            registered_on=SOLD,
        )
        for i in range(1, 53)
    )
    client = login(kasir)
    first = client.get(f"{BASE}penerima/")
    assert len(first.context["page"].object_list) == 50
    second = client.get(f"{BASE}penerima/?page=2")
    assert [r.name for r in second.context["page"].object_list] == ["Orang 051", "Orang 052"]


def test_unmasking_the_list_is_audited_once_and_refused_to_the_kasir(
    coop: Any, ketua: Any, kasir: Any, households: Any
) -> None:
    before = writes()
    refused = login(kasir).get(f"{BASE}penerima/?unmask=1")
    assert refused.status_code == 403
    assert writes() == before
    client = login(ketua)
    masked = client.get(f"{BASE}penerima/")
    assert "Tampilkan NIK lengkap" in masked.content.decode() and NIK_A1 not in masked.content.decode()
    assert AuditEvent.objects.filter(action="subsidies.nik.unmasked").count() == 0
    response = client.get(f"{BASE}penerima/?unmask=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert NIK_A1 in html and KK_A in html and NIK_B1 in html
    audit = AuditEvent.objects.get(action="subsidies.nik.unmasked")
    assert (audit.actor_id, audit.cooperative_id) == (ketua.pk, coop.pk)
    assert audit.data == {"what": "recipients", "rows": 3, "page": 1}


def recipient_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "nik": NIK_A1,
        "kk": KK_A,
        "name": "Budi Santoso",
        "category": "rumah_tangga",
        "nib": "",
        "business_name": "",
        "address": "Jl. Mulawarman No. 5",
        "phone": "0812-3456-7890",
        "kelurahan_code": "64.71.01.1001",
        "registered_on": "2026-03-09",
    }
    data.update(overrides)
    return data


def test_registering_a_recipient_links_the_member_with_that_nik(coop: Any, kasir: Any, register_member: Any) -> None:
    member = register_member(coop, nik=NIK_A1)
    response = login(kasir).post(f"{BASE}penerima/baru/", recipient_post())
    recipient = Recipient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}penerima/{recipient.pk}/"
    assert (recipient.nik, recipient.kk, recipient.phone, recipient.kelurahan_id, recipient.registered_on) == (
        NIK_A1,
        KK_A,
        "+6281234567890",
        "64.71.01.1001",
        D(2026, 3, 9),
    )
    assert recipient.member_id == member.pk and recipient.created_by_id == kasir.pk
    assert AuditEvent.objects.filter(action="subsidies.recipient.register").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nik": "6471043102850002"}, "nik", "NIK tidak valid: tanggal lahir 31-02-85 bukan tanggal yang ada"),
        ({"category": "usaha_mikro"}, "nib", "Usaha mikro wajib mempunyai NIB (13 angka dari OSS)."),
        ({"kk": "123"}, "kk", "No. KK harus 16 angka"),
        ({"registered_on": "2027-01-01"}, "registered_on", "Tanggal daftar tidak boleh di masa depan."),
        ({"registered_on": "kemarin"}, "registered_on", "Tanggal daftar tidak valid"),
        ({"kelurahan_code": "99.99"}, "kelurahan_code", "Masukkan pilihan yang valid"),
        ({"name": "\x00\x00"}, "name", "Karakter null tidak diizinkan."),
        ({"name": "   "}, "name", "Nama wajib diisi."),
    ],
)
def test_a_refused_registration_keeps_the_form_and_writes_nothing(
    coop: Any, kasir: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = writes()
    response = login(kasir).post(f"{BASE}penerima/baru/", recipient_post(**overrides))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert 'value="Jl. Mulawarman No. 5"' in response.content.decode()
    assert writes() == before


def test_registering_an_existing_nik_links_to_the_recipient(coop: Any, kasir: Any, households: Any) -> None:
    before = writes()
    response = login(kasir).post(f"{BASE}penerima/baru/", recipient_post(name="Budi lagi"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "NIK 6471••••••••0001 sudah terdaftar atas nama Budi Santoso." in html
    assert f'href="{BASE}penerima/{households["a1"].pk}/"' in html
    assert writes() == before


def test_registration_is_prefilled_from_a_member(coop: Any, kasir: Any, register_member: Any) -> None:
    member = register_member(coop, nik=NIK_A1, name="Budi Anggota")
    response = login(kasir).get(f"{BASE}penerima/baru/?member={member.pk}")
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["nik"], initial["name"], initial["kk"], initial["category"]) == (
        NIK_A1,
        "Budi Anggota",
        member.kk,
        "rumah_tangga",
    )


def test_recipient_detail_shows_quota_and_purchases_masked(
    coop: Any, kasir: Any, stocked: Any, lpg: Any, lpg_program: Any, sphp_program: Any, households: Any
) -> None:
    sell(coop, kasir, lpg, 4, NIK_A2, D(2026, 3, 3))
    response = login(kasir).get(f"{BASE}penerima/{households['a1'].pk}/")
    assert response.status_code == 200
    by_program = {usage.program.name: usage for usage, _ in response.context["usages"]}
    assert by_program["LPG 3 kg bersubsidi"].remaining == 6  # household A used 4 of 10
    assert by_program["Beras SPHP"].remaining == 2
    html = response.content.decode()
    assert "6471••••••••0001" in html and NIK_A1 not in html and KK_A not in html
    assert "sisa 6 tabung (terpakai 4)" in html
    siti = login(kasir).get(f"{BASE}penerima/{households['a2'].pk}/")
    assert [(d.qty, d.unit_price) for d in siti.context["distributions"]] == [(4, 19_000)]


def test_unmasking_a_recipient_is_audited_with_the_recipient(
    coop: Any, manajer: Any, kasir: Any, households: Any
) -> None:
    url = f"{BASE}penerima/{households['b1'].pk}/?unmask=1"
    assert login(kasir).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="subsidies.nik.unmasked").exists()
    response = login(manajer).get(url)
    assert NIK_B1 in response.content.decode() and KK_B in response.content.decode()
    audit = AuditEvent.objects.get(action="subsidies.nik.unmasked")
    assert (audit.object_type, audit.object_id, audit.data) == (
        "subsidies.recipient",
        str(households["b1"].pk),
        {"what": "recipient"},
    )


def test_editing_a_recipient_keeps_the_kk_when_left_blank(coop: Any, kasir: Any, households: Any) -> None:
    recipient = households["a1"]
    client = login(kasir)
    page = client.get(f"{BASE}penerima/{recipient.pk}/ubah/")
    assert page.status_code == 200
    assert KK_A not in page.content.decode()  # the full KK is never put in the form
    assert "required" not in page.context["form"].fields["kk"].widget.attrs  # blank keeps it
    data = recipient_post(name="Budi S.", kk="", category="usaha_mikro", nib="9120001234567", business_name="Warung")
    response = client.post(f"{BASE}penerima/{recipient.pk}/ubah/", data)
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert (recipient.name, recipient.kk, recipient.category, recipient.nib, recipient.nik) == (
        "Budi S.",
        KK_A,
        "usaha_mikro",
        "9120001234567",
        NIK_A1,
    )
    back = client.post(f"{BASE}penerima/{recipient.pk}/ubah/", recipient_post(kk="", nib=""))
    assert back.status_code == 302  # rumah tangga again needs no NIB
    recipient.refresh_from_db()
    assert recipient.category == "rumah_tangga"
    before = writes()
    refused = client.post(f"{BASE}penerima/{recipient.pk}/ubah/", recipient_post(category="usaha_mikro", nib=""))
    assert refused.status_code == 422
    assert "Usaha mikro wajib mempunyai NIB" in refused.content.decode()
    assert writes() == before


def test_deactivate_and_reactivate(coop: Any, kasir: Any, households: Any) -> None:
    recipient = households["b1"]
    client = login(kasir)
    before = writes()
    assert client.post(f"{BASE}penerima/{recipient.pk}/nonaktifkan/", {"reason": ""}).status_code == 422
    future = client.post(f"{BASE}penerima/{recipient.pk}/nonaktifkan/", {"reason": "Pindah", "date": "2026-04-01"})
    assert future.status_code == 422 and "Tanggal tidak boleh setelah hari ini." in future.content.decode()
    assert writes() == before
    response = client.post(f"{BASE}penerima/{recipient.pk}/nonaktifkan/", {"reason": "Pindah ke Samarinda"})
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert (recipient.is_active, recipient.deactivated_on, recipient.deactivation_reason) == (
        False,
        SOLD,
        "Pindah ke Samarinda",
    )
    page = client.get(f"{BASE}penerima/{recipient.pk}/").content.decode()
    assert "Pindah ke Samarinda" in page and "Aktifkan kembali" in page
    again = client.post(f"{BASE}penerima/{recipient.pk}/nonaktifkan/", {"reason": "lagi"})
    assert again.status_code == 409 and "sudah nonaktif" in again.content.decode()
    assert client.post(f"{BASE}penerima/{recipient.pk}/aktifkan/", {"note": "Kembali"}).status_code == 302
    recipient.refresh_from_db()
    assert recipient.is_active


# --- navigation -----------------------------------------------------------------------------
def test_cooperative_and_gerai_pages_link_to_the_subsidy_pages(coop: Any, kasir: Any, anggota: Any) -> None:
    client = login(kasir)
    assert f'href="{BASE}"' in client.get("/k/manggar/").content.decode()
    assert f'href="{BASE}"' in client.get("/k/manggar/gerai/").content.decode()
    assert f'href="{BASE}"' not in login(anggota).get("/k/manggar/").content.decode()
    nav = client.get(f"{BASE}penerima/").content.decode()
    assert f'href="{BASE}penerima/"' in nav and f'href="{BASE}penerima/impor/"' in nav
