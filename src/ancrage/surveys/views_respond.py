"""The respondent's pages: no login, language first, one page per question group, works on a phone without JavaScript; the kiosk."""

urlpatterns: list = []
