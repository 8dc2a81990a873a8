import copy

from rest_framework import serializers

from core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id", "at", "actor_username", "agency", "action",
            "object_type", "object_id", "object_repr", "detail", "ip_address",
        ]
        read_only_fields = fields


class InputSerializer(serializers.Serializer):
    """A ``Serializer`` whose fields are shallow copies of the declared ones, not deep copies.

    DRF gives every serializer instance its own copy of the declared fields with
    ``copy.deepcopy``, which re-runs each field's constructor (its validators made anew) and
    deep-copies its arguments: choices, labels, the querysets of related fields. For the
    request-create form that was 0.74 ms of the 1.0 ms its validation took, on every POST; re-
    making each field from its arguments still left it a tenth of the server's CPU under
    bench/bench_requests.py. A field's per-use state is what ``bind`` sets on it (its name, its
    parent, its source), on the copy; the rest (choices, labels, the queryset, which related
    fields clone on each use) is only read after construction, so the copies share it with the
    declared field, which DRF itself never binds. The list of validators is copied, as a
    serializer's ``__init__`` may add to it; the error messages are shared (replace a field's
    dict rather than change it in place: copying it cost 2 % of a POST). Nested serializers and
    fields with a child (a list's items, a many-related field's relation) are still deep-copied:
    the child is bound to its parent at construction.
    """

    def get_fields(self):
        return {name: _unbound_copy(field) for name, field in self._declared_fields.items()}


def _unbound_copy(field):
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    clone = object.__new__(field.__class__)
    clone.__dict__.update(field.__dict__)
    # A serializer's __init__ may add validators to a field: to its own list, not the declared one.
    if "_validators" in clone.__dict__:
        clone._validators = list(clone._validators)
    return clone
