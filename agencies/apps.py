from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("成员单位")

    def ready(self):
        from . import signals  # noqa: F401  (login/logout audit)
