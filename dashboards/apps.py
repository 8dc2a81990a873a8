from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("领导驾驶舱")

    def ready(self):
        from django.conf import settings

        from . import signals
        from .constants import REFRESH_SECONDS

        signals.connect()
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "dashboards-refresh-rollups", {"task": "dashboards.tasks.refresh_rollups", "schedule": REFRESH_SECONDS}
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "dashboards-close-periods", {"task": "dashboards.tasks.close_finished_periods", "schedule": 3600.0}
        )
