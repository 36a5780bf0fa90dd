"""Every rule in knowledge/rules/*.toml finds something in each phrase it must match and nothing in
each phrase it must not match (Duckling's corpus test): one test runs them all."""

from __future__ import annotations

import pytest

from knowledge.rulebook import book, books


def _cases() -> list[tuple[str, str, str, bool]]:
    out = []
    for name in books():
        for rule in book(name).values():
            out += [(name, rule.name, phrase, True) for phrase in rule.match]
            out += [(name, rule.name, phrase, False) for phrase in rule.no_match]
    return out


def test_every_rule_has_examples_and_a_source() -> None:
    for name in books():
        for rule in book(name).values():
            assert rule.match, f"{name}.toml: {rule.name} has no phrase it must match"
            assert rule.source.strip(), f"{name}.toml: {rule.name} says no source"


@pytest.mark.parametrize(("book_name", "rule_name", "phrase", "expected"), _cases())
def test_rule_example(book_name: str, rule_name: str, phrase: str, expected: bool) -> None:
    rule = book(book_name)[rule_name]
    found = rule.pattern.search(rule.prepare(phrase))
    assert bool(found) is expected, f"{book_name}.{rule_name} {'misses' if expected else 'wrongly matches'}: {phrase}"
