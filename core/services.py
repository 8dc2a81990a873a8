"""Writes that every app shares: the audit log and its seals."""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from .addresses import client_ip
from .audit_chain import ENTRY_FIELDS, SHORT_HASH, chain_digest, entry_hash
from .choices import AuditAction
from .models import AuditEntry, AuditSeal

logger = logging.getLogger(__name__)


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
    agency_id: int | None = None,
) -> AuditEntry:
    """One unsaved line of the audit log, for ``audit_record_many`` to append with others.
    ``actor`` may be None for system actions. ``agency_id``: the agency whose log shows the line
    (default the actor's), e.g. an agency whose routing space another agency's change touched."""
    authenticated = actor is not None and actor.is_authenticated
    if agency_id is None and authenticated:
        agency_id = getattr(actor, "agency_id", None)
    return AuditEntry(
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        agency_id=agency_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        detail=_storable(detail or {}),
        ip_address=client_ip(request),
    )


def _storable(value):
    """``value`` without NUL characters, which PostgreSQL refuses in a jsonb (the save failed
    with a 500): a detail may hold what a request carried, as an export's filters do."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(item) for item in value]
    return value


def audit_record_many(entries: list[AuditEntry]) -> None:
    """Append several lines with one insert (a worker's batch, a POST's one line)."""
    AuditEntry.objects.bulk_create(entries)


def _seal_cutoff(margin: timedelta):
    """Entries dated before this are committed or rolled back: now, or the start of the oldest
    transaction still open on this database if earlier, less ``margin`` for the clocks (an
    entry's ``at`` is the application's clock at its insert)."""
    if connection.vendor != "postgresql":
        return timezone.now() - margin
    with connection.cursor() as cursor:
        # Sessions of the app role are all visible to it; xact_start is NULL when none is open.
        cursor.execute(
            "SELECT LEAST(clock_timestamp(), MIN(xact_start)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] - margin


def audit_seal(*, batch: int = 5000, margin: timedelta | None = None) -> list[AuditSeal]:
    """Seal the entries written since the last seal, ``batch`` at most per seal, each seal in its
    own short transaction. Writers take no lock for this: only entries dated before the cutoff
    (``_seal_cutoff``) are sealed, so a transaction still running cannot later commit an entry
    into a sealed range. Two sealers at once: the second's seal breaks ``first_id``'s uniqueness
    and is rolled back."""
    if margin is None:
        margin = timedelta(seconds=settings.AUDIT_SEAL_MARGIN_SECONDS)
    seals = []
    while True:
        try:
            seal = _audit_seal_next(batch=batch, margin=margin)
        except IntegrityError:  # another sealer made this seal first: it goes on from there
            break
        if seal is None:
            break
        seals.append(seal)
    return seals


@transaction.atomic
def _audit_seal_next(*, batch: int, margin: timedelta) -> AuditSeal | None:
    previous = AuditSeal.objects.order_by("-id").first()
    after = previous.last_id if previous else 0
    cutoff = _seal_cutoff(margin)
    settled = list(AuditEntry.objects.filter(id__gt=after, at__lt=cutoff).order_by("id").values_list("id", flat=True)[:batch])
    if not settled:
        return None
    last_id = settled[-1]
    rows = list(AuditEntry.objects.filter(id__gt=after, id__lte=last_id).order_by("id").values(*ENTRY_FIELDS))
    hashes = [entry_hash(row) for row in rows]
    seal = AuditSeal(
        previous=previous, first_id=rows[0]["id"], last_id=last_id, count=len(rows),
        entry_ids=[row["id"] for row in rows], entry_hashes=[h[:SHORT_HASH] for h in hashes],
        digest=chain_digest(previous.digest if previous else "", hashes), cutoff=cutoff,
    )
    seal.save()
    # The log line is a copy of the chain's head outside the database: compare it with
    # audit_verify's to catch a chain rewritten by someone who can write the seals.
    logger.info("audit seal %s: entries %s-%s (%s), digest %s", seal.pk, seal.first_id, last_id, len(rows), seal.digest)
    return seal
