"""Admin: pseudonymous profiles and consents, read only. The identity vault is never listed here:
identities are read through the clients pages only, where each read is audited."""

from django.contrib import admin

from ancrage.clients.models import Client, ConsentOverride, ConsentRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Writes go through ancrage.clients.services (checks, version, audit), never the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ("code", "organization", "age_band", "arrived_quebec_on", "created_at")
    list_filter = ("organization",)
    search_fields = ("code",)
    exclude = ("created_by",)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("client", "purpose", "counterpart", "state", "decided_on", "expires_on")
    list_filter = ("purpose", "state")
    search_fields = ("client__code",)


@admin.register(ConsentOverride)
class ConsentOverrideAdmin(ReadOnlyAdmin):
    list_display = ("client", "purpose", "counterpart", "starts_on", "expires_on", "decided_by")
    search_fields = ("client__code",)
