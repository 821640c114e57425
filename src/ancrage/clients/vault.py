"""The identity vault's cryptography: encryption at rest and the keyed blind index.

Encryption: Fernet (AES-128-CBC + HMAC-SHA256, authenticated) behind a MultiFernet made of
`settings.ANCRAGE_VAULT_KEYS`, newest first: the newest key encrypts, every listed key decrypts,
and `ancrage vault-rotate` re-encrypts every row with the newest one so that old keys can go.

Blind index: to find a client by a few letters of the name without decrypting every row, each
identity stores keyed digests (HMAC-SHA256, key `settings.ANCRAGE_VAULT_INDEX_KEY` derived per
organization) of its normalized name tokens and of their prefixes of three letters or more, of
its date of birth and of its file numbers. A lookup computes the same digests from what was
typed and finds them through a database index. docs/PRIVACY.md explains what this reveals.
"""

import binascii
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_PREFIX = 3  # "a few letters": shorter prefixes would single out too little and reveal more
MAX_TOKEN = 24  # long tokens are indexed and searched on their first 24 letters
DIGEST_CHARS = 32  # 128 bits: no collision among an organization's clients
INDEX_KEY_MIN = 32


class VaultKeyError(ImproperlyConfigured):
    """The configured keys cannot encrypt or decrypt the vault: a configuration error."""


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise VaultKeyError(
            "ANCRAGE_VAULT_KEYS is not set: the identity vault cannot be read or written. "
            "Set it to one or more Fernet keys, newest first (see docs/PRIVACY.md)."
        )
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, binascii.Error, UnicodeEncodeError) as exc:
        raise VaultKeyError(
            "ANCRAGE_VAULT_KEYS holds a value that is not a Fernet key "
            "(32 bytes, url-safe base64: `Fernet.generate_key()`)."
        ) from exc


def cipher() -> MultiFernet:
    """The keys as configured now (read at each call: tests and rotations change them)."""
    return _cipher(tuple(settings.ANCRAGE_VAULT_KEYS))


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise VaultKeyError(
            "An identity field cannot be decrypted with ANCRAGE_VAULT_KEYS: was a key removed "
            "before `ancrage vault-rotate` re-encrypted the vault?"
        ) from exc


# --- Blind index ---------------------------------------------------------------------------------


def _organization_key(organization_id: int) -> bytes:
    secret = settings.ANCRAGE_VAULT_INDEX_KEY or ""
    if len(secret) < INDEX_KEY_MIN:
        raise VaultKeyError(
            f"ANCRAGE_VAULT_INDEX_KEY must be set to {INDEX_KEY_MIN} characters or more."
        )
    # One key per organization: the same person served by two organizations has unrelated
    # digests, so a copy of the database cannot link their files through the index.
    return hmac.new(
        secret.encode("utf-8"), f"organization:{organization_id}".encode(), hashlib.sha256
    ).digest()


def _digest(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:DIGEST_CHARS]


def normalize(text: str) -> str:
    """Lower case, accents dropped, punctuation to spaces: 'Marie-Ève  O'Neil' -> 'marie eve o neil'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def name_tokens(text: str) -> list[str]:
    """The tokens a name is found by: each part, and compound words also whole
    ('Marie-Ève' -> marie, eve, marieeve; "O'Neil" -> o, neil, oneil)."""
    tokens: list[str] = []
    for word in (text or "").split():
        parts = normalize(word).split()
        tokens.extend(parts)
        if len(parts) > 1:
            tokens.append("".join(parts))
    return list(dict.fromkeys(t[:MAX_TOKEN] for t in tokens if t))


def name_digests(organization_id: int, names: Iterable[str]) -> set[str]:
    """What an identity stores for its names: each whole token and each prefix of 3+ letters."""
    key = _organization_key(organization_id)
    digests = set()
    for name in names:
        for token in name_tokens(name):
            digests.add(_digest(key, "word", token))
            for end in range(MIN_PREFIX, len(token) + 1):
                digests.add(_digest(key, "prefix", token[:end]))
    return digests


def query_digests(organization_id: int, query: str) -> list[str]:
    """What a lookup searches for: every typed token must match (a prefix of 3+ letters, or a
    whole short name like 'Li' or 'Wu'). Empty when nothing searchable was typed."""
    key = _organization_key(organization_id)
    digests = []
    for token in dict.fromkeys(normalize(query).split()):
        token = token[:MAX_TOKEN]
        kind = "prefix" if len(token) >= MIN_PREFIX else "word"
        digests.append(_digest(key, kind, token))
    return digests


def whole_word_digests(organization_id: int, names: Iterable[str]) -> set[str]:
    key = _organization_key(organization_id)
    return {_digest(key, "word", t) for name in names for t in name_tokens(name)}


def birth_digest(organization_id: int, born_on: date) -> str:
    return _digest(_organization_key(organization_id), "birth", born_on.isoformat())


def normalize_file_number(number: str) -> str:
    return re.sub(r"[\W_]+", "", number or "").upper()


def file_number_digest(organization_id: int, kind: str, number: str) -> str:
    return _digest(
        _organization_key(organization_id), f"file-{kind}", normalize_file_number(number)
    )
