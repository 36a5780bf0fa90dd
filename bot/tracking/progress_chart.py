"""`/tiendo`: a PNG bar chart of duty statuses per lead agency for a period.

Built on a bare matplotlib Figure with the Agg canvas, never pyplot: pyplot keeps global state
that is not safe across the worker threads the bot draws in, and needs no display anyway.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot import messages
from bot.tracking.duty_report import Report
from bot.tracking.duty_status import DONE_LATE, DONE_ON_TIME, DUE_SOON, NOT_DUE, OVERDUE, STATUSES

MAX_AGENCIES = 12  # more bars than this are unreadable on a phone: the rest are summed in one bar
NAME_CHARS = 38
STATUS_COLORS = {
    OVERDUE: "#d9534f",
    DUE_SOON: "#f0ad4e",
    NOT_DUE: "#b4b4b4",
    DONE_LATE: "#8fc77e",
    DONE_ON_TIME: "#3c8d40",
}
WIDTH_IN = 9.0
BAR_HEIGHT_IN = 0.45
MIN_HEIGHT_IN = 3.0
DPI = 110


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _bars(report: Report) -> list[tuple[str, dict[str, int]]]:
    """Agencies with the most duties first; past MAX_AGENCIES the others share one bar."""
    per = sorted(report.by_agency().items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    if len(per) <= MAX_AGENCIES:
        return per
    rest = {s: sum(counts[s] for _, counts in per[MAX_AGENCIES - 1:]) for s in STATUSES}
    return [*per[: MAX_AGENCIES - 1], (messages.PROGRESS_OTHERS, rest)]


def progress_png(report: Report) -> bytes:
    """Horizontal stacked bars, one per lead agency, one colour per status; PNG bytes."""
    bars = _bars(report)
    height = max(MIN_HEIGHT_IN, 1.6 + BAR_HEIGHT_IN * len(bars))
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names = [_short(name) for name, _ in bars][::-1]  # the largest at the top
    left = [0] * len(bars)
    for status in STATUSES:
        values = [counts[status] for _, counts in bars][::-1]
        ax.barh(names, values, left=left, color=STATUS_COLORS[status], label=status, height=0.6)
        for i, (start, value) in enumerate(zip(left, values, strict=True)):
            if value:
                ax.text(start + value / 2, i, str(value), ha="center", va="center", fontsize=8, color="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_title(messages.PROGRESS_TITLE.format(period=report.period.label), fontsize=11)
    ax.set_xlabel(messages.PROGRESS_XLABEL)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / height), ncol=len(STATUSES), fontsize=8,
              frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
