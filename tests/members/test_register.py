"""Registering members: numbers, NIK once per cooperative, refusals that name the field."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.members.models import Member, MemberStatusChange
from koperasi.members.services import member_register, member_update
from koperasi.savings.services import member_exit
from tests.conftest import NIK_MAN, NIK_WOMAN

pytestmark = pytest.mark.django_db


def test_register_gives_number_one_as_calon_with_derived_fields(coop: Any, register_member: Any) -> None:
    member = register_member(coop)
    assert (member.member_no, member.number, member.status) == (1, "00001", "calon")
    assert (member.gender, member.birth_date) == ("L", datetime.date(1985, 5, 15))
    assert member.phone == "+6281234567890"
    assert member.kelurahan_id == coop.kelurahan_id  # the cooperative's kelurahan by default
    assert list(MemberStatusChange.objects.filter(member=member).values_list("from_status", "to_status")) == [
        ("", "calon")
    ]
    assert AuditEvent.objects.filter(action="member.register", object_id=str(member.pk)).count() == 1


def test_numbers_count_up_per_cooperative(coop: Any, other_coop: Any, register_member: Any) -> None:
    first = register_member(coop)
    second = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    elsewhere = register_member(other_coop)  # the same person may join another cooperative
    assert (first.member_no, second.member_no, elsewhere.member_no) == (1, 2, 1)
    assert second.gender == "P"


def test_same_nik_twice_refused_and_nothing_written(coop: Any, register_member: Any) -> None:
    first = register_member(coop)
    with pytest.raises(Conflict) as exc:
        register_member(coop, name="Budi Lain")
    assert exc.value.code == "member_nik_taken"
    assert "00001" in exc.value.message
    assert exc.value.detail["nik"]
    assert Member.objects.filter(cooperative=coop).count() == 1
    assert Member.objects.get().pk == first.pk


def test_former_member_may_rejoin_with_a_new_number(coop: Any, active_member: Any, admin_user: Any) -> None:
    member_exit(
        cooperative=coop,
        member=active_member,
        status="keluar",
        date=datetime.date(2026, 3, 1),
        reason="Pindah",
        actor=admin_user,
    )
    again = member_register(
        cooperative=coop,
        data={"nik": NIK_MAN, "kk": "6471040101100003", "name": "Budi Santoso", "address": "Jl. Baru 1"},
        actor=admin_user,
    )
    assert again.member_no == 2  # number 1 is never reused
    assert Member.objects.filter(cooperative=coop, nik=NIK_MAN).count() == 2
    assert Member.objects.get(pk=active_member.pk).status == "keluar"


def test_every_refusal_names_its_field(coop: Any, admin_user: Any) -> None:
    data = {
        "nik": "6471043102850001",
        "kk": "123",
        "name": "",
        "address": "",
        "kelurahan_code": "99.99.99.9999",
        "phone": "+1 555",
        "joined_on": "kemarin",
    }
    with pytest.raises(ValidationError) as exc:
        member_register(cooperative=coop, data=data, actor=admin_user)
    assert set(exc.value.detail) == {"nik", "kk", "name", "address", "kelurahan_code", "phone", "joined_on"}
    assert "tanggal lahir" in exc.value.detail["nik"][0]
    assert Member.objects.count() == 0
    assert AuditEvent.objects.filter(action="member.register").count() == 0


def test_joined_in_the_future_refused(coop: Any, register_member: Any) -> None:
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        register_member(coop, joined_on=tomorrow.isoformat())
    assert "masa depan" in exc.value.detail["joined_on"][0]


def test_update_corrects_nik_and_rederives_gender(coop: Any, register_member: Any, admin_user: Any) -> None:
    member = register_member(coop, name="Siti Aminah")
    updated = member_update(cooperative=coop, member=member, data={"nik": NIK_WOMAN}, actor=admin_user)
    assert (updated.nik, updated.gender, updated.member_no) == (NIK_WOMAN, "P", 1)


def test_update_of_another_cooperatives_member_is_not_found(
    coop: Any, other_coop: Any, register_member: Any, admin_user: Any
) -> None:
    member = register_member(coop)
    with pytest.raises(NotFound):
        member_update(cooperative=other_coop, member=member, data={"name": "X"}, actor=admin_user)
    assert Member.objects.get(pk=member.pk).name == "Budi Santoso"


def test_an_officer_who_is_a_member_is_linked_and_gains_the_anggota_role(
    coop: Any, active_member: Any, ketua: Any, admin_user: Any
) -> None:
    from koperasi.core.models import CooperativeRole
    from koperasi.members.services import member_user_link

    member_user_link(cooperative=coop, member=active_member, user=ketua, actor=admin_user)
    assert Member.objects.get(pk=active_member.pk).user_id == ketua.pk
    assert set(CooperativeRole.objects.filter(user=ketua, cooperative=coop).values_list("role", flat=True)) == {
        "ketua",
        "anggota",
    }
    assert AuditEvent.objects.filter(action="member.portal_link", object_id=str(active_member.pk)).count() == 1


def test_linking_refuses_outsiders_and_double_links(
    coop: Any, other_coop: Any, active_member: Any, register_member: Any, ketua: Any, other_ketua: Any, admin_user: Any
) -> None:
    from koperasi.members.services import member_user_link

    with pytest.raises(Conflict) as exc:  # a user of another cooperative gains nothing here
        member_user_link(cooperative=coop, member=active_member, user=other_ketua, actor=admin_user)
    assert exc.value.code == "user_not_in_cooperative"
    with pytest.raises(NotFound):  # another cooperative's member
        member_user_link(cooperative=other_coop, member=active_member, user=other_ketua, actor=admin_user)
    member_user_link(cooperative=coop, member=active_member, user=ketua, actor=admin_user)
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti")
    with pytest.raises(Conflict) as exc:
        member_user_link(cooperative=coop, member=siti, user=ketua, actor=admin_user)
    assert exc.value.code == "user_is_other_member"
    assert Member.objects.get(pk=siti.pk).user_id is None
