"""Tables downloaded from a page: the same rows as the page, as CSV or as an Excel workbook.

A page builds its filtered queryset once and hands rows of plain values here; this module only
writes them. Text that a spreadsheet would run as a formula (a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written with a leading apostrophe in both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import openpyxl
from django.http import Http404, HttpResponse
from django.utils import timezone
from openpyxl.styles import Font

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_format(value: str) -> str:
    """The format asked for in the URL, or a 404 for any other."""
    if value not in EXPORT_FORMATS:
        raise Http404("Exports are CSV or XLSX.")
    return value


def _safe_text(text: str) -> str:
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def _cell(value):
    """A value as a workbook cell: numbers and dates keep their type (timezone-aware times in
    the site's zone, written without it), text is made formula-safe, nothing is ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (int, float, date)):
        return value
    return _safe_text(str(value))


def _csv_cell(value) -> str:
    cell = _cell(value)
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def tabular_response(
    *, fmt: str, filename: str, columns: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    """A download of ``rows`` under ``columns``; ``filename`` without its extension."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        # A byte-order mark so that Excel opens the UTF-8 file with its accents intact.
        body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    else:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(title=filename[:31])
        sheet.freeze_panes = "A2"
        header = []
        for name in columns:
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        body = out.getvalue()
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
