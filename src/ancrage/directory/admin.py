"""The directory in the Django admin: for the project's administrators, to look and mend.

Staff describe services through the staff pages (drafts, review, history); here, the content of a
service and its revisions is read-only, so the admin never bypasses `services.py`. Reference
vocabularies (taxonomies) and review requirements are editable.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ancrage.directory.models import (
    Contact,
    Program,
    ReviewRequirement,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceRevision,
    Taxonomy,
    TaxonomyTerm,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ServiceAtLocationInline(ReadOnlyInline):
    model = ServiceAtLocation
    fields = ("location", "descriptions")


class ScheduleInline(ReadOnlyInline):
    model = Schedule
    fields = (
        "freq",
        "interval",
        "byday",
        "bymonthday",
        "opens_at",
        "closes_at",
        "service_at_location",
    )


class ContactInline(ReadOnlyInline):
    model = Contact
    fields = ("name", "title", "email", "phone")


class RevisionInline(ReadOnlyInline):
    model = ServiceRevision
    fields = ("number", "state", "author", "created_at", "decided_by", "decided_at", "comment")
    ordering = ("-number",)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "label",
        "organization",
        "status",
        "is_published",
        "assured_date",
        "last_modified",
    )
    list_filter = ("is_published", "status", "is_free")
    search_fields = ("organization__name", "alternate_name", "names")
    date_hierarchy = "assured_date"
    list_select_related = ("organization",)
    inlines = [ServiceAtLocationInline, ScheduleInline, ContactInline, RevisionInline]

    def get_readonly_fields(self, request, obj=None):
        return [
            f.name for f in self.model._meta.get_fields() if f.concrete and not f.auto_created
        ] + [
            "id",
            "created_at",
            "last_modified",
        ]

    def has_add_permission(self, request) -> bool:
        return False  # a service is born as a draft on the staff pages

    @admin.display(description=_("name"))
    def label(self, obj: Service) -> str:
        return obj.name or str(obj.pk)


@admin.register(ServiceRevision)
class ServiceRevisionAdmin(admin.ModelAdmin):
    list_display = ("service", "number", "state", "author", "created_at", "decided_at")
    list_filter = ("state",)
    search_fields = ("service__organization__name", "comment")
    list_select_related = ("service", "author")
    readonly_fields = (
        "service",
        "number",
        "state",
        "content",
        "author",
        "created_at",
        "decided_by",
        "decided_at",
        "comment",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the history is kept


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organization", "alternate_name")
    search_fields = ("organization__name", "alternate_name", "names")
    autocomplete_fields = ("organization",)


@admin.register(ReviewRequirement)
class ReviewRequirementAdmin(admin.ModelAdmin):
    list_display = ("organization", "required_by", "since", "reason")
    search_fields = ("organization__name", "reason")
    autocomplete_fields = ("organization",)
    readonly_fields = ("required_by", "since")


class TaxonomyTermInline(admin.TabularInline):
    model = TaxonomyTerm
    extra = 0
    fields = ("code", "names", "parent", "sort_order")
    fk_name = "taxonomy"


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "uri")
    inlines = [TaxonomyTermInline]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "taxonomy", "sort_order")
    list_filter = ("taxonomy",)
    search_fields = ("code",)
