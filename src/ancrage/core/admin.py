from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ancrage.core.models import Audience, AuditEvent, Borough, ImmigrationStatus, Language, User


@admin.register(User)
class AncrageUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ("preferred_language",)}))


class ReferenceItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("code", "names")
    list_filter = ("is_active",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "names":
            field.widget = forms.Textarea(attrs={"rows": 4, "cols": 60})
        return field

    @admin.display(description="fr")
    def name_fr(self, obj):
        return obj.names.get("fr", "")

    @admin.display(description="en")
    def name_en(self, obj):
        return obj.names.get("en", "")


for reference_model in (Borough, ImmigrationStatus, Audience):
    admin.site.register(reference_model, ReferenceItemAdmin)


@admin.register(Language)
class LanguageAdmin(ReferenceItemAdmin):
    list_display = ("code", "name_fr", "name_en", "autonym", "is_rtl", "sort_order", "is_active")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, in the database as here."""

    list_display = (
        "at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "organization_id",
        "reason",
    )
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "target_id", "reason")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
