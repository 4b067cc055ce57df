import pytest
from django.db import IntegrityError, InternalError, transaction

from koperasi.core.models import AuditEvent


@pytest.mark.django_db
def test_registration_writes_an_audit_row_in_the_same_transaction(coop, admin_user) -> None:
    event = AuditEvent.objects.get(action="cooperative.register", cooperative=coop)
    assert event.actor == admin_user
    assert event.object_type == "cooperatives.cooperative"
    assert event.object_id == str(coop.pk)
    assert event.data["kelurahan"] == "64.71.01.1001"


@pytest.mark.django_db
def test_audit_log_refuses_update_and_delete_in_the_database(coop) -> None:
    event = AuditEvent.objects.filter(cooperative=coop).first()
    assert event is not None
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == "cooperative.register"
