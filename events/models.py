from django.db import models
from django.utils.translation import gettext_lazy as _

from core.datetimes import iso_local
from core.querysets import RestrictedQuerySet


class EventQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if action != "view":
            return self.none()
        return self.filter(agency_id=user.agency_id).filter(
            models.Q(role="") | models.Q(role=user.role)
        )


class Event(models.Model):
    """One thing that happened, as one receiving agency may see it.

    An action that concerns several agencies writes one row per receiver, each carrying only
    what that receiver may see (a bank gets the request's minimal view, never the victims).
    The row is the truth; the WebSocket push is only a hint. Ids only grow, so a client that
    remembers the last id it saw can ask for everything after it.
    """

    # Indexes: only the primary key and (agency, id), which is how the stream is read. Each
    # move writes a row per receiver, so every other index was paid several times per move
    # (kind, case_id_ref and agency alone had one each, and nothing filters on them).
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("事件类型"), max_length=40)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("接收单位"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Empty: every role of the agency; otherwise only that role (e.g. escalations to supervisors).
    role = models.CharField(_("接收角色"), max_length=20, blank=True, default="")
    case_id_ref = models.BigIntegerField(_("案件"), null=True, blank=True)
    payload = models.JSONField(_("内容"), default=dict)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["id"]
        indexes = [models.Index(fields=["agency", "id"])]

    def __str__(self):
        return f"{self.id} {self.kind} -> {self.agency_id}"

    def as_message(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "case": self.case_id_ref,
            "at": iso_local(self.created_at),  # the API's one rule: +08:00 (core.datetimes)
            "payload": self.payload,
        }


class StagedEvent(models.Model):
    """An event stored with the change that caused it, waiting for its place in the stream.

    ``events.services.events_publish`` moves staged rows into ``Event`` after the commit, in
    staging order, under one lock, so that event ids become visible in id order. Rows live here
    for milliseconds; the table stays small however long the stream grows.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=40)
    agency_id = models.BigIntegerField()
    role = models.CharField(max_length=20, blank=True, default="")
    case_id_ref = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("待发布事件")
        verbose_name_plural = _("待发布事件")
