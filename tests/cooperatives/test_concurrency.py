"""Two board members move the stage at the same moment: the row lock lets exactly one win."""

import datetime
import threading

import pytest
from django.db import connection

from koperasi.core.errors import DomainError


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_stage_moves_record_one_change(coop, ketua, grant) -> None:
    from koperasi.cooperatives.models import Cooperative, StageChange
    from koperasi.cooperatives.services import cooperative_stage_change, legal_record_set

    sekretaris = grant(coop, "sekretaris")
    legal_record_set(
        cooperative=coop, kind="musyawarah", actor=ketua, status="terbit", issued_on=datetime.date(2025, 5, 24)
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(actor) -> None:
        try:
            barrier.wait(timeout=10)
            cooperative_stage_change(
                cooperative=Cooperative.objects.get(pk=coop.pk), to_stage="musyawarah", actor=actor
            )
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(u,)) for u in (ketua, sekretaris)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "stage_unchanged"]
    assert StageChange.objects.filter(cooperative=coop).count() == 2
    assert Cooperative.objects.get(pk=coop.pk).stage == "musyawarah"
