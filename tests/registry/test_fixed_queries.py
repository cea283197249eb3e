"""Reads by primary key compiled once (governance/kernel/queries.py) give the instances the ORM
gives: every column, every related object joined, nulls and converters alike, on both
databases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.kernel.queries import FixedGet
from registry import selectors
from registry.models import Model, ModelVersion
from registry.services.versions import model_version_register_external

pytestmark = pytest.mark.django_db

RELATIONS = ("model", "model.system", "model.system.team", "artefact", "created_by", "submitted_by")


def _columns(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _walk(obj, path: str):
    for name in path.split("."):
        obj = None if obj is None else getattr(obj, name)
    return obj


def _same(fixed, orm) -> None:
    assert type(fixed) is type(orm)
    assert _columns(fixed) == _columns(orm)
    assert fixed._state.adding is False and fixed._state.db == orm._state.db
    for path in RELATIONS:
        a, b = _walk(fixed, path), _walk(orm, path)
        assert (a is None) == (b is None), path
        if a is not None:
            assert _columns(a) == _columns(b), path


def _orm(pk: int) -> ModelVersion:
    return ModelVersion.objects.select_related(*selectors.MODEL_VERSION_RELATIONS).get(pk=pk)


def test_a_version_read_by_the_fixed_statement_equals_the_orms(
    model_version, officer, scientist, model
):
    _same(selectors.model_version_seen(model_version.pk), _orm(model_version.pk))
    # A submitted version (the nullable join filled), and a version without an artefact.
    ModelVersion.objects.filter(pk=model_version.pk).update(
        submitted_by=officer, submitted_at=timezone.now(), hyperparameters={"depth": [3, 4]}
    )
    _same(selectors.model_version_seen(model_version.pk), _orm(model_version.pk))
    external = model_version_register_external(
        actor=scientist, model=model, version="hosted", provider="acme", model_id="m-1"
    )
    fixed = selectors.model_version_seen(external.pk)
    _same(fixed, _orm(external.pk))
    assert fixed.artefact is None and fixed.submitted_by is None


def test_the_related_objects_come_with_the_row(model_version):
    selectors.model_version_seen(model_version.pk)  # compiled on first use
    with CaptureQueriesContext(connection) as queries:
        mv = selectors.model_version_seen(model_version.pk)
        assert mv.model.system.team.slug and mv.artefact.sha256 and mv.created_by.username
    assert len(queries) == 1


def test_a_missing_row_raises_does_not_exist(model_version):
    with pytest.raises(ModelVersion.DoesNotExist):
        selectors.model_version_seen(model_version.pk + 10_000)


def test_the_registration_model_read(scientist, outsider, model):
    found = selectors.model_to_register_into(actor=scientist, pk=model.pk)
    orm = Model.objects.select_related("system__team").get(pk=model.pk)
    assert _columns(found) == _columns(orm)
    assert _columns(found.system.team) == _columns(orm.system.team)
    assert selectors.model_to_register_into(actor=outsider, pk=model.pk) is None
    assert selectors.model_to_register_into(actor=scientist, pk=model.pk + 10_000) is None


def test_a_shape_that_depends_on_more_than_the_key_is_refused(model):
    with pytest.raises(ValueError):
        FixedGet(lambda: Model.objects.filter(name="x")).get(model.pk)
    with pytest.raises(ValueError):
        FixedGet(lambda: Model.objects.prefetch_related("versions")).get(model.pk)
