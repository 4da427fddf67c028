"""Write .streamlit/secrets.toml with a fresh random cookie key, unless it already exists."""

import secrets
import sys
from pathlib import Path

target = Path(sys.argv[1] if len(sys.argv) > 1 else ".streamlit/secrets.toml")
if target.exists():
    raise SystemExit(0)
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(f'[auth]\ncookie_key = "{secrets.token_hex(32)}"\n', encoding="utf-8")
target.chmod(0o600)
print(f"Wrote {target} with a new random cookie key.")
