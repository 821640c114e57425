"""Results per question, language and period (through core.privacy.suppress), exports, and "you said, we did"."""

urlpatterns: list = []
