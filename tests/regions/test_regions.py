import pytest
from django.core.management import CommandError, call_command

from koperasi.regions.codes import level_of, parent_of
from koperasi.regions.models import Region
from koperasi.regions.selectors import village_list

pytestmark = pytest.mark.django_db


def test_balikpapan_is_loaded_by_migration() -> None:
    """domain.md §9.1: 6 kecamatan, 34 kelurahan (4+6+6+6+7+5)."""
    assert Region.objects.get(code="64.71").name == "Kota Balikpapan"
    assert Region.objects.filter(level="kecamatan", parent_id="64.71").count() == 6
    per_kecamatan = [
        village_list(within=k).count() for k in ("64.71.01", "64.71.02", "64.71.03", "64.71.04", "64.71.05", "64.71.06")
    ]
    assert per_kecamatan == [4, 6, 6, 6, 7, 5]
    assert village_list(within="64.71").count() == 34
    assert Region.objects.get(code="64.71.05.1010").name == "Sungainangka"
    assert not Region.objects.filter(code="64.71.05.1001").exists()  # moved to Balikpapan Kota; never renumbered


def test_code_shapes() -> None:
    assert level_of("64") == "provinsi"
    assert level_of("64.71") == "kota"
    assert level_of("64.02") == "kabupaten"
    assert level_of("64.71.01") == "kecamatan"
    assert level_of("64.71.01.1001") == "kelurahan"
    assert level_of("64.02.01.2001") == "desa"
    assert parent_of("64.71.01.1001") == "64.71.01"
    assert parent_of("64") is None
    for bad in ("6", "64.7", "64.71.1", "64.71.01.101", "ab.cd"):
        with pytest.raises(ValueError):
            level_of(bad)


def test_load_more_regions_from_csv(tmp_path) -> None:
    csv = tmp_path / "samarinda.csv"
    csv.write_text(
        "code,name\n64.72,Kota Samarinda\n64.72.01,Palaran\n64.72.01.1001,Rawa Makmur\n64.71,Kota Balikpapan\n",
        encoding="utf-8",
    )
    call_command("load_regions", str(csv))
    assert Region.objects.get(code="64.72.01.1001").parent_id == "64.72.01"
    assert Region.objects.get(code="64.72.01.1001").level == "kelurahan"
    count = Region.objects.count()
    call_command("load_regions", str(csv))  # idempotent
    assert Region.objects.count() == count


@pytest.mark.parametrize(
    "content",
    [
        "code,name\n64.73.01.1001,Tanpa Induk\n",  # parent missing
        "code,name\n64.7x,Salah\n",
        "code,name\n64.72,\n",
        "kode,nama\n64.72,Kota Samarinda\n",
    ],
)
def test_bad_csv_changes_nothing(tmp_path, content) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(content, encoding="utf-8")
    count = Region.objects.count()
    with pytest.raises(CommandError):
        call_command("load_regions", str(csv))
    assert Region.objects.count() == count
