"""Receipt codes: what a donor keeps to follow a gift, printable and readable over the phone.

Twelve characters in three groups of four (`7KQ2-M9XD-4HTW`): eleven drawn by the `secrets`
module from Crockford's base-32 alphabet (digits and capitals without I, L, O and U, so nothing
reads as another character aloud or on paper) and one check character (Luhn mod 32), which
catches every single mistyped character and every swap of two neighbours but "0Z" / "Z0" before
any lookup.
Eleven random characters are 55 bits: with the lookup limits of the receipt page, guessing
one of a million codes takes longer than any campaign lasts. A code says nothing about the
donation (not its id, date or amount).
"""

from __future__ import annotations

import secrets

import numpy as np

from data_layer.core.errors import JesrError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 11
CODE_LENGTH = RANDOM_LENGTH + 1
GROUP = 4
# What people write or hear for the characters the alphabet leaves out (Crockford's decoding).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)


class MalformedCode(JesrError):
    """Not the shape of a receipt code or reference; nothing was looked up."""

    code = "receipt.error.malformed"


def _check_value(values: list[int]) -> int:
    """Luhn mod 32 over the values, from the right, doubling every other one starting with the last."""
    total = 0
    for position, value in enumerate(reversed(values)):
        addend = value * 2 if position % 2 == 0 else value
        total += addend // 32 + addend % 32
    return (32 - total % 32) % 32


def _check_values(values: np.ndarray) -> np.ndarray:
    """The same check for many codes at once (one row of values each)."""
    factors = np.where(np.arange(values.shape[1])[::-1] % 2 == 0, 2, 1)
    addends = values * factors
    total = (addends // 32 + addends % 32).sum(axis=1)
    return (32 - total % 32) % 32


def grouped(code: str) -> str:
    """`7KQ2M9XD4HTW` as it is printed: `7KQ2-M9XD-4HTW`."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def new_codes(count: int) -> list[str]:
    """`count` fresh codes, grouped (not checked against those on file: see registry.receipts)."""
    if count <= 0:
        return []
    # 256 is a multiple of 32, so the low five bits of each random byte are uniform.
    values = np.frombuffer(secrets.token_bytes(count * RANDOM_LENGTH), dtype=np.uint8).reshape(count, RANDOM_LENGTH)
    values = (values & 31).astype(np.int64)
    full = np.concatenate([values, _check_values(values)[:, None]], axis=1)
    # As bytes in NumPy, dashes included, then one view as 14-byte strings: no Python loop per code.
    letters = _ALPHABET_BYTES[full]
    text = np.full((count, CODE_LENGTH + 2), ord("-"), dtype=np.uint8)
    for group in range(CODE_LENGTH // GROUP):
        text[:, group * (GROUP + 1) : group * (GROUP + 1) + GROUP] = letters[:, group * GROUP : (group + 1) * GROUP]
    return text.view(f"S{CODE_LENGTH + 2}").ravel().astype(str).tolist()


def new_code() -> str:
    return new_codes(1)[0]


def compact(text: str) -> str:
    """What was typed, without spaces or dashes, in capitals."""
    return "".join(ch for ch in str(text) if ch not in " -\u2010\u2011\u2012\u2013\u2014\t").upper()


def is_valid(code: str) -> bool:
    """Whether a compact, decoded code has the right length, alphabet and check character."""
    if len(code) != CODE_LENGTH or any(ch not in _VALUE for ch in code):
        return False
    values = [_VALUE[ch] for ch in code]
    return _check_value(values[:-1]) == values[-1]


def parse_code(text: str) -> str:
    """The grouped receipt code typed as `text` (any case, spaces or dashes, O for 0, I or L for 1).

    A wrong length, a character outside the alphabet or a failed check character is refused with
    MalformedCode, before anything is looked up or counted.
    """
    code = compact(text).translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(ch not in _VALUE for ch in code):
        raise MalformedCode("receipt.error.malformed")
    if not is_valid(code):
        raise MalformedCode("receipt.error.check")
    return grouped(code)
