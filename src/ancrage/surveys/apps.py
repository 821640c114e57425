from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "ancrage.surveys"
    label = "surveys"
    verbose_name = _("Surveys and round tables")
    default_auto_field = "django.db.models.BigAutoField"
