"""Every tenant-owned model carries ``cooperative`` and every unique rule starts with it (DESIGN.md §8)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from koperasi.cooperatives.models import Cooperative

# Tables without a tenant, each with the reason. Anything not listed must be tenant-owned.
GLOBAL_MODELS = {
    "cooperatives.cooperative": "the tenant itself",
    "regions.region": "reference data shared by all cooperatives",
    "core.regionalrole": "a role over a region (Dinas) or the deployment (admin), not one cooperative",
    "core.apitoken": "a user's credential; users may serve several cooperatives",
    "core.auditevent": "also records actions outside any cooperative; carries cooperative when there is one",
    "shop.het": "price ceilings set by government for a region; reference data (DESIGN.md §5)",
}


def project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("koperasi.")]


def test_the_project_has_models_to_check() -> None:
    labels = {m._meta.label_lower for m in project_models()}
    assert {"cooperatives.facility", "cooperatives.legalrecord", "core.cooperativerole"} <= labels


@pytest.mark.parametrize(
    "model",
    [m for m in project_models() if m._meta.label_lower not in GLOBAL_MODELS],
    ids=lambda m: m._meta.label_lower,
)
def test_tenant_model_has_cooperative_and_scoped_uniques(model: type[models.Model]) -> None:
    field = model._meta.get_field("cooperative")
    assert isinstance(field, models.ForeignKey)
    assert field.related_model is Cooperative
    assert not field.null, "cooperative must be required"
    for f in model._meta.concrete_fields:
        assert not (f.unique and not f.primary_key), f"{f.name} is unique across cooperatives"
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert constraint.fields[0] == "cooperative", f"{constraint.name} must start with cooperative"
    for together in model._meta.unique_together:
        assert together[0] == "cooperative"
    for index in model._meta.indexes:
        assert index.fields[0] == "cooperative", f"index {index.name} must start with cooperative"


def test_global_models_exist() -> None:
    labels = {m._meta.label_lower for m in project_models()}
    assert set(GLOBAL_MODELS) <= labels, "remove stale entries from GLOBAL_MODELS"
