"""A label taken between a registration's check and its insert, and the same bytes stored twice
at once: the database decides, the client gets the 409 naming the version that won, and
nothing of the losing registration is left behind."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection, transaction

from governance.kernel.audit.models import AuditEvent
from governance.kernel.errors import Conflict
from registry.models import Blob, ModelVersion
from registry.services import versions
from registry.storage import blob_store
from tests.registry.conftest import upload


def _taken_meanwhile(monkeypatch, model, scientist, label):
    """Commit a competing version with ``label`` right after the service's own check (the
    artefact is spooled after it), as a concurrent request would."""
    real = versions.spool_to_incoming
    winner = {}

    def spool_then_lose(artefact):
        winner["id"] = ModelVersion.objects.create(
            model=model, version=label, created_by=scientist
        ).pk
        return real(artefact)

    monkeypatch.setattr(versions, "spool_to_incoming", spool_then_lose)
    return winner


def _refused(scientist, model, label: str, content: bytes) -> Conflict:
    with pytest.raises(Conflict) as refused:
        versions.model_version_register(
            actor=scientist, model=model, version=label, artefact=upload("m.json", content)
        )
    return refused.value


@pytest.mark.django_db(transaction=True)
def test_a_label_taken_meanwhile_is_409_without_a_transaction_of_the_caller(
    monkeypatch, scientist, model, xgb_json_bytes
):
    winner = _taken_meanwhile(monkeypatch, model, scientist, "race")
    events = AuditEvent.objects.count()
    assert not connection.in_atomic_block
    refused = _refused(scientist, model, "race", xgb_json_bytes)
    assert refused.code == "duplicate_version"
    assert refused.extra["existing_id"] == winner["id"]
    # The losing registration left no row, no blob row and no event; the connection is usable.
    assert list(ModelVersion.objects.filter(model=model).values_list("pk", flat=True)) == [
        winner["id"]
    ]
    assert not Blob.objects.exists()
    assert AuditEvent.objects.count() == events
    monkeypatch.undo()
    again = versions.model_version_register(
        actor=scientist, model=model, version="race-2", artefact=upload("m.json", xgb_json_bytes)
    )
    assert again.artefact.sha256 and again.version == "race-2"


@pytest.mark.django_db(transaction=True)
def test_a_label_taken_meanwhile_inside_a_callers_transaction_keeps_it_usable(
    monkeypatch, scientist, model, xgb_json_bytes
):
    winner = _taken_meanwhile(monkeypatch, model, scientist, "race")
    with transaction.atomic():
        refused = _refused(scientist, model, "race", xgb_json_bytes)
        assert refused.extra["existing_id"] == winner["id"]
        # Still usable: the caller goes on in the same transaction.
        assert ModelVersion.objects.filter(model=model).count() == 1


@pytest.mark.django_db
def test_storing_the_same_bytes_again_reuses_the_row(tmp_path):
    first_file = tmp_path / "a"
    first_file.write_bytes(b"same bytes")
    digest = hashlib.sha256(b"same bytes").hexdigest()
    first = blob_store(temp_path=str(first_file), sha256=digest, size=10, detected_format="onnx")
    assert first.created and first.blob.pk == Blob.objects.get(sha256=digest).pk
    assert Blob.objects.get(pk=first.blob.pk).created_at == first.blob.created_at
    second_file = tmp_path / "b"
    second_file.write_bytes(b"same bytes")
    second = blob_store(temp_path=str(second_file), sha256=digest, size=10, detected_format="onnx")
    assert not second.created and second.blob.pk == first.blob.pk
    assert Blob.objects.count() == 1
