"""Reporting URLs (staff only): accountability reports to funders, annual reports."""

from ancrage.reporting import views, views_annual

app_name = "reporting"
urlpatterns = views.urlpatterns + views_annual.urlpatterns
