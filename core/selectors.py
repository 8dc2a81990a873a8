"""Reads of the platform's foundation that are more than a filter: the audit chain check."""

from dataclasses import dataclass

from .audit_chain import ENTRY_FIELDS, SHORT_HASH, chain_digest, entry_hash
from .models import AuditEntry, AuditSeal


@dataclass(frozen=True)
class AuditProblem:
    """One finding of the chain check: ``kind`` is changed, deleted, inserted, seal or late."""

    kind: str
    message: str
    entry_id: int | None = None
    seal_id: int | None = None


@dataclass
class AuditChainReport:
    seals: int = 0
    sealed_entries: int = 0
    unsealed_entries: int = 0
    head_digest: str = ""
    problems: list[AuditProblem] | None = None


def audit_chain_check() -> AuditChainReport:
    """Recompute every seal from the entries now in the table and compare.

    Each seal covers the ids above the previous seal's last id up to its own: an id it lists
    that is gone was deleted, an id in its range that it does not list was inserted afterwards,
    an entry whose hash differs was changed. The digests are recomputed in chain order, so a
    seal edited to match a changed entry breaks its own digest and, edited too, the next seal's.
    Entries above the last seal are not sealed yet; one dated before that seal's cutoff was
    inserted after the seal was made (the sealer would have sealed it), with a back-dated time.
    """
    report = AuditChainReport(problems=[])
    problems = report.problems
    previous_id, previous_digest, after, cutoff = None, "", 0, None
    for seal in AuditSeal.objects.order_by("id").iterator(chunk_size=100):
        report.seals += 1
        if seal.previous_id != previous_id or seal.first_id <= after:
            problems.append(AuditProblem("seal", "seal %s does not follow seal %s" % (seal.pk, previous_id), seal_id=seal.pk))
        if not (seal.count == len(seal.entry_ids) == len(seal.entry_hashes)):
            problems.append(AuditProblem("seal", "seal %s: count %s does not match its lists" % (seal.pk, seal.count), seal_id=seal.pk))
        rows = {row["id"]: row for row in
                AuditEntry.objects.filter(id__gt=after, id__lte=seal.last_id).order_by("id").values(*ENTRY_FIELDS)}
        hashes = []
        for entry_id, short in zip(seal.entry_ids, seal.entry_hashes):
            row = rows.pop(entry_id, None)
            if row is None:
                problems.append(AuditProblem("deleted", "entry %s (seal %s) was deleted" % (entry_id, seal.pk),
                                             entry_id=entry_id, seal_id=seal.pk))
                hashes.append(short)  # cannot be recomputed; the digest check fails below
                continue
            value = entry_hash(row)
            hashes.append(value)
            if value[:SHORT_HASH] != short:
                problems.append(AuditProblem("changed", "entry %s (seal %s) was changed" % (entry_id, seal.pk),
                                             entry_id=entry_id, seal_id=seal.pk))
        for entry_id in rows:  # left over: in the seal's range, not in the seal
            problems.append(AuditProblem("inserted", "entry %s was inserted into sealed range of seal %s" % (entry_id, seal.pk),
                                         entry_id=entry_id, seal_id=seal.pk))
        if chain_digest(previous_digest, hashes) != seal.digest:
            problems.append(AuditProblem("seal", "seal %s: digest does not match its entries and chain" % seal.pk, seal_id=seal.pk))
        report.sealed_entries += len(seal.entry_ids)
        previous_id, previous_digest, after, cutoff = seal.pk, seal.digest, seal.last_id, seal.cutoff
    unsealed = AuditEntry.objects.filter(id__gt=after)
    report.unsealed_entries = unsealed.count()
    if cutoff is not None:
        for entry_id in unsealed.filter(at__lt=cutoff).order_by("id").values_list("id", flat=True):
            problems.append(AuditProblem("late", "entry %s is dated before the last seal but was not in it" % entry_id,
                                         entry_id=entry_id))
    report.head_digest = previous_digest
    return report
