from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecapsConfig(AppConfig):
    name = "kaisai.recaps"
    label = "recaps"
    verbose_name = _("Recaps")
