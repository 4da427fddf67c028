"""Write .streamlit/secrets.toml with fresh random keys; add a missing section to an existing file.

[auth] cookie_key signs login cookies; [hashing] key is the HMAC key of data_layer/core/secrets.py
(keyed hashes of national IDs and of the personal fields the audit chain covers). Never replace
an existing hashing key: the hashes made with it would no longer match.
"""

import secrets
import sys
import tomllib
from pathlib import Path

target = Path(sys.argv[1] if len(sys.argv) > 1 else ".streamlit/secrets.toml")
existing = tomllib.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
added = []
text = target.read_text(encoding="utf-8") if target.exists() else ""
if "auth" not in existing:
    text += f'[auth]\ncookie_key = "{secrets.token_hex(32)}"\n'
    added.append("cookie key")
if "hashing" not in existing:
    text += ("\n" if text and not text.endswith("\n\n") else "") + f'[hashing]\nkey = "{secrets.token_hex(32)}"\n'
    added.append("hashing key")
if not added:
    raise SystemExit(0)
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(text, encoding="utf-8")
target.chmod(0o600)
print(f"Wrote {target} with a new random {' and '.join(added)}.")
