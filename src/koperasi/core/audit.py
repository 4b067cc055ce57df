"""Write an audit row in the caller's transaction (DESIGN.md rule 8)."""

from __future__ import annotations

from typing import Any

from django.db import models

from koperasi.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    cooperative: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; call it inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        cooperative=cooperative,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
