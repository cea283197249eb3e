"""Dataset versions: upload, profile, PII scan, column decisions, bad files."""

import io

import pandas as pd
import pytest
from django.test import override_settings
from faker import Faker

from governance.kernel.audit.models import AuditEvent
from governance.kernel.objectstore import blob_delete
from registry.models import Column, DatasetVersion, PIIFlag, ProfileStatus
from tests.conftest import wait_for
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def post_version(client, dataset_id, name, content, **extra):
    return client.post(
        f"/api/v1/datasets/{dataset_id}/versions/",
        {"version": extra.pop("version", "1"), "file": upload(name, content), **extra},
        format="multipart",
    )


def people_csv() -> bytes:
    """People with names, dates of birth, e-mails, IBANs and cards (Faker, seeded)."""

    fake = Faker("en_GB")
    Faker.seed(7)
    rows = [
        {
            "customer_id": i,
            "full_name": fake.name(),
            "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat(),
            "email": fake.email(),
            "iban": fake.iban(),
            "card_number": fake.credit_card_number(),
            "income": fake.random_int(15000, 120000),
            "loan_amount": fake.random_int(500, 50000),
            "defaulted": fake.random_int(0, 1),
        }
        for i in range(300)
    ]
    return pd.DataFrame(rows).to_csv(index=False).encode()


def test_german_credit_profile_and_sensitive_suggestions(scientist, dataset, api, german_csv_bytes):
    response = post_version(
        api(scientist),
        dataset.pk,
        "german.csv",
        german_csv_bytes,
        column_roles='{"risk": "target"}',
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["profile_status"] == "ready"
    assert body["row_count"] == 1000
    assert body["data_format"] == "csv"
    columns = {c["name"]: c for c in body["columns"]}
    assert list(columns) == [
        "risk",
        "sex",
        "job",
        "housing",
        "saving_accounts",
        "checking_account",
        "credit_amount",
        "duration",
        "purpose",
        "age",
    ]
    assert columns["risk"]["role"] == "target"
    df = pd.read_csv(io.BytesIO(german_csv_bytes))
    age = columns["age"]["statistics"]
    assert age["min"] == df.age.min() and age["max"] == df.age.max()
    assert age["mean"] == pytest.approx(df.age.mean(), rel=1e-12)
    assert columns["sex"]["statistics"]["top_values"][0] == ["male", int((df.sex == "male").sum())]
    assert columns["sex"]["is_sensitive"] and columns["age"]["is_sensitive"]
    assert columns["sex"]["sensitive_suggestion"] == "sex"
    assert not columns["credit_amount"]["is_sensitive"]
    # German Credit holds no direct identifiers: any flag would be a false positive.
    assert PIIFlag.objects.count() == 0
    assert "sample_values" not in age


def test_parquet_gives_the_same_profile(scientist, dataset, api, german_csv_bytes):
    buf = io.BytesIO()
    pd.read_csv(io.BytesIO(german_csv_bytes)).to_parquet(buf, index=False)
    response = post_version(api(scientist), dataset.pk, "data.bin", buf.getvalue())
    assert response.status_code == 201
    assert response.json()["data_format"] == "parquet"
    assert response.json()["row_count"] == 1000


def test_personal_data_is_flagged_and_can_be_confirmed_or_dismissed(
    scientist, officer, dataset, api
):
    response = post_version(api(scientist), dataset.pk, "people.csv", people_csv())
    assert response.status_code == 201, response.content
    flags = {c["name"]: {f["category"] for f in c["pii_flags"]} for c in response.json()["columns"]}
    assert "person_name" in flags["full_name"]
    assert "date_of_birth" in flags["date_of_birth"]
    assert "email" in flags["email"]
    assert "iban" in flags["iban"]
    assert "payment_card" in flags["card_number"]
    # No false positives on the numeric business columns.
    assert not flags["income"] and not flags["loan_amount"] and not flags["defaulted"]
    dv = response.json()["id"]
    flag = PIIFlag.objects.get(column__name="email")
    confirmed = api(officer).patch(
        f"/api/v1/dataset-versions/{dv}/columns/email/",
        {"pii_flags": [{"id": flag.pk, "status": "confirmed", "comment": "real customers"}]},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.content
    flag.refresh_from_db()
    assert flag.status == "confirmed" and flag.decided_by == officer and flag.decided_at
    dismissed = api(scientist).patch(
        f"/api/v1/dataset-versions/{dv}/columns/iban/",
        {"pii_status": "dismissed", "comment": "test data"},
        format="json",
    )
    assert dismissed.status_code == 200
    assert {f["status"] for f in dismissed.json()["pii_flags"]} == {"dismissed"}
    assert AuditEvent.objects.filter(action="pii_flag.confirmed").count() == 1
    assert flag.history.count() == 2


def test_column_roles_and_sensitive_flags_can_change_later(scientist, dataset_version, api):
    url = f"/api/v1/dataset-versions/{dataset_version.pk}/columns/"
    client = api(scientist)
    ok = client.patch(url + "risk/", {"role": "target"}, format="json")
    assert ok.status_code == 200 and ok.json()["role"] == "target"
    second = client.patch(url + "duration/", {"role": "target"}, format="json")
    assert second.status_code == 409
    sens = client.patch(url + "purpose/", {"is_sensitive": True}, format="json")
    assert sens.json()["is_sensitive"] is True
    assert client.patch(url + "purpose/", {"role": "chef"}, format="json").status_code == 400
    assert client.patch(url + "purpose/", {}, format="json").status_code == 400
    assert client.patch(url + "nope/", {"role": "feature"}, format="json").status_code == 404
    assert (
        client.patch(
            url + "purpose/", {"pii_flags": [{"id": 999999, "status": "confirmed"}]}, format="json"
        ).status_code
        == 400
    )


def test_explicit_sensitive_columns_override_suggestions(scientist, dataset, api, german_csv_bytes):
    response = post_version(
        api(scientist), dataset.pk, "g.csv", german_csv_bytes, sensitive_columns='["sex"]'
    )
    columns = {c["name"]: c for c in response.json()["columns"]}
    assert columns["sex"]["is_sensitive"] is True
    assert columns["age"]["is_sensitive"] is False
    assert columns["age"]["sensitive_suggestion"] == "age"


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("empty.csv", b"", "empty_file"),
        ("damaged.csv", "name,city\nJosé,Zürich\n".encode() + b"Ana,K\xf6ln\n", "not_utf8"),
        ("ragged.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n", "malformed_csv"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "unsupported_format"),
    ],
)
def test_bad_data_files_are_400(scientist, dataset, api, name, content, code):
    response = post_version(api(scientist), dataset.pk, name, content)
    if response.status_code == 201:
        # Ragged rows may only show when the whole file is read: the profile says so.
        body = response.json()
        assert body["profile_status"] == "failed" and code in body["profile_error"]
        return
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code


def test_truncated_parquet_is_400(scientist, dataset, api, german_csv_bytes):
    buf = io.BytesIO()
    pd.read_csv(io.BytesIO(german_csv_bytes)).to_parquet(buf, index=False)
    response = post_version(api(scientist), dataset.pk, "cut.parquet", buf.getvalue()[:-100])
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"truncated_parquet", "unsupported_format"}
    assert not DatasetVersion.objects.exists()


def test_unknown_columns_in_settings_are_400(scientist, dataset, api, german_csv_bytes):
    response = post_version(
        api(scientist), dataset.pk, "g.csv", german_csv_bytes, column_roles='{"salary": "target"}'
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_columns"
    assert response.json()["error"]["columns"] == ["salary"]


def test_duplicate_dataset_version_is_409(scientist, dataset, api, german_csv_bytes):
    first = post_version(api(scientist), dataset.pk, "g.csv", german_csv_bytes)
    again = post_version(api(scientist), dataset.pk, "g.csv", german_csv_bytes)
    assert again.status_code == 409
    assert again.json()["error"]["existing_id"] == first.json()["id"]


def test_large_files_are_profiled_after_the_upload(
    scientist, dataset, api, german_csv_bytes, django_capture_on_commit_callbacks
):
    with (
        override_settings(PROFILE_INLINE_MAX_BYTES=1000),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = post_version(api(scientist), dataset.pk, "g.csv", german_csv_bytes)
    assert response.status_code == 201
    assert response.json()["profile_status"] == "pending"
    assert response.json()["columns"] == []
    for callback in callbacks:
        callback()
    dv = DatasetVersion.objects.get(pk=response.json()["id"])
    assert dv.profile_status == ProfileStatus.READY and dv.row_count == 1000
    assert Column.objects.filter(dataset_version=dv).count() == 10
    job = dv.profiling_jobs.get()
    assert job.status == "succeeded" and job.progress == 1.0


def test_missing_blob_fails_the_profile_with_a_reason(
    scientist, dataset, api, german_csv_bytes, django_capture_on_commit_callbacks
):
    with (
        override_settings(PROFILE_INLINE_MAX_BYTES=1000),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = post_version(api(scientist), dataset.pk, "g.csv", german_csv_bytes)
    dv = DatasetVersion.objects.get(pk=response.json()["id"])
    blob_delete(dv.blob.sha256)
    for callback in callbacks:
        callback()
    dv.refresh_from_db()
    assert dv.profile_status == ProfileStatus.FAILED
    job = dv.profiling_jobs.get()
    assert job.status == "failed" and job.error_code == "input_missing"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_profiles_a_large_file(
    celery_worker_process, scientist, dataset, api, german_csv_bytes
):

    with override_settings(PROFILE_INLINE_MAX_BYTES=1000):
        response = post_version(api(scientist), dataset.pk, "g.csv", german_csv_bytes)
    assert response.status_code == 201
    assert response.json()["profile_status"] == "pending"
    dv = wait_for(
        lambda: DatasetVersion.objects.filter(
            pk=response.json()["id"], profile_status=ProfileStatus.READY
        ).first(),
        timeout=90,
    )
    assert dv.row_count == 1000
    detail = api(scientist).get(f"/api/v1/dataset-versions/{dv.pk}/").json()
    assert {c["name"] for c in detail["columns"] if c["is_sensitive"]} >= {"sex", "age"}
    job = dv.profiling_jobs.get()
    assert job.worker.startswith("test-") and job.attempts == 1


def test_personal_data_columns_keep_no_raw_values(scientist, dataset, api):
    response = post_version(api(scientist), dataset.pk, "people.csv", people_csv())
    columns = {c["name"]: c for c in response.json()["columns"]}
    email = columns["email"]["statistics"]
    assert email["redacted"] is True and email["top_values"] == [] and email["min"] is None
    assert "@" not in str(columns["email"]["statistics"])
    assert columns["income"]["statistics"]["max"] is not None
