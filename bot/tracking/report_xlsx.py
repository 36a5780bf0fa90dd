"""The follow-up table the coordination office used to build by hand, as an Excel workbook.

Sheet `Nhiệm vụ`: one row per duty occurrence (document, section, lead and cooperating agencies,
task, due date, status, done date, who marked it, note), frozen header, auto filter, fixed widths.
Sheet `Tổng hợp`: per lead agency, counts by status and the share done on time. Real dates and
percentages (not text), so the office can sort, filter and chart it further in Excel.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot import messages
from bot.tracking.duty_report import Report
from bot.tracking.duty_status import (
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    NOT_DUE,
    OVERDUE,
    STATUSES,
    on_time_share,
)

DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0%"
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
# Status colours shared with the chart's meaning: red overdue, amber soon, grey open, greens done.
STATUS_FILLS = {
    OVERDUE: PatternFill("solid", fgColor="F8CBAD"),
    DUE_SOON: PatternFill("solid", fgColor="FFE699"),
    NOT_DUE: PatternFill("solid", fgColor="EDEDED"),
    DONE_LATE: PatternFill("solid", fgColor="C6E0B4"),
    DONE_ON_TIME: PatternFill("solid", fgColor="A9D08E"),
}
DUTY_WIDTHS = (6, 38, 16, 28, 28, 60, 12, 20, 14, 18, 28)  # one per messages.XLSX_HEADERS
SUMMARY_AGENCY_WIDTH = 40
SUMMARY_COUNT_WIDTH = 14
AGENCY_SEPARATOR = "; "  # agency names themselves contain commas (`UBND các huyện, thành phố`)
WRAPPED_COLUMNS = {2, 4, 5, 6, 11}  # long texts wrap instead of running into the next cell


def _header(ws: Worksheet, headers: tuple[str, ...] | list[str], widths: list[int] | tuple[int, ...]) -> None:
    ws.append(list(headers))
    for col, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def _duties_sheet(ws: Worksheet, report: Report) -> None:
    ws.title = messages.XLSX_SHEET_DUTIES
    _header(ws, messages.XLSX_HEADERS, DUTY_WIDTHS)
    top = Alignment(wrap_text=True, vertical="top")
    for n, r in enumerate(report.rows, start=1):
        ws.append([n, r.document, r.section, AGENCY_SEPARATOR.join(r.lead), AGENCY_SEPARATOR.join(r.cooperating),
                   r.task, r.due,
                   r.status, r.done_on, r.marked_by, r.note])
        row = ws.max_row
        for col in WRAPPED_COLUMNS:
            ws.cell(row=row, column=col).alignment = top
        for col in (7, 9):
            ws.cell(row=row, column=col).number_format = DATE_FORMAT
        ws.cell(row=row, column=8).fill = STATUS_FILLS[r.status]
    ws.auto_filter.ref = f"A1:{get_column_letter(len(messages.XLSX_HEADERS))}{max(ws.max_row, 1)}"


def _summary_sheet(ws: Worksheet, report: Report) -> None:
    headers = [messages.XLSX_SUMMARY_AGENCY, *STATUSES, messages.XLSX_SUMMARY_TOTAL, messages.XLSX_SUMMARY_ON_TIME]
    _header(ws, headers, [SUMMARY_AGENCY_WIDTH] + [SUMMARY_COUNT_WIDTH] * (len(headers) - 1))

    def add(name: str, counts: dict[str, int]) -> None:
        share = on_time_share(counts)
        ws.append([name, *(counts[s] for s in STATUSES), sum(counts.values()), share])
        ws.cell(row=ws.max_row, column=len(headers)).number_format = PERCENT_FORMAT

    for name, counts in report.by_agency().items():
        add(name, counts)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(ws.max_row, 1)}"
    add(messages.XLSX_SUMMARY_ALL, report.totals())  # below the filtered range: sorting keeps it last
    for col in range(1, len(headers) + 1):
        ws.cell(row=ws.max_row, column=col).font = TOTAL_FONT


def build_workbook(report: Report) -> bytes:
    """The `.xlsx` file of a report, as bytes (sent to Telegram or written by the CLI)."""
    wb = Workbook()
    _duties_sheet(wb.active, report)
    _summary_sheet(wb.create_sheet(messages.XLSX_SHEET_SUMMARY), report)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
