"""The one field type of the identity vault: text encrypted at rest."""

from typing import Any

from django.db import models

from ancrage.clients import vault


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token (ciphertext), decrypted when the row is loaded.

    Every value is encrypted, the empty string too, so the table does not tell which fields were
    filled. Encryption is randomized: the column cannot be filtered or sorted on, and lookups
    other than `isnull` are refused (use the blind index in `IdentityToken`).
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return vault.decrypt(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None:
            return None
        return vault.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None
