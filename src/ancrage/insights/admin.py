"""Reference data of the insights app: the newcomer population of each borough (editable)."""

from django.contrib import admin

from .models import CoverageDemand


@admin.register(CoverageDemand)
class CoverageDemandAdmin(admin.ModelAdmin):
    list_display = ("borough", "newcomer_population", "source")
    list_editable = ("newcomer_population",)
    search_fields = ("borough__code",)
