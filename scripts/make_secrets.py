"""Write .streamlit/secrets.toml with a fresh random cookie key and hashing key, unless it has them.

A file from before the hashing key gets a `[hashing]` section added; an existing key is never
replaced (a new hashing key makes every stored keyed hash be computed again when the database
is next opened).
"""

import secrets
import sys
import tomllib
from pathlib import Path

target = Path(sys.argv[1] if len(sys.argv) > 1 else ".streamlit/secrets.toml")
if target.exists():
    if "hashing" in tomllib.loads(target.read_text(encoding="utf-8")):
        raise SystemExit(0)
    with target.open("a", encoding="utf-8") as handle:
        handle.write(f'\n[hashing]\nkey = "{secrets.token_hex(32)}"\n')
    print(f"Added a new random hashing key to {target}.")
    raise SystemExit(0)
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(
    f'[auth]\ncookie_key = "{secrets.token_hex(32)}"\n\n[hashing]\nkey = "{secrets.token_hex(32)}"\n', encoding="utf-8"
)
target.chmod(0o600)
print(f"Wrote {target} with new random cookie and hashing keys.")
