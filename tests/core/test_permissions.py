from koperasi.core.permissions import PERMISSIONS, Action, can
from koperasi.core.roles import Role


def test_every_action_has_a_row() -> None:
    assert set(PERMISSIONS) == set(Action)


def test_kasir_cannot_do_a_ketua_action() -> None:
    assert can({Role.KETUA}, Action.COOP_STAGE_CHANGE)
    assert not can({Role.KASIR}, Action.COOP_STAGE_CHANGE)
    assert not can({Role.KASIR}, Action.COOP_USERS_MANAGE)
    assert can({Role.KASIR}, Action.COOP_VIEW)


def test_only_admin_creates_cooperatives_and_grants_ketua() -> None:
    for role in Role:
        assert can({role}, Action.COOP_CREATE) == (role == Role.ADMIN)
        assert can({role}, Action.COOP_GRANT_KETUA) == (role == Role.ADMIN)


def test_dinas_reads_but_never_writes_a_cooperative() -> None:
    assert can({Role.DINAS}, Action.COOP_VIEW)
    assert can({Role.DINAS}, Action.OVERSIGHT_VIEW)
    for action in (Action.COOP_PROFILE_EDIT, Action.COOP_STAGE_CHANGE, Action.COOP_USERS_MANAGE, Action.COOP_CREATE):
        assert not can({Role.DINAS}, action)
