"""XLSForm interchange: import a questionnaire from an XLSForm file, export ours."""

urlpatterns: list = []
