import pytest

from koperasi.cooperatives.choices import PRESCRIBED_UNITS
from koperasi.cooperatives.models import BusinessUnit, Cooperative, StageChange
from koperasi.cooperatives.services import cooperative_register
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, int, int, int]:
    return (
        Cooperative.objects.count(),
        StageChange.objects.count(),
        BusinessUnit.objects.count(),
        AuditEvent.objects.count(),
    )


def test_register_creates_the_seven_prescribed_units_and_first_history_row(admin_user) -> None:
    coop = cooperative_register(
        code="graha-indah", name="KKMP Graha Indah", kelurahan_code="64.71.03.1006", actor=admin_user
    )
    assert coop.stage == "usulan"
    assert coop.kecamatan_code == "64.71.03"
    assert list(BusinessUnit.objects.filter(cooperative=coop).values_list("code", flat=True)) == [
        code for code, _ in PRESCRIBED_UNITS
    ]
    assert BusinessUnit.objects.filter(cooperative=coop, is_prescribed=True, status="belum").count() == 7
    history = list(StageChange.objects.filter(cooperative=coop).values_list("from_stage", "to_stage"))
    assert history == [("", "usulan")]


def test_an_existing_cooperative_may_register_at_any_stage(admin_user) -> None:
    coop = cooperative_register(
        code="damai",
        name="KKMP Damai",
        kelurahan_code="64.71.06.1005",
        stage="beroperasi",
        route="pengembangan",
        actor=admin_user,
    )
    assert coop.stage == "beroperasi"
    assert coop.route == "pengembangan"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kelurahan_code": "64.71.99.9999"}, "kelurahan_code"),
        ({"kelurahan_code": "64.71.01"}, "kelurahan_code"),  # a kecamatan, not a kelurahan
        ({"code": "X"}, "code"),
        ({"code": "bad code!"}, "code"),
        ({"name": "  "}, "name"),
        ({"stage": "selesai"}, "stage"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(admin_user, kwargs, field) -> None:
    before = snapshot()
    data = {"code": "lamaru", "name": "KKMP Lamaru", "kelurahan_code": "64.71.01.1002", **kwargs}
    with pytest.raises(ValidationError) as exc:
        cooperative_register(actor=admin_user, **data)
    assert field in exc.value.detail
    assert snapshot() == before


def test_a_second_cooperative_for_the_same_kelurahan_is_refused(coop, admin_user) -> None:
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        cooperative_register(
            code="manggar-2", name="KKMP Manggar Dua", kelurahan_code="64.71.01.1001", actor=admin_user
        )
    assert exc.value.code == "coop_kelurahan_taken"
    assert "sudah memiliki koperasi aktif" in exc.value.message
    assert snapshot() == before


def test_a_taken_code_is_refused(coop, admin_user) -> None:
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        cooperative_register(code="manggar", name="Lain", kelurahan_code="64.71.01.1002", actor=admin_user)
    assert exc.value.code == "coop_code_taken"
    assert snapshot() == before


def test_the_database_itself_refuses_two_active_cooperatives_in_one_kelurahan(coop) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Cooperative.objects.create(code="manggar-x", name="X", kelurahan_id="64.71.01.1001", stage="usulan")
    # An inactive cooperative does not block its kelurahan.
    Cooperative.objects.create(code="manggar-lama", name="Lama", kelurahan_id="64.71.01.1001", stage="nonaktif")
