"""Surveys URLs: questionnaires, respondents' pages, results, XLSForm, round tables."""

from ancrage.surveys import (
    views_questionnaires,
    views_respond,
    views_results,
    views_roundtables,
    views_xlsform,
)

app_name = "surveys"
urlpatterns = (
    views_questionnaires.urlpatterns
    + views_respond.urlpatterns
    + views_results.urlpatterns
    + views_xlsform.urlpatterns
    + views_roundtables.urlpatterns
)
