from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropagandaConfig(AppConfig):
    name = "propaganda"
    verbose_name = _("反诈宣传")
