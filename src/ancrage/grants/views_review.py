"""Review: assignments with conflict-of-interest checks, scores per criterion, the committee's ranking."""

urlpatterns: list = []
