import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from koperasi.cooperatives.models import BusinessUnit, Cooperative, Facility, LegalRecord, Partner, StageChange
from koperasi.core.models import AuditEvent, CooperativeRole, RegionalRole

pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    models = [
        Cooperative,
        StageChange,
        LegalRecord,
        Facility,
        BusinessUnit,
        Partner,
        CooperativeRole,
        RegionalRole,
        AuditEvent,
    ]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["users"] = get_user_model().objects.count()
    return counts


def test_demo_follows_the_seed_articles_and_is_idempotent() -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "34 koperasi baru" in out.getvalue()
    stages = dict(Cooperative.objects.values_list("kelurahan__name", "stage"))
    assert len(stages) == 34
    assert {k for k, s in stages.items() if s == "pembangunan"} == {"Graha Indah", "Sepinggan Baru", "Manggar"}
    assert sum(1 for s in stages.values() if s == "beroperasi") == 7
    assert sum(1 for s in stages.values() if s == "usulan") == 24
    operating = Cooperative.objects.filter(stage="beroperasi")
    assert set(Partner.objects.filter(cooperative__in=operating).values_list("name", flat=True)) == {
        "Perum Bulog",
        "PT Pertamina Patra Niaga",
    }
    assert Partner.objects.filter(cooperative__in=operating).count() == 14
    assert Facility.objects.filter(cooperative__stage="pembangunan", kind="gerai").count() == 3
    # the demo coop's staff
    roles = set(
        CooperativeRole.objects.filter(cooperative__code="gunung-sari-ulu").values_list("user__username", "role")
    )
    assert {
        ("ketua", "ketua"),
        ("bendahara", "bendahara"),
        ("pengawas", "pengawas"),
        ("kasir", "kasir"),
        ("anggota", "anggota"),
    } <= roles
    assert RegionalRole.objects.filter(user__username="dinas", role="dinas", region_id="64.71").exists()
    assert get_user_model().objects.get(username="dinas").check_password("koperasi-demo")

    before = table_counts()
    call_command("load_demo", stdout=io.StringIO())
    assert table_counts() == before


def test_bootstrap_admin_needs_a_password(monkeypatch) -> None:
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="ADMIN_PASSWORD"):
        call_command("bootstrap_admin", stdout=io.StringIO())
    monkeypatch.setenv("ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="terlalu lemah"):
        call_command("bootstrap_admin", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
    monkeypatch.setenv("ADMIN_PASSWORD", "Kota-Balikpapan-2026")
    call_command("bootstrap_admin", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("Kota-Balikpapan-2026")
    assert RegionalRole.objects.filter(user=admin, role="admin").count() == 1
    assert Cooperative.objects.count() == 0  # a real set-up starts empty: reference data only
    call_command("bootstrap_admin", stdout=io.StringIO())
    assert get_user_model().objects.count() == 1
