"""Tables downloaded from a page: the same rows as the page, as CSV or as an Excel workbook.

A page builds its filtered queryset once and hands rows of plain values here; this module
records the download in the audit trail and writes the rows without holding them: CSV is
streamed to the client as it is written, the workbook (openpyxl's write-only mode) is written
to a temporary file that is then streamed and deleted. Text that a spreadsheet would run as a
formula (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
written with a leading apostrophe in both formats.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime

import openpyxl
from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from openpyxl.styles import Font

from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record

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


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def write(self, text: str) -> str:
        return text


# Rows per chunk sent to the client: large enough to keep the overhead low, small enough that
# the chunk stays a few hundred kilobytes.
CSV_CHUNK_ROWS = 500


def _csv_chunks(columns: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    # A byte-order mark so that Excel opens the UTF-8 file with its accents intact.
    chunk = ["\ufeff", writer.writerow(columns)]
    for row in rows:
        chunk.append(writer.writerow([_csv_cell(v) for v in row]))
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def _workbook_file(title: str, columns: Sequence[str], rows: Iterable[Sequence]):
    """The workbook in a temporary file (deleted when closed), rewound for reading."""
    handle = tempfile.TemporaryFile(dir=settings.VAR_DIR / "tmp")  # noqa: SIM115 - the response closes it
    try:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(title=title[:31])
        sheet.freeze_panes = "A2"
        header = []
        for name in columns:
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        book.save(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def export_record(
    *, actor: User, subject: str, fmt: str, filters: Mapping[str, object], row_count: int
) -> None:
    """The download in the audit trail (``<subject>.exported``): who, which filters (only
    those set), how many rows and in which format. Written before the first byte is sent, so
    a download that breaks off is recorded too."""
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action=f"{subject}.exported",
            payload={
                "format": fmt,
                "filters": {k: v for k, v in sorted(filters.items()) if v},
                "rows": row_count,
            },
        )


def tabular_response(
    *,
    fmt: str,
    filename: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    actor: User,
    subject: str,
    filters: Mapping[str, object],
    row_count: int,
) -> StreamingHttpResponse:
    """A download of ``rows`` under ``columns``; ``filename`` without its extension.
    ``row_count`` (the queryset's count) goes into the audit event the download writes."""
    export_record(actor=actor, subject=subject, fmt=fmt, filters=filters, row_count=row_count)
    stamp = timezone.localdate().isoformat()
    name = f"{filename}-{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_chunks(columns, rows), content_type=EXPORT_FORMATS[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = FileResponse(
            _workbook_file(filename, columns, rows),
            as_attachment=True,
            filename=name,
            content_type=EXPORT_FORMATS[fmt],
        )
    response["Cache-Control"] = "no-store"
    return response
