"""Writes that every app shares: the audit log."""

from typing import Any

from django.db import models

from .choices import AuditAction
from .models import AuditEntry


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(**fields) -> AuditEntry:
    """Append one line to the audit log (arguments as ``audit_entry``)."""
    entry = audit_entry(**fields)
    entry.save()
    return entry


def audit_entry(
    *,
    actor,
    action: str | AuditAction,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request=None,
) -> AuditEntry:
    """One unsaved line of the audit log, for ``audit_record_many`` to append with others.
    ``actor`` may be None for system actions."""
    authenticated = actor is not None and actor.is_authenticated
    return AuditEntry(
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        agency_id=getattr(actor, "agency_id", None) if authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        detail=detail or {},
        ip_address=client_ip(request),
    )


def audit_record_many(entries: list[AuditEntry]) -> None:
    """Append several lines with one insert (a worker's batch, a POST's one line)."""
    AuditEntry.objects.bulk_create(entries)
