"""Data files as people have them, and every way an ingest can fail: each ends in a clear state.

Small files are profiled before the upload answers (a 400 that says what to fix, nothing
stored); large ones in a worker (here: the commit callbacks run by hand, in-process), which
ends the version "ready" or "failed" with a reason. The real-worker variants are at the end.
"""

from __future__ import annotations

import io
import json
import os
import signal
import time
from datetime import timedelta

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.test import override_settings
from django.utils import timezone

from governance.celery import app
from governance.kernel.audit.models import AuditEvent
from governance.kernel.jobs.models import JobStatus
from registry.models import Column, DatasetVersion, PIIFlag, ProfileStatus, ProfilingJob
from registry.services import datasets as dataset_services
from registry.services.datasets import dataset_versions_sweep_stale
from tests.conftest import wait_for
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def post(client, dataset_id, name, content, **extra):
    return client.post(
        f"/api/v1/datasets/{dataset_id}/versions/",
        {"version": extra.pop("version", "1"), "file": upload(name, content), **extra},
        format="multipart",
    )


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# The two bugs of the report
# --------------------------------------------------------------------------------------------


def test_duplicate_headers_are_kept_renamed_and_named_in_a_warning(scientist, dataset, api):
    content = b"name,name,city,name\nmiguel,hernandez,Madrid,x\nana,lopez,Sevilla,y\n" * 10
    response = post(api(scientist), dataset.pk, "dup.csv", content)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["profile_status"] == "ready"
    assert [c["name"] for c in body["columns"]] == ["name", "name.1", "city", "name.2"]
    (warning,) = [w for w in body["profile_warnings"] if w["code"] == "duplicate_columns"]
    assert warning["columns"] == ["name.1", "name.2"]
    assert "'name'" in warning["message"] and "pandas" in warning["message"]
    # The names match what pandas gives the same file.
    assert list(pd.read_csv(io.BytesIO(content)).columns) == ["name", "name.1", "city", "name.2"]


def test_lower_case_first_and_last_names_in_their_own_columns_are_found(scientist, dataset, api):
    rows = ["vorname,nachname,betrag"] + [
        f"{first},{last},{i * 3}"
        for i, (first, last) in enumerate(
            [("miguel", "hernandez"), ("ana", "garcia"), ("lucia", "martinez"), ("jose", "lopez"),
             ("carmen", "sanchez"), ("pablo", "gomez"), ("elena", "diaz"), ("javier", "ruiz"),
             ("sofia", "moreno"), ("diego", "alvarez"), ("laura", "romero"), ("pedro", "navarro")]
            * 3
        )
    ]  # fmt: skip
    response = post(api(scientist), dataset.pk, "people.csv", "\n".join(rows).encode())
    flags = {c["name"]: {f["category"] for f in c["pii_flags"]} for c in response.json()["columns"]}
    assert flags == {"vorname": {"person_name"}, "nachname": {"person_name"}, "betrag": set()}


# --------------------------------------------------------------------------------------------
# Files as people have them
# --------------------------------------------------------------------------------------------


def test_utf8_bom_and_windows_1252_with_semicolons_and_decimal_commas(scientist, dataset, api):
    bom = "\ufeffid,città\n1,Milano\n2,Torino\n".encode()
    first = post(api(scientist), dataset.pk, "bom.csv", bom)
    assert first.status_code == 201
    assert first.json()["encoding"] == "utf-8-sig"
    assert [c["name"] for c in first.json()["columns"]] == ["id", "città"]
    text = "Nom;Montant;Ville\n" + "".join(
        f"Renée {i};{i},5;Zürich\n" for i in range(20)
    )  # fmt: skip
    second = post(api(scientist), dataset.pk, "export.csv", text.encode("cp1252"), version="2")
    body = second.json()
    assert second.status_code == 201, second.content
    assert body["encoding"] == "cp1252"
    columns = {c["name"]: c for c in body["columns"]}
    assert columns["Montant"]["dtype"] == "float"
    assert columns["Montant"]["statistics"]["mean"] == pytest.approx(
        np.mean([i + 0.5 for i in range(20)])
    )
    assert columns["Ville"]["statistics"]["top_values"] == [["Zürich", 20]]
    codes = {w["code"] for w in body["profile_warnings"]}
    assert {"legacy_encoding", "decimal_comma"} <= codes


def test_quoted_newlines_mixed_types_and_empty_columns(scientist, dataset, api):
    content = b'id,comment,mixed,empty\n1,"line one\nline two",5,\n2,"plain",x,\n3,"a, b",7.5,\n'
    response = post(api(scientist), dataset.pk, "odd.csv", content)
    body = response.json()
    assert body["row_count"] == 3
    columns = {c["name"]: c for c in body["columns"]}
    assert columns["mixed"]["dtype"] == "string"
    assert columns["empty"]["statistics"]["null_count"] == 3
    (empty,) = [w for w in body["profile_warnings"] if w["code"] == "empty_columns"]
    assert empty["columns"] == ["empty"]


def test_very_wide_csv(scientist, dataset, api):
    width = 2_500
    header = ",".join(f"f{i}" for i in range(width))
    rows = "\n".join(",".join(str((r * i) % 97) for i in range(width)) for r in range(5))
    response = post(api(scientist), dataset.pk, "wide.csv", f"{header}\n{rows}\n".encode())
    assert response.status_code == 201, response.content[:300]
    assert response.json()["profile_status"] == "ready"
    assert Column.objects.filter(dataset_version_id=response.json()["id"]).count() == width


def test_parquet_with_nested_columns(scientist, dataset, api):
    table = pa.table(
        {
            "id": list(range(30)),
            "person": [
                {"email": f"user{i}@example.org", "address": {"city": "Lyon", "zip": "69001"}}
                for i in range(30)
            ],
            "tags": [["a", "b"]] * 30,
        }
    )
    response = post(api(scientist), dataset.pk, "nested.parquet", parquet_bytes(table))
    body = response.json()
    assert response.status_code == 201, response.content
    names = [c["name"] for c in body["columns"]]
    assert names == ["id", "person.email", "person.address.city", "person.address.zip", "tags"]
    flags = {c["name"]: {f["category"] for f in c["pii_flags"]} for c in body["columns"]}
    assert "email" in flags["person.email"]
    assert any(w["code"] == "nested_columns" for w in body["profile_warnings"])


def test_excel_first_sheet_or_a_named_one(scientist, dataset, api):
    content = xlsx_bytes(
        {
            "Summary": [["kpi", "value"], ["rows", 3], ["ok", True]],
            "People": [["Vorname", "Geburtsdatum", "Betrag"]]
            + [
                ["Jürgen", pd.Timestamp(1980 + i, 1, 2).to_pydatetime(), 1.5 * i] for i in range(12)
            ],
        }
    )
    first = post(api(scientist), dataset.pk, "book.xlsx", content)
    assert first.status_code == 201, first.content
    assert first.json()["data_format"] == "xlsx" and first.json()["sheet"] == "Summary"
    assert any(w["code"] == "other_sheets" for w in first.json()["profile_warnings"])
    named = post(api(scientist), dataset.pk, "book.xlsx", content, version="2", sheet="People")
    body = named.json()
    assert named.status_code == 201, named.content
    assert body["sheet"] == "People" and body["row_count"] == 12
    columns = {c["name"]: c for c in body["columns"]}
    assert columns["Geburtsdatum"]["dtype"] == "datetime"
    assert columns["Betrag"]["dtype"] == "float"
    assert "date_of_birth" in {f["category"] for f in columns["Geburtsdatum"]["pii_flags"]}
    missing = post(api(scientist), dataset.pk, "book.xlsx", content, version="3", sheet="Nope")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "unknown_sheet"
    assert "'People'" in missing.json()["error"]["message"]


def test_json_lines(scientist, dataset, api):
    lines = [
        json.dumps({"id": i, "contact": {"email": f"p{i}@example.com"}, "score": i / 3})
        for i in range(20)
    ]
    lines.append(json.dumps({"id": 20, "late_key": "only here"}))
    response = post(api(scientist), dataset.pk, "events.jsonl", "\n".join(lines).encode())
    body = response.json()
    assert response.status_code == 201, response.content
    assert body["data_format"] == "jsonl" and body["row_count"] == 21
    columns = {c["name"]: c for c in body["columns"]}
    assert list(columns) == ["id", "contact.email", "score", "late_key"]
    assert columns["late_key"]["statistics"]["null_count"] == 20
    assert "email" in {f["category"] for f in columns["contact.email"]["pii_flags"]}


# --------------------------------------------------------------------------------------------
# Every way a small file can fail: a 400 that says what to fix, nothing stored
# --------------------------------------------------------------------------------------------

GERMAN = pd.DataFrame({"a": range(50), "b": ["x"] * 50})
CUT_PARQUET = parquet_bytes(pa.Table.from_pandas(GERMAN))[:-40]
OLD_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


@pytest.mark.parametrize(
    ("name", "content", "code", "hint"),
    [
        ("empty.csv", b"", "empty_file", "empty"),
        ("header.csv", b"name,age,city\n", "no_rows", "no data rows"),
        ("damaged.csv", "a,b\nJosé,1\n".encode() + b"Ana,\xff\n", "not_utf8", "offset"),
        ("junk.bin", bytes(range(256)) * 40, "unsupported_format", "binary"),
        ("cut.parquet", CUT_PARQUET, "truncated_parquet", "cut short"),
        ("ragged.csv", b"a,b,c\n1,2,3\n4,5\n", "malformed_csv", "Line 3"),
        ("broken.jsonl", b'{"a": 1}\n{"a": 2\n', "malformed_jsonl", "Line 2"),
        ("list.json", b'[{"a": 1}]', "unsupported_format", "JSON Lines"),
        ("book.xlsx", b"PK\x03\x04" + b"\x00" * 200, "corrupt_xlsx", "upload"),
        ("old.xls", OLD_XLS, "unsupported_format", ".xlsx"),
    ],
    ids=["empty", "header-only", "bad-encoding", "binary-junk", "truncated-parquet", "ragged",
         "broken-jsonl", "json-array", "broken-xlsx", "legacy-xls"],
)  # fmt: skip
def test_small_bad_files_are_a_400_that_says_what_to_fix(
    scientist, dataset, api, name, content, code, hint
):
    response = post(api(scientist), dataset.pk, name, content)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert hint in error["message"]
    assert not DatasetVersion.objects.exists()


def test_sheet_is_only_for_workbooks(scientist, dataset, api):
    response = post(api(scientist), dataset.pk, "a.csv", b"a,b\n1,2\n", sheet="People")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "sheet_not_applicable"


# --------------------------------------------------------------------------------------------
# Large files fail in the worker: the version says failed, why, and can be profiled again
# --------------------------------------------------------------------------------------------


def _register_large(api, user, dataset, name, content, callbacks_fixture, **extra):
    with (
        override_settings(PROFILE_INLINE_MAX_BYTES=10),
        callbacks_fixture(execute=True),
    ):
        response = post(api(user), dataset.pk, name, content, **extra)
    assert response.status_code == 201, response.content
    return DatasetVersion.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("header.csv", b"name,age,city\n", "no_rows"),
        ("ragged.csv", b"a,b,c\n" + b"1,2,3\n" * 50 + b"4,5\n", "malformed_csv"),
        ("late.jsonl", b'{"a": 1}\n' * 1500 + b"not json\n", "malformed_jsonl"),
    ],
    ids=["header-only", "ragged", "broken-jsonl"],
)
def test_worker_failures_end_failed_with_a_reason(
    scientist, dataset, api, django_capture_on_commit_callbacks, name, content, code
):
    with override_settings(PROFILE_INLINE_MAX_BYTES=10):
        # Upload-time checks read only the header; these files break later on.
        dv = _register_large(
            api, scientist, dataset, name, content, django_capture_on_commit_callbacks
        )
    dv.refresh_from_db()
    assert dv.profile_status == ProfileStatus.FAILED
    assert dv.profile_error_code == code
    assert dv.profile_error and code not in dv.profile_error  # a sentence, not a code
    job = dv.profiling_jobs.get()
    assert job.status == JobStatus.FAILED and job.error_code == code
    assert AuditEvent.objects.filter(action="dataset_version.profile_failed").count() == 1
    detail = api(scientist).get(f"/api/v1/dataset-versions/{dv.pk}/").json()
    assert detail["profile_status"] == "failed" and detail["profile_error"] == dv.profile_error


def test_an_unexpected_error_fails_the_version_and_reprofile_recovers(
    scientist, dataset, api, django_capture_on_commit_callbacks, monkeypatch, german_csv_bytes
):
    def broken(*args, **kwargs):
        raise RuntimeError("scanner exploded")

    monkeypatch.setattr(dataset_services, "scan_columns", broken)
    dv = _register_large(
        api, scientist, dataset, "g.csv", german_csv_bytes, django_capture_on_commit_callbacks
    )
    dv.refresh_from_db()
    assert dv.profile_status == ProfileStatus.FAILED
    assert dv.profile_error_code == "internal_error"
    assert "RuntimeError" in dv.profile_error and "re-profile" in dv.profile_error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(scientist).post(f"/api/v1/dataset-versions/{dv.pk}/reprofile/")
    assert response.status_code == 200, response.content
    dv.refresh_from_db()
    assert dv.profile_status == ProfileStatus.READY and dv.row_count == 1000
    assert dv.profiling_jobs.count() == 2
    event = AuditEvent.objects.get(action="dataset_version.reprofile_requested")
    assert event.actor == scientist
    assert event.payload["before"] == {"status": "failed", "error_code": "internal_error"}
    again = api(scientist).post(f"/api/v1/dataset-versions/{dv.pk}/reprofile/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_profiled"


def test_reprofile_is_refused_while_a_job_runs_and_for_other_teams(
    scientist, outsider, auditor, dataset, api, german_csv_bytes, django_capture_on_commit_callbacks
):
    with (
        override_settings(PROFILE_INLINE_MAX_BYTES=10),
        django_capture_on_commit_callbacks(execute=False),
    ):
        response = post(api(scientist), dataset.pk, "g.csv", german_csv_bytes)
    dv_id = response.json()["id"]
    busy = api(scientist).post(f"/api/v1/dataset-versions/{dv_id}/reprofile/")
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "profiling_in_progress"
    assert api(outsider).post(f"/api/v1/dataset-versions/{dv_id}/reprofile/").status_code == 404
    assert api(auditor).post(f"/api/v1/dataset-versions/{dv_id}/reprofile/").status_code == 403


def test_a_worker_that_keeps_dying_fails_the_version(
    scientist, dataset, api, german_csv_bytes, django_capture_on_commit_callbacks
):
    """A file that kills every worker reading it is redelivered a bounded number of times."""
    with (
        override_settings(PROFILE_INLINE_MAX_BYTES=10),
        django_capture_on_commit_callbacks(execute=False),
    ):
        response = post(api(scientist), dataset.pk, "g.csv", german_csv_bytes)
    job = ProfilingJob.objects.get(dataset_version_id=response.json()["id"])
    # Two earlier deliveries were claimed and never finished: their workers died.
    ProfilingJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=2)
    dataset_services.dataset_version_profile(job_id=job.pk)
    dv = DatasetVersion.objects.get(pk=response.json()["id"])
    assert dv.profile_status == ProfileStatus.FAILED and dv.profile_error_code == "worker_lost"
    assert "stopped 2 times" in dv.profile_error


# --------------------------------------------------------------------------------------------
# The sweep: nothing stays pending
# --------------------------------------------------------------------------------------------


def _pending_version(api, scientist, dataset, content, callbacks, version="1"):
    with override_settings(PROFILE_INLINE_MAX_BYTES=10), callbacks(execute=False):
        response = post(api(scientist), dataset.pk, "g.csv", content, version=version)
    return DatasetVersion.objects.get(pk=response.json()["id"])


def test_sweep_fails_stale_pending_versions_with_the_reason(
    scientist, dataset, api, german_csv_bytes, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    never_picked = _pending_version(api, scientist, dataset, german_csv_bytes, capture, "1")
    failed_job = _pending_version(api, scientist, dataset, german_csv_bytes, capture, "2")
    dead_worker = _pending_version(api, scientist, dataset, german_csv_bytes, capture, "3")
    alive = _pending_version(api, scientist, dataset, german_csv_bytes, capture, "4")
    fresh = _pending_version(api, scientist, dataset, german_csv_bytes, capture, "5")
    now = timezone.now()
    old = now - timedelta(minutes=30)
    ProfilingJob.objects.exclude(dataset_version=fresh).update(queued_at=old)
    # The original bug: the job failed, the version was never told.
    ProfilingJob.objects.filter(dataset_version=failed_job).update(
        status=JobStatus.FAILED,
        error_code="error",
        error_message="IntegrityError: duplicate key value violates unique constraint",
    )
    ProfilingJob.objects.filter(dataset_version=dead_worker).update(
        status=JobStatus.RUNNING, started_at=old - timedelta(hours=2)
    )
    ProfilingJob.objects.filter(dataset_version=alive).update(
        status=JobStatus.RUNNING, started_at=now - timedelta(minutes=1)
    )
    swept = dataset_versions_sweep_stale(now=now)
    assert sorted(swept) == sorted([never_picked.pk, failed_job.pk, dead_worker.pk])
    states = {
        dv.pk: (dv.profile_status, dv.profile_error_code, dv.profile_error)
        for dv in DatasetVersion.objects.all()
    }
    assert states[never_picked.pk][:2] == ("failed", "not_started")
    assert "No worker started profiling within 10 minutes" in states[never_picked.pk][2]
    assert states[failed_job.pk][:2] == ("failed", "error")
    assert "IntegrityError" in states[failed_job.pk][2]
    assert states[dead_worker.pk][:2] == ("failed", "worker_lost")
    assert states[alive.pk][0] == states[fresh.pk][0] == "pending"
    assert ProfilingJob.objects.filter(dataset_version=never_picked).get().status == "failed"
    assert dataset_versions_sweep_stale(now=now) == []  # idempotent


def test_the_sweep_is_scheduled_by_beat():
    entry = app.conf.beat_schedule["dataset-versions-sweep"]
    assert entry["task"] == "registry.dataset_versions_sweep"
    assert "registry.dataset_versions_sweep" in app.tasks


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def test_page_shows_the_reason_the_warnings_and_a_reprofile_button(
    client,
    scientist,
    dataset,
    api,
    german_csv_bytes,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    monkeypatch.setattr(dataset_services, "scan_columns", lambda *a, **k: 1 / 0)
    dv = _register_large(
        api, scientist, dataset, "g.csv", german_csv_bytes, django_capture_on_commit_callbacks
    )
    monkeypatch.undo()
    client.force_login(scientist)
    page = client.get(f"/dataset-versions/{dv.pk}/").content.decode()
    assert "Profiling failed." in page and "ZeroDivisionError" in page
    assert "Profile again" in page
    response = client.post(f"/dataset-versions/{dv.pk}/reprofile/")
    assert response.status_code == 302
    dv.refresh_from_db()
    assert dv.profile_status == "ready"
    dup = post(api(scientist), dataset.pk, "dup.csv", b"a,a\n1,2\n3,4\n", version="2").json()
    page = client.get(f"/dataset-versions/{dup['id']}/").content.decode()
    assert "a.1" in page and "repeats" in page
    assert "Profile again" not in page


# --------------------------------------------------------------------------------------------
# Real worker (PostgreSQL + Redis): the same clear ends, within a minute
# --------------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_ends_bad_and_duplicate_header_files_clearly(
    celery_worker_process, scientist, dataset, api
):
    with override_settings(PROFILE_INLINE_MAX_BYTES=10):
        bad = post(api(scientist), dataset.pk, "r.csv", b"a,b,c\n" + b"1,2,3\n" * 50 + b"4,5\n")
        dup = post(api(scientist), dataset.pk, "d.csv", b"x,x\n1,2\n" * 20, version="2")
    assert bad.status_code == dup.status_code == 201
    failed = wait_for(
        lambda: DatasetVersion.objects.filter(pk=bad.json()["id"], profile_status="failed").first(),
        timeout=60,
    )
    assert failed.profile_error_code == "malformed_csv" and "Line 52" in failed.profile_error
    ready = wait_for(
        lambda: DatasetVersion.objects.filter(pk=dup.json()["id"], profile_status="ready").first(),
        timeout=60,
    )
    assert [c.name for c in ready.columns.order_by("position")] == ["x", "x.1"]
    assert ready.profile_warnings[0]["code"] == "duplicate_columns"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_killed_mid_profile_is_redelivered_and_finishes(
    celery_worker_process, scientist, dataset, api, tmp_path
):
    """SIGKILL the worker's child while it profiles: the task comes back, the version ends."""
    rng = np.random.default_rng(1)
    rows = 1_500_000
    frame = pd.DataFrame({"a": rng.integers(0, 10**6, rows), "b": rng.normal(size=rows).round(3)})
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    with override_settings(PROFILE_INLINE_MAX_BYTES=10), path.open("rb") as fh:
        response = post(api(scientist), dataset.pk, "big.csv", fh.read())
    dv_id = response.json()["id"]
    wait_for(
        lambda: ProfilingJob.objects.filter(dataset_version_id=dv_id, status="running").exists(),
        timeout=60,
        interval=0.05,
    )
    children = _children(celery_worker_process.pid)
    assert children
    for child in children:
        os.kill(child, signal.SIGKILL)
    started = time.monotonic()
    done = wait_for(
        lambda: DatasetVersion.objects.filter(pk=dv_id).exclude(profile_status="pending").first(),
        timeout=120,
    )
    assert done.profile_status == "ready", done.profile_error
    assert done.row_count == rows
    job = ProfilingJob.objects.get(dataset_version_id=dv_id)
    assert job.attempts == 2
    assert time.monotonic() - started < 90
    assert PIIFlag.objects.filter(column__dataset_version_id=dv_id).count() == 0


def _children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    with open(path) as fh:
        return [int(p) for p in fh.read().split()]
