"""Odd URLs and parameters on the member and savings pages answer 4xx or a page, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
URLS = [
    "/k/manggar/anggota/?page=abc",
    "/k/manggar/anggota/?page=99999",
    "/k/manggar/anggota/?status=nonsense&q=%00",
    f"/k/manggar/anggota/?q={HUGE}",
    f"/k/manggar/anggota/{HUGE}/",
    f"/k/manggar/anggota/{HUGE}/kartu.pdf",
    "/k/manggar/anggota/ekspor.xlsx?status=x",
    "/k/manggar/anggota/baru/?pratinjau=nik&nik=abc",
    f"/k/manggar/simpanan/transaksi/baru/?member={HUGE}",
    "/k/manggar/simpanan/transaksi/baru/?member=abc&kind=x&direction=y",
    f"/k/manggar/simpanan/transaksi/baru/?q={HUGE}",
    f"/k/manggar/simpanan/transaksi/{HUGE}/",
    f"/k/manggar/simpanan/transaksi/{HUGE}/bukti.pdf",
    "/k/manggar/simpanan/anggota/1/buku/berjangka.pdf",
    f"/k/manggar/simpanan/anggota/{HUGE}/buku/sukarela.pdf",
    "/k/manggar/simpanan/anggota/{member}/buku/sukarela.pdf?from=kemarin",
    "/k/manggar/simpanan/anggota/{member}/buku/sukarela.pdf?from=2026-05-01&to=2026-01-01",
    "/k/manggar/simpanan/tunggakan/?format=pdf",
    f"/k/manggar/simpanan/anggota/{HUGE}/wajib/",
]
POSTS = [
    ("/k/manggar/simpanan/transaksi/baru/", {"member": HUGE, "kind": "sukarela", "direction": "setor", "amount": "1"}),
    (
        "/k/manggar/simpanan/transaksi/baru/",
        {"member": "{member}", "kind": "sukarela", "direction": "setor", "amount": HUGE},
    ),
    (
        "/k/manggar/simpanan/transaksi/baru/",
        {"member": "{member}", "kind": "x", "direction": "y", "date": "31/02/2026"},
    ),
    ("/k/manggar/simpanan/tunggakan/", {"month": "2026-13"}),
    ("/k/manggar/simpanan/bunga/", {"month": "abc"}),
    ("/k/manggar/simpanan/pengaturan/", {"effective_from": "x", "pokok_amount": HUGE, "sukarela_rate_pa": "NaN"}),
    ("/k/manggar/simpanan/anggota/{member}/wajib/", {"wajib_amount": HUGE}),
    ("/k/manggar/anggota/baru/", {"nik": HUGE, "kk": HUGE, "name": "x" * 500, "joined_on": "99/99/9999"}),
    ("/k/manggar/anggota/{member}/keluar/", {"status": "x", "date": "x", "expected_payout": HUGE, "confirm": "1"}),
    ("/k/manggar/anggota/{member}/akun-portal/", {"link_username": "x" * 500}),
]


@pytest.fixture
def officer(coop: Any, grant: Any) -> Client:
    """A client that holds every officer role, so each page is reached rather than refused."""
    from koperasi.core.models import CooperativeRole

    user = grant(coop, "bendahara")
    for role in ("ketua", "kasir", "sekretaris"):
        CooperativeRole.objects.create(cooperative=coop, user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", URLS)
def test_odd_get_is_not_a_server_error(officer: Client, active_member: Any, url: str) -> None:
    response = officer.get(url.replace("{member}", str(active_member.pk)))
    assert response.status_code < 500


@pytest.mark.parametrize(("url", "data"), POSTS)
def test_odd_post_is_not_a_server_error(officer: Client, active_member: Any, url: str, data: dict[str, str]) -> None:
    data = {k: v.replace("{member}", str(active_member.pk)) for k, v in data.items()}
    response = officer.post(url.replace("{member}", str(active_member.pk)), data)
    assert response.status_code < 500


API_HUGE = 10**30
API_CALLS = [
    ("get", f"/coops/manggar/members/{HUGE}", None),
    ("get", f"/coops/manggar/members/{HUGE}/savings", None),
    ("get", "/coops/manggar/members?limit=abc&offset=-1", None),
    ("post", "/coops/manggar/members", {"nik": API_HUGE, "kk": None, "name": ["x"]}),
    ("patch", "/coops/manggar/members/{member}", {"joined_on": "31/02/2026", "phone": API_HUGE}),
    (
        "post",
        "/coops/manggar/members/{member}/exit",
        {"status": "keluar", "date": "2026-03-01", "expected_payout": API_HUGE},
    ),
    (
        "post",
        "/coops/manggar/savings/transactions",
        {"member_id": API_HUGE, "kind": "sukarela", "direction": "deposit", "amount": 1, "date": "2026-03-01"},
    ),
    (
        "post",
        "/coops/manggar/savings/transactions",
        {"member_id": "{member}", "kind": "sukarela", "direction": "deposit", "amount": API_HUGE, "date": "2026-03-01"},
    ),
    (
        "post",
        "/coops/manggar/savings/settings",
        {"effective_from": "2026-05-01", "pokok_amount": API_HUGE, "wajib_amount": 1},
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_odd_api_call_is_a_client_error(
    coop: Any, active_member: Any, grant: Any, api_as: Any, method: str, path: str, body: Any
) -> None:
    from koperasi.core.models import CooperativeRole

    user = grant(coop, "bendahara")
    CooperativeRole.objects.create(cooperative=coop, user=user, role="ketua")
    client = api_as(user)
    member = active_member.pk
    if isinstance(body, dict):
        body = {k: (member if v == "{member}" else v) for k, v in body.items()}
    path = path.replace("{member}", str(member))
    response = client.get(path) if method == "get" else getattr(client, method)(path, body)
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"code", "message", "detail"}
