"""One open-duties service (bot/tracking/open_duties.py): /xong, /quahan, /hanchot, reminders, `report` and
/baocao count the same open, overdue and due-soon occurrences of every agency, over the example
directives and the shared corpus (skipped when ../shared is absent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.answering.fact_answers import first_screen
from bot.chat.tracking_handlers import MAX_OPEN_ITEMS, _open_items
from bot.library import ingest_bytes
from bot.tracking import reminders
from bot.tracking.completions import DutyTracker
from bot.tracking.duty_report import Period, build_report
from bot.tracking.duty_status import DUE_SOON, OVERDUE, SOON_DAYS
from bot.tracking.open_duties import COOPERATING, LEAD, agency_scope, contains, occurrences, open_duties
from knowledge.agencies import agency_key
from tests.conftest_shared import CORPUS, needs_shared
from tests.test_bot_e2e import Env, examples_env

pytestmark = pytest.mark.slow
DAYS = (date(2026, 11, 25), date(2026, 12, 20), date(2027, 1, 12))


@dataclass
class Counts:
    overdue: int
    due_soon: int


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Env:
    return examples_env(tmp_path_factory.mktemp("open-examples"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Env:
    env = examples_env(tmp_path_factory.mktemp("open-corpus"))
    for path in sorted(Path(CORPUS).glob("*.txt")):
        ingest_bytes(env.settings, path.name, path.read_bytes())
    env.answerer.reload()
    return env


def _bullets(text: str) -> int:
    return sum(1 for line in text.split("\n") if line.startswith("• "))


def _agencies(env: Env) -> list[str | None]:
    names = sorted({r["name"] for r in env.answerer.store.db.query("select name from agencies")})
    return [None, *names, "UBND", "Sở Xây dựng"]


def assert_paths_agree(env: Env, today: date, agency: str | None) -> Counts:
    """Every path's count of the agency's open work equals the service's."""
    store, tracker = env.answerer.store, env.answerer.tracker
    found = open_duties(store, tracker, today, agency)
    # /xong
    items, extra = _open_items(SimpleNamespace(store=store, tracker=tracker), agency, today)  # type: ignore[arg-type]
    assert len(items) + extra == len(found.items) and len(items) <= MAX_OPEN_ITEMS
    # report and /baocao: the same horizon as a period
    period = Period(today - timedelta(days=90), today + timedelta(days=SOON_DAYS))
    totals = build_report(store, tracker, period, today, agency=agency).totals()
    assert (totals[OVERDUE], totals[DUE_SOON]) == (len(found.overdue), len(found.due_soon)), agency
    # /quahan [agency]: one line per one-off occurrence, one rule line per recurring duty
    if agency is None or agency_scope(store, agency).ids:
        ans = env.answerer.overdue(agency or "", today)
        expected = len({(o.deadline["id"], None if o.recurring else o.on) for o in found.overdue})
        assert _bullets(ans.text + "\n" + ans.more) == expected, (agency, ans.text)
    # reminders: what a chat following the agency may hear today (reviewed or trusted deadlines only)
    trusted = found.trusted_only()
    candidates = reminders._candidates(store, env.settings.open_state(), today)
    by_agency: dict[int, list[int]] = {}
    for k, (occ, _) in enumerate(candidates):
        for agency_id in occ.deadline["agency_ids"]:
            by_agency.setdefault(agency_id, []).append(k)
    mine = reminders._of_agency(store, candidates, by_agency, agency)
    assert len(mine) == len(trusted.items), agency
    assert sum(stage == "overdue" for _, stage in mine) == len(trusted.overdue)
    return Counts(len(found.overdue), len(found.due_soon))


def _agreement(env: Env) -> None:
    seen = 0
    for today in DAYS:
        for agency in _agencies(env):
            counts = assert_paths_agree(env, today, agency)
            seen += counts.overdue + counts.due_soon
    assert seen > 0


def test_paths_agree_on_the_examples(examples: Env) -> None:
    _agreement(examples)


def test_hanchot_lists_the_service_window(examples: Env) -> None:
    store, tracker, today = examples.answerer.store, examples.answerer.tracker, DAYS[0]
    found = occurrences(store, tracker, date(2026, 12, 1), date(2026, 12, 31), today)
    ans = examples.answerer.deadlines("tháng 12/2026", today)
    assert _bullets(ans.text + "\n" + ans.more) == len(first_screen([(o.deadline, o.on) for o in found]))


def test_marking_done_drops_it_from_every_path(tmp_path: Path) -> None:
    env = examples_env(tmp_path)
    store, tracker = env.answerer.store, DutyTracker(env.settings.open_state())
    today = DAYS[1]
    before = assert_paths_agree(env, today, "Sở Kế hoạch và Đầu tư")
    first = open_duties(store, tracker, today, "Sở Kế hoạch và Đầu tư").overdue[0]
    tracker.mark_done(first.key, today)
    after = assert_paths_agree(env, today, "Sở Kế hoạch và Đầu tư")
    assert after.overdue == before.overdue - 1


def test_the_agency_scope_names_roles_and_collectives(examples: Env) -> None:
    store, tracker = examples.answerer.store, examples.answerer.tracker
    assert contains(agency_key("Các sở, ngành liên quan"), agency_key("Sở Xây dựng"))
    assert contains(agency_key("UBND các huyện, thành phố"), agency_key("UBND huyện Tây Sơn Hà"))
    assert not contains(agency_key("UBND các huyện, thành phố"), agency_key("Sở Tài chính"))
    build = agency_scope(store, "Sở Xây dựng")  # named by no duty, but one of `Các sở, ngành liên quan`
    assert build.ids and "Các sở, ngành liên quan" in build.collectives
    year = occurrences(store, tracker, date(2027, 1, 1), date(2027, 12, 31), DAYS[0], build)
    assert year and all(o.via_collective for o in year)
    ubnd = agency_scope(store, "UBND")
    assert {"UBND tỉnh", "UBND các huyện, thành phố"} <= ubnd.names
    finance = occurrences(store, tracker, date(2026, 12, 1), date(2026, 12, 31), DAYS[0], "Sở Tài chính")
    assert {o.role for o in finance} == {LEAD, COOPERATING}
    review = occurrences(store, tracker, date(2026, 12, 1), date(2026, 12, 31), DAYS[0], "Sở Dân tộc và Tôn giáo")
    assert review and all(o.review == "needs_review" for o in review)


def test_quahan_keeps_its_agency_filter(examples: Env) -> None:
    every = examples.answerer.overdue("", DAYS[1])
    ubnd = examples.answerer.overdue("UBND", DAYS[1])
    assert _bullets(ubnd.text) < _bullets(every.text + "\n" + every.more)
    assert all("UBND" in line for line in ubnd.text.split("\n") if line.startswith("• "))


def test_first_screen_puts_one_off_limits_before_recurring_duties(examples: Env) -> None:
    ans = examples.answerer.deadlines("tháng 12/2026", DAYS[0])
    lines = [line for line in ans.text.split("\n") if line.startswith("• ")]
    rules = [i for i, line in enumerate(lines) if line.startswith("• hằng ")]
    once = [i for i, line in enumerate(lines) if line[2:3].isdigit()]
    assert once and (not rules or max(once) < min(rules))
    assert not any(line.count("hằng tháng, ngày 20") for line in ans.more.split("\n")[1:] if "Sở Tài chính" in line
                   and line.startswith("• 20/12"))


@needs_shared
def test_paths_agree_on_the_shared_corpus(corpus: Env) -> None:
    _agreement(corpus)
