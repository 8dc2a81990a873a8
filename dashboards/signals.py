"""Mark the rollup days a change counts on, in the same transaction as the change.

Receivers stay thin: they compute local days from the saved row and insert marks; the
recomputing happens in ``rollups.refresh_dirty``. Connected in ``DashboardsConfig.ready``.
"""

from django.db.models.signals import post_delete, post_save

from .rollups import CASE_FIELDS_COUNTED, local_day, mark_days


def _case_changed(sender, instance, update_fields=None, **kwargs):
    # A save of fields no rollup reads (priority, assignee, ring ...) cannot change a figure.
    if update_fields is not None and not CASE_FIELDS_COUNTED.intersection(update_fields):
        return
    mark_days([local_day(instance.reported_at)])


def _victim_changed(sender, instance, **kwargs):
    from cases.models import Case

    reported = Case.objects.filter(pk=instance.case_id).values_list("reported_at", flat=True).first()
    mark_days([local_day(reported)])


def _request_changed(sender, instance, created=False, **kwargs):
    # A new request from alerts.services.request_create leaves its mark to its delivery batch,
    # which saves it (or, if a clerk moved it first, that move did) moments later.
    if created and getattr(instance, "rollup_mark_deferred", False):
        return
    # Every request figure is dated by the issue day (see RegionDaily, RequestDaily).
    mark_days([local_day(instance.created_at)])


def _signal_changed(sender, instance, **kwargs):
    mark_days([local_day(instance.received_at)])


def _proposal_changed(sender, instance, **kwargs):
    mark_days([local_day(instance.decided_at)])


def connect() -> None:
    from alerts.models import Request, ReturnProposal, Signal
    from cases.models import Case, Victim

    for model, receiver in ((Case, _case_changed), (Victim, _victim_changed), (Request, _request_changed),
                            (Signal, _signal_changed), (ReturnProposal, _proposal_changed)):
        uid = "dashboards.%s" % model.__name__
        post_save.connect(receiver, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + ".delete")
