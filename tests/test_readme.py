"""README and docs stay true to the code: commands, roles, links, size, and no history of their own making.

The command-line reference (docs/cli.md) is a table whose first column is the command in backticks: its words in
lower case (`users add`), then arguments in upper case or options (`USERNAME --role ROLE`).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from data_layer.ops.cli import build_parser
from scripts import roles_table as roles
from ui.navigation import PageSpec

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CLI_DOC = ROOT / "docs" / "cli.md"
MAX_README_BYTES = 10_240


def readme() -> str:
    return README.read_text(encoding="utf-8")


def cli_doc() -> str:
    return CLI_DOC.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The body of a `## heading` section, up to the next second-level heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no '## {heading}' section"
    return match.group(1)


# --- 1. the command line --------------------------------------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def parser_commands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, set[str]]:
    """Every sub-command, nested ones as 'users add', with the option strings it accepts."""
    commands: dict[str, set[str]] = {}
    for name, sub in _subparsers(parser).items():
        path = f"{prefix}{name}"
        commands[path] = {
            option for action in sub._actions for option in action.option_strings if option not in ("-h", "--help")
        }
        commands.update(parser_commands(sub, path + " "))
    return commands


def documented_commands(text: str) -> dict[str, str]:
    """First-column commands of the tables in a command-line section: command -> its usage cell."""
    documented: dict[str, str] = {}
    for line in section(text, "Command line").splitlines():
        match = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
        if not match:
            continue
        usage = match.group(1)
        words = []
        for word in usage.split():
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        command = " ".join(words)
        assert command not in documented, f"{command!r} is listed twice in the command-line table"
        documented[command] = usage
    return documented


def test_documented_commands_parse_from_a_table():
    table = (
        "## Command line\n\n| command | does |\n| --- | --- |\n| `users add USERNAME --role R` | x |\n| `init` | y |\n"
    )
    assert documented_commands(table) == {"users add": "users add USERNAME --role R", "init": "init"}


def test_readme_lists_every_sub_command_and_no_other():
    real = parser_commands(build_parser())
    documented = documented_commands(cli_doc())
    assert "users add" in real, "the parser walk must see nested sub-commands"
    missing = sorted(set(real) - set(documented))
    unknown = sorted(set(documented) - set(real))
    assert missing == [], f"sub-commands missing from docs/cli.md's table: {missing}"
    assert unknown == [], f"docs/cli.md's table lists commands the parser lacks: {unknown}"


def test_readme_names_every_top_level_command():
    top = {command for command in parser_commands(build_parser()) if " " not in command}
    named = set(re.findall(r"`([a-z][a-z-]*)`", section(readme(), "Command line")))
    assert top - named == set(), f"README's command-line section does not name {sorted(top - named)}"


def options_by_action(command: str) -> list[set[str]]:
    """The options of one (possibly nested) sub-command, one set of spellings per option (-o, --output)."""
    parser = build_parser()
    for word in command.split():
        parser = _subparsers(parser)[word]
    return [set(a.option_strings) for a in parser._actions if a.option_strings and a.dest != "help"]


def test_readme_usage_names_every_option_and_only_real_ones():
    real = parser_commands(build_parser())
    for command, usage in documented_commands(cli_doc()).items():
        written = set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", usage))
        assert written <= real[command], (
            f"{command}: docs/cli.md shows options the parser lacks: {written - real[command]}"
        )
        for spellings in options_by_action(command):
            assert spellings & written, f"{command}: docs/cli.md's usage does not show {sorted(spellings)}"


# --- 2. the roles table ---------------------------------------------------------------------------


def readme_roles_table(text: str) -> str:
    match = re.search(re.escape(roles.START) + r"\n(.*?)" + re.escape(roles.END), text, re.DOTALL)
    assert match, f"README.md has no {roles.START} ... {roles.END} block"
    return match.group(1)


def test_readme_roles_table_is_the_generated_one():
    assert readme_roles_table(readme()) == roles.roles_table(), (
        "README's roles table differs from ui/navigation.py: run `.venv/bin/python -m scripts.roles_table --write`"
    )


def test_roles_table_follows_the_page_table(monkeypatch):
    # A page added to the navigation changes the generated table, so the comparison above can fail.
    extra = PageSpec("pages/new.py", "nav.stock", "x", frozenset({"observer"}), "nav.section.monitoring")
    monkeypatch.setattr(roles, "PAGES", [*roles.PAGES, extra])
    table = roles.roles_table()
    assert table != readme_roles_table(readme())
    assert table.splitlines()[-1] == "| Stock |  |  |  | ✓ |  |  |"


def test_roles_table_replaces_only_between_markers():
    text = f"intro\n{roles.START}\nold\n{roles.END}\nrest\n"
    assert roles.replace_between_markers(text, "| new |\n") == f"intro\n{roles.START}\n| new |\n{roles.END}\nrest\n"


# --- 3. size, links, and no story of their own making ---------------------------------------------


def markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "bench").glob("*.md"))]


def test_readme_is_at_most_10_kb():
    size = len(README.read_bytes())
    assert size <= MAX_README_BYTES, (
        f"README.md is {size} bytes; keep it under {MAX_README_BYTES} (move detail to docs/)"
    )


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http(s), mailto, or an anchor in the same file
        if not (path.parent / target.split("#")[0]).exists():
            broken.append(f"{path.relative_to(root)} -> {target}")
    return broken


@pytest.mark.parametrize("path", [README, *sorted((ROOT / "docs").rglob("*.md"))], ids=lambda p: p.name)
def test_relative_links_point_at_existing_files(path):
    assert broken_links(path) == []


def test_broken_link_check_sees_a_missing_file(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[ok](page.md) [web](https://example.org) [gone](missing.md#part) ![pic](img/none.png)\n")
    assert broken_links(page, tmp_path) == ["page.md -> missing.md#part", "page.md -> img/none.png"]


# "session" alone is a product word (a browser session, the load test's sessions); a session *of work*
# is not, nor days of work, commit hashes, or text that narrates change instead of stating what is.
NARRATIVE = [
    re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b"),
    re.compile(r"\b(?:first|second|third|fourth|fifth|sixth|this|that|last|next|same|earlier|work)\s+session\b", re.I),
    re.compile(r"\bsessions?\s+of\s+(?:work|\d)", re.I),
    re.compile(r"\bdays?\s+of\s+work\b", re.I),
    re.compile(r"\bwe\s+(?:added|changed|removed|replaced|moved|rewrote|made)\b", re.I),
    re.compile(r"\b(?:was|were|has been|have been)\s+changed\b", re.I),
    re.compile(r"\b(?:now|previously|no longer)\b", re.I),
]


def narrative_problems(text: str) -> list[str]:
    return [
        f"line {n}: {m.group(0)!r}"
        for n, line in enumerate(text.splitlines(), 1)
        for p in NARRATIVE
        for m in p.finditer(line)
    ]


def test_narrative_check_sees_a_bad_line():
    assert narrative_problems("Fixed in commit 2504c3b during the third session of 2026-11-23.") == [
        "line 1: '2504c3b'",
        "line 1: 'third session'",
        "line 1: 'session of 2'",
    ]
    assert narrative_problems("After two days of work we added a cache; imports now run faster.") == [
        "line 1: 'days of work'",
        "line 1: 'we added'",
        "line 1: 'now'",
    ]
    assert narrative_problems("10 sessions: 68.6 reruns/s; logging out ends the session; 1,000,000 rows; TN-61.") == []


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_state_what_is_not_how_they_came_to_be(path):
    assert narrative_problems(path.read_text(encoding="utf-8")) == []
