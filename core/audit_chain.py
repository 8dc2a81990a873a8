"""The audit log's hash chain: how an entry is serialised and hashed, and how a seal's digest
is chained to the previous one (``AuditSeal``). Shared by the sealer (``core.services``) and the
check (``core.selectors.audit_chain_problems``), so both hash exactly the same bytes."""

import hashlib
import json
from datetime import UTC

# The stored columns of an entry, all of them: a change to any is a change to the log.
ENTRY_FIELDS = ("id", "at", "actor_id", "actor_username", "agency_id", "action", "object_type",
                "object_id", "object_repr", "detail", "ip_address")
SHORT_HASH = 16


def entry_canonical(row: dict) -> bytes:
    """One entry (a ``values(*ENTRY_FIELDS)`` row) as canonical JSON: sorted keys, UTC time to
    the microsecond, no whitespace."""
    values = {**row, "at": row["at"].astimezone(UTC).isoformat(timespec="microseconds")}
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def entry_hash(row: dict) -> str:
    return hashlib.sha256(entry_canonical(row)).hexdigest()


def chain_digest(previous_digest: str, entry_hashes: list[str]) -> str:
    """sha256(previous seal's digest, then each entry's hash in id order)."""
    digest = hashlib.sha256(previous_digest.encode())
    for value in entry_hashes:
        digest.update(value.encode())
    return digest.hexdigest()
