"""The keyed hash (HMAC-SHA256) for values that must be compared or proven but not read back.

National IDs compared only for equality, and the personal fields the audit chain covers, are
hashed with a key kept outside the database: whoever copies the database alone cannot test the
10^8 possible ID numbers against the hashes, as they could against a plain SHA-256.

The key is read, first found wins, from
1. the environment variable `JESR_HASH_KEY`;
2. the `[hashing] key` of the secrets file: `JESR_SECRETS_FILE`, or `.streamlit/secrets.toml`
   in the working directory (the file Streamlit reads; `make secrets` writes a random key).
A missing or short key is refused: a made-up default would be known to everyone.
Each `purpose` gets a key of its own derived from the master key, so a hash made for one use
(say, duplicate checks) proves nothing in another (say, the audit chain).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import tomllib
from pathlib import Path

from data_layer.core.errors import JesrError

ENV_KEY = "JESR_HASH_KEY"
ENV_FILE = "JESR_SECRETS_FILE"
DEFAULT_SECRETS_FILE = Path(".streamlit") / "secrets.toml"
MIN_KEY_LENGTH = 32


class MissingHashKey(JesrError):
    """No hashing key in the environment or the secrets file (see this module's docstring)."""

    code = "error.missing_hash_key"


def _read_key() -> str | None:
    key = os.environ.get(ENV_KEY)
    if key:
        return key
    path = Path(os.environ.get(ENV_FILE) or DEFAULT_SECRETS_FILE)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        return None
    value = data.get("hashing", {}).get("key")
    return str(value) if value else None


@functools.lru_cache(maxsize=1)
def _master_key() -> bytes:
    key = _read_key()
    if key is None or len(key) < MIN_KEY_LENGTH:
        raise MissingHashKey()
    return key.encode("utf-8")


@functools.lru_cache(maxsize=16)
def _purpose_key(purpose: str) -> bytes:
    return hmac.new(_master_key(), b"jesr:" + purpose.encode("utf-8"), hashlib.sha256).digest()


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of `value` under the key for `purpose`, as 64 hex digits.

    Callers normalise the value first (e.g. a cleaned national ID): equal inputs only give equal
    hashes."""
    return hmac.new(_purpose_key(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


def has_hash_key() -> bool:
    """Whether a usable key is configured (verification without it checks the chain only)."""
    try:
        _master_key()
    except MissingHashKey:
        return False
    return True


def forget_hash_key() -> None:
    """Read the key again on next use (after the environment or secrets file changed)."""
    _master_key.cache_clear()
    _purpose_key.cache_clear()
