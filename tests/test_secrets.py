"""The keyed hash: keyed, separated by purpose, and refused without a real key."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_layer.core import secrets as ks


@pytest.fixture
def fresh_key(monkeypatch: pytest.MonkeyPatch):
    ks.forget_hash_key()
    yield monkeypatch
    ks.forget_hash_key()


def test_same_value_same_purpose_gives_the_same_hash_and_purposes_differ(fresh_key) -> None:
    fresh_key.setenv(ks.ENV_KEY, "a" * 40)
    one = ks.keyed_hash("12345678", "national_id")
    assert one == ks.keyed_hash("12345678", "national_id")
    assert len(one) == 64
    assert one != ks.keyed_hash("12345679", "national_id")
    assert one != ks.keyed_hash("12345678", "audit")


def test_another_key_gives_another_hash(fresh_key) -> None:
    fresh_key.setenv(ks.ENV_KEY, "a" * 40)
    first = ks.keyed_hash("12345678", "national_id")
    fresh_key.setenv(ks.ENV_KEY, "b" * 40)
    ks.forget_hash_key()
    assert ks.keyed_hash("12345678", "national_id") != first


def test_key_is_read_from_the_secrets_file(fresh_key, tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[auth]\ncookie_key = "x"\n\n[hashing]\nkey = "' + "c" * 40 + '"\n', encoding="utf-8")
    fresh_key.delenv(ks.ENV_KEY, raising=False)
    fresh_key.setenv(ks.ENV_FILE, str(path))
    from_file = ks.keyed_hash("12345678", "national_id")
    fresh_key.setenv(ks.ENV_KEY, "c" * 40)
    ks.forget_hash_key()
    assert ks.keyed_hash("12345678", "national_id") == from_file


@pytest.mark.parametrize("content", ["", '[hashing]\nkey = "short"\n', "[auth]\ncookie_key = 'x'\n"])
def test_missing_or_short_key_is_refused(fresh_key, tmp_path: Path, content: str) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(content, encoding="utf-8")
    fresh_key.delenv(ks.ENV_KEY, raising=False)
    fresh_key.setenv(ks.ENV_FILE, str(path))
    assert not ks.has_hash_key()
    with pytest.raises(ks.MissingHashKey):
        ks.keyed_hash("12345678", "national_id")
