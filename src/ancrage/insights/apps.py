from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "ancrage.insights"
    label = "insights"
    verbose_name = _("Overlap and coverage")
    default_auto_field = "django.db.models.BigAutoField"
