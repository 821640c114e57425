"""Staff pages of questionnaires: the library, copying, editing, translations, surveys and their links, QR codes and posters."""

urlpatterns: list = []
