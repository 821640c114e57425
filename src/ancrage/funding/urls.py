"""Funding URLs (staff only): programs and rules, agreements and the portfolio, the advisor."""

from ancrage.funding import views, views_advisor, views_agreements

app_name = "funding"
urlpatterns = views.urlpatterns + views_agreements.urlpatterns + views_advisor.urlpatterns
