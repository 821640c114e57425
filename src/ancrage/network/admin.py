from django.contrib import admin

from ancrage.network.models import Membership, Organization, Partnership, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ("name", "kind", "borough", "street_address", "postal_code", "is_active")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "acronym",
        "kind",
        "borough",
        "is_autonomous_community_action",
        "is_synthetic",
    )
    list_filter = ("kind", "is_autonomous_community_action", "is_synthetic", "borough")
    search_fields = ("name", "acronym")
    filter_horizontal = ("boroughs_served",)
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "kind", "borough", "is_active")
    list_filter = ("kind", "borough", "is_active")
    search_fields = ("name", "organization__name", "street_address")
    autocomplete_fields = ("organization",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "started_on", "ended_on")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "user__last_name", "organization__name")
    autocomplete_fields = ("user", "organization")
    filter_horizontal = ("sites",)


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ("organization", "partner", "started_on", "ended_on")
    search_fields = ("organization__name", "partner__name")
    autocomplete_fields = ("organization", "partner")
