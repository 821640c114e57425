"""Round tables: members, meetings and minutes, recommendations followed to an answer, the public tracker."""

urlpatterns: list = []
