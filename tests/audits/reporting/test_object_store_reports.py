"""Reports, evidence packs and check charts kept in an S3-compatible bucket (moto's server
over HTTP): rendered, stored under their hash, downloaded and verified from the bucket."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from audits.runs.models.checks import CheckRun
from governance.kernel.objectstore import (
    blob_delete,
    blob_name,
    blob_put_file,
    blob_storage,
    is_remote,
)
from tests.audits.reporting.test_reports_api import approved_high_risk, generate

pytestmark = pytest.mark.django_db
__all__ = ["approved_high_risk"]


def stored_in_bucket(server, sha256: str) -> int:
    storage = blob_storage()
    key = f"{storage.location}/{blob_name(sha256)}".lstrip("/")
    return server.client().head_object(Bucket=storage.bucket_name, Key=key)["ContentLength"]


def test_report_pack_and_charts_come_from_the_bucket(
    s3_blobs, approved_high_risk, auditor, api, django_capture_on_commit_callbacks, tmp_path
):
    assert is_remote()
    client = api(auditor)
    report = generate(client, approved_high_risk, "model_card", django_capture_on_commit_callbacks)
    assert stored_in_bucket(s3_blobs, report.sha256) == report.size

    pdf = client.get(f"/api/v1/reports/{report.pk}/download/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == report.sha256
    pack = zipfile.ZipFile(
        io.BytesIO(client.get(f"/api/v1/reports/{report.pk}/evidence-pack/").content)
    )
    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["files"][report.filename] == report.sha256
    assert pack.read(report.filename) == pdf.content
    verdict = client.post(f"/api/v1/reports/{report.pk}/verify/").json()
    assert verdict["stored_file_intact"] is True

    run = CheckRun.objects.filter(model_version=approved_high_risk, kind="fairness").first()
    name, sha = next(iter(run.charts.items()))
    assert stored_in_bucket(s3_blobs, sha) > 0
    chart = client.get(f"/api/v1/checks/{run.pk}/charts/{name}.png")
    assert chart.status_code == 200
    assert hashlib.sha256(b"".join(chart.streaming_content)).hexdigest() == sha

    # Gone from the bucket: the download says so (410), the verification notices. (The
    # chart goes back afterwards: identical charts of other tests share its name.)
    png = b"".join(client.get(f"/api/v1/checks/{run.pk}/charts/{name}.png").streaming_content)
    blob_delete(report.sha256)
    assert client.get(f"/api/v1/reports/{report.pk}/download/").status_code == 410
    assert client.post(f"/api/v1/reports/{report.pk}/verify/").json()["stored_file_intact"] is False
    blob_delete(sha)
    try:
        assert client.get(f"/api/v1/checks/{run.pk}/charts/{name}.png").status_code == 410
    finally:
        temp = tmp_path / "chart.png"
        temp.write_bytes(png)
        blob_put_file(temp_path=str(temp), sha256=sha, size=len(png))
