"""Applications: the organization's project, logic model, budget, partners and co-applicants; submission; the overlap check."""

urlpatterns: list = []
