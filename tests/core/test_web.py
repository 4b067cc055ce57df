import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_rupiah_and_date_filters() -> None:
    assert render("{{ v|rupiah }}", v=1234567) == "Rp 1.234.567"
    assert render("{{ v|rupiah }}", v=-5000) == "-Rp 5.000"
    assert render("{{ v|tanggal }}", v=datetime.date(2026, 11, 23)) == "23/11/2026"
    moment = timezone.make_aware(datetime.datetime(2026, 11, 23, 1, 30), datetime.UTC)
    assert render("{{ v|tanggal }}", v=moment) == "23/11/2026 09:30"  # WITA, UTC+8
    assert render("{{ v|angka }}", v=34000) == "34.000"
    assert render("{{ v|date }}", v=datetime.date(2026, 11, 23)) == "23/11/2026"


def test_login_page_is_indonesian_and_english_is_available(client) -> None:
    page = client.get("/masuk/")
    assert page.status_code == 200
    assert "Nama pengguna" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    english = client.get("/masuk/").content.decode()
    assert "Username" in english
    assert 'lang="en"' in english


def test_login_logout_and_home_by_role(client, ketua, dinas_user) -> None:
    bad = client.post("/masuk/", {"username": ketua.username, "password": "salah"})
    assert bad.status_code == 200
    assert "benar" in bad.content.decode()  # Django's Indonesian "masukkan ... yang benar"
    ok = client.post("/masuk/", {"username": ketua.username, "password": "rahasia-uji-123"})
    assert ok.status_code == 302
    assert client.get("/").url == "/k/manggar/"
    client.post("/keluar/")
    assert client.get("/").status_code == 302
    assert client.get("/").url.startswith("/masuk/")
    client.post("/masuk/", {"username": dinas_user.username, "password": "rahasia-uji-123"})
    assert client.get("/").url == "/pembinaan/"


def test_login_page_locks_after_five_failures(client, ketua) -> None:
    for _ in range(5):
        client.post("/masuk/", {"username": ketua.username, "password": "salah"})
    locked = client.post("/masuk/", {"username": ketua.username, "password": "rahasia-uji-123"})
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_english_browser_still_gets_indonesian_until_the_user_chooses(client) -> None:
    page = client.get("/masuk/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Nama pengguna" in page
    assert 'lang="id"' in page
