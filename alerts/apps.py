from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("协查请求")

    def ready(self):
        from django.conf import settings

        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "alerts-escalate-overdue", {"task": "alerts.tasks.escalate_overdue", "schedule": 30.0}
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "alerts-sweep-outbox", {"task": "alerts.tasks.sweep_outbox", "schedule": 10.0}
        )
