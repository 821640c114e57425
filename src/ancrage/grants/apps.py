from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "ancrage.grants"
    label = "grants"
    verbose_name = _("Grant calls")
    default_auto_field = "django.db.models.BigAutoField"
