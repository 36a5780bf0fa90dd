"""Rules as data with their examples (Duckling's way): each pattern of administrative Vietnamese lives
in a TOML file under knowledge/rules/ beside the phrases it must and must not match, and
tests/test_rule_examples.py runs every example of every file.

A file holds `[fragments]` (named pieces of patterns, written `<<NAME>>` where they are used) and
`[[rule]]` tables:

    [[rule]]
    name = "plan_period"            # unique in its file; code asks for it by name
    pattern = '''tu nay den (?:het )?nam \\d{4}'''
    source = "general form"         # or "issuers: UBND tỉnh A (2024); Văn phòng Chính phủ (2025)"
    match = ["Từ nay đến hết năm 2025, các sở …"]   # phrases it must find something in
    no_match = ["trước ngày 31/12/2025"]           # phrases it must find nothing in

Patterns run on the folded text (lowercase ASCII, `đ` → `d`, positions aligned with the original,
knowledge.agencies.fold_aligned) unless the rule says `folded = false`. A new rule is a general form of
administrative writing or has examples from at least two issuers: its `source` says which.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

RULES_DIR = Path(__file__).with_name("rules")
_FRAGMENT = re.compile(r"<<([A-Z_][A-Z0-9_]*)>>")


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    source: str
    folded: bool = True
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()
    data: dict = field(default_factory=dict, compare=False, hash=False)  # any other keys of the table

    def prepare(self, text: str) -> str:
        """The text as this rule reads it."""
        if not self.folded:
            return text
        from knowledge.agencies import fold_aligned

        return fold_aligned(text).lower()


def _expand(pattern: str, fragments: dict[str, str], book: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in fragments:
            raise KeyError(f"{book}: unknown fragment <<{m.group(1)}>>")
        return fragments[m.group(1)]

    for _ in range(8):  # fragments may use fragments
        expanded = _FRAGMENT.sub(sub, pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise ValueError(f"{book}: fragments nest too deep in {pattern[:60]!r}")


@cache
def book(name: str) -> dict[str, Rule]:
    """The rules of knowledge/rules/NAME.toml by name, in file order."""
    raw = tomllib.loads((RULES_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    fragments = {k: str(v) for k, v in raw.get("fragments", {}).items()}
    rules: dict[str, Rule] = {}
    for table in raw.get("rule", []):
        rule_name = table["name"]
        if rule_name in rules:
            raise ValueError(f"{name}.toml: rule {rule_name!r} is defined twice")
        if not table.get("source"):
            raise ValueError(f"{name}.toml: rule {rule_name!r} says no source")
        flags = re.IGNORECASE if table.get("ignorecase") else 0
        extra = {k: v for k, v in table.items()
                 if k not in {"name", "pattern", "source", "folded", "match", "no_match", "ignorecase"}}
        rules[rule_name] = Rule(
            name=rule_name, pattern=re.compile(_expand(table["pattern"], fragments, name), flags),
            source=table["source"], folded=table.get("folded", True),
            match=tuple(table.get("match", ())), no_match=tuple(table.get("no_match", ())), data=extra)
    return rules


def rule(book_name: str, rule_name: str) -> re.Pattern[str]:
    """One compiled pattern: `rule("kinds", "plan_period")`."""
    return book(book_name)[rule_name].pattern


def books() -> list[str]:
    return sorted(p.stem for p in RULES_DIR.glob("*.toml"))
