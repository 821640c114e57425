from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "ancrage.directory"
    label = "directory"
    verbose_name = _("Directory of services")
    default_auto_field = "django.db.models.BigAutoField"
