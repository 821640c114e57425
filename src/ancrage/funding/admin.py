"""Programs and rule versions are browsed here; they are written on the funding pages
(/funding/), whose form builds and checks the conditions and closes the previous version —
an edit in the admin would bypass those checks and the audit log."""

from django.contrib import admin

from ancrage.funding.models import EligibilityRule, FundingProgram


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RuleInline(admin.TabularInline):
    model = EligibilityRule
    fields = ("valid_from", "valid_to", "conditions", "note", "created_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FundingProgram)
class FundingProgramAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "funder", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code",)
    inlines = [RuleInline]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(ReadOnlyAdmin):
    list_display = ("program", "valid_from", "valid_to", "note")
    list_filter = ("program",)
    date_hierarchy = "valid_from"
