"""👍 / 👎 on answers and the optional comment after a 👎, kept for improving the answers.

One row per (answer, user): pressing the other button changes the vote instead of adding a row.
The answer's question, text and citations are stored with the vote, so an export reads alone.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.answering.answer_model import Answer
from bot.state import BotState

TABLE = "answer_feedback"
UP = 1
DOWN = -1
MAX_COMMENT_CHARS = 1000


def answer_record(answer: Answer) -> str:
    """What a feedback button stores about its answer (JSON, behind the button's short id)."""
    return json.dumps({"question": answer.question, "answer": answer.text, "intent": answer.intent,
                       "citations": [asdict(c) for c in answer.citations]}, ensure_ascii=False)


class FeedbackStore:
    def __init__(self, state: BotState) -> None:
        self.state = state  # its table comes with the state's schema (knowledge/migrations.py)

    def vote(self, answer_id: str, user_id: int, chat_id: int, vote: int, record: str) -> None:
        """Store or change a user's vote on an answer (`record`: answer_record's JSON)."""
        data = json.loads(record)
        cast = datetime.now(UTC)
        now = cast.isoformat(timespec="seconds")
        row = {"answer_id": answer_id, "user_id": user_id, "chat_id": chat_id, "vote": vote,
               "question": data.get("question", ""), "answer": data.get("answer", ""), "intent": data.get("intent", ""),
               "citations": json.dumps(data.get("citations", []), ensure_ascii=False), "at": now}
        with self.state.db.atomic():  # first_at is written once: the export keeps the order votes were first cast
            self.state.db.insert_many(TABLE, [{**row, "first_at": cast.isoformat(timespec="microseconds")}],
                                      ignore=True)
            self.state.db.upsert(TABLE, row, pk=("answer_id", "user_id"))

    def comment(self, answer_id: str, user_id: int, text: str) -> bool:
        return self.state.db.execute(f"update {TABLE} set comment = ? where answer_id = ? and user_id = ?",
                                     [text.strip()[:MAX_COMMENT_CHARS], answer_id, user_id]) > 0

    def rows(self) -> list[dict[str, Any]]:
        return self.state.db.query(f"select * from {TABLE} order by coalesce(first_at, at), answer_id, user_id")

    def export_jsonl(self, path: Path) -> int:
        """Write one JSON object per vote: question, answer, citations, vote, comment. Returns the count."""
        rows = self.rows()
        with Path(path).open("w", encoding="utf-8") as out:
            for r in rows:
                out.write(json.dumps({
                    "question": r["question"], "answer": r["answer"], "intent": r["intent"],
                    "citations": json.loads(r["citations"] or "[]"), "vote": r["vote"],
                    "comment": r["comment"], "chat_id": r["chat_id"], "user_id": r["user_id"], "at": r["at"],
                }, ensure_ascii=False) + "\n")
        return len(rows)
