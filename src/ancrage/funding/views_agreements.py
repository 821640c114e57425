"""Pages of agreements, amounts, targets, the funding portfolio and renewals."""

urlpatterns: list = []
