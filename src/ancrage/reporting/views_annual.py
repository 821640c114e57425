"""Pages of the annual activity report and the plain-language report to members."""

urlpatterns: list = []
