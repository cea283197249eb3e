"""One input and one output serializer per endpoint; they validate, never act.

Status, owner, hash and format fields are output-only: clients cannot set them.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.kernel.accounts.models import Team
from registry.api.fields import JSONTextField
from registry.models import (
    AISystem,
    ArtefactSource,
    Column,
    ColumnRole,
    Dataset,
    DatasetVersion,
    EdgeKind,
    Model,
    ModelTask,
    ModelVersion,
    PIIFlag,
    PIIStatus,
    Verification,
)
from registry.services.systems import SYSTEM_FIELDS

LABEL = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\Z"
DOC_FIELDS = sorted(SYSTEM_FIELDS - {"name", "human_oversight_measures"})


class OversightMeasureSerializer(serializers.Serializer):
    """One human oversight measure (Art. 14): what it is, who applies it, when and how."""

    measure = serializers.CharField(max_length=500)
    who = serializers.CharField(max_length=200)
    when = serializers.CharField(max_length=200)
    how = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


# --- systems --------------------------------------------------------------------------------
class SystemSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = AISystem
        fields = [
            "id",
            "team",
            "name",
            *DOC_FIELDS,
            "human_oversight_measures",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SystemCreateSerializer(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    name = serializers.CharField(max_length=200)

    def get_fields(self):
        fields = super().get_fields()
        for name in DOC_FIELDS:
            fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=20000)
        return fields


class SystemUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    human_oversight_measures = OversightMeasureSerializer(many=True, required=False)

    def get_fields(self):
        fields = super().get_fields()
        for name in DOC_FIELDS:
            fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=20000)
        return fields


# --- models ---------------------------------------------------------------------------------
class ModelSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="system.team.slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Model
        fields = [
            "id",
            "system",
            "team",
            "name",
            "description",
            "task",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ModelCreateSerializer(serializers.Serializer):
    system = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    task = serializers.ChoiceField(
        choices=ModelTask.choices, default=ModelTask.BINARY_CLASSIFICATION
    )


class ModelUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    task = serializers.ChoiceField(choices=ModelTask.choices, required=False)


# --- model versions -------------------------------------------------------------------------
class ArtefactSerializer(serializers.Serializer):
    sha256 = serializers.CharField(source="artefact.sha256", allow_null=True)
    size = serializers.IntegerField(source="artefact.size", allow_null=True)
    format = serializers.CharField(source="artefact_format")
    framework = serializers.CharField()
    safe = serializers.BooleanField(source="artefact_safe")
    trusted = serializers.BooleanField(source="artefact_trusted")
    filename = serializers.CharField(source="artefact_filename")
    source = serializers.ChoiceField(choices=ArtefactSource.choices, source="artefact_source")
    uri = serializers.CharField(source="artefact_uri")
    declared_sha256 = serializers.CharField(source="artefact_declared_sha256")
    verification = serializers.ChoiceField(
        choices=Verification.choices,
        source="artefact_verification",
        help_text="pending and failed versions cannot be submitted or pass the gate",
    )
    verification_error = serializers.CharField(source="artefact_verification_error")


class ExternalServiceSerializer(serializers.Serializer):
    """A vendor's hosted model, registered without an artefact."""

    provider = serializers.CharField(max_length=200)
    model_id = serializers.CharField(max_length=300)
    version = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    terms_url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")


_DATETIME = serializers.DateTimeField(read_only=True)


def model_version_row(v: dict) -> dict:
    """A ``ModelVersionSerializer`` row from ``selectors.MODEL_VERSION_ROW_VALUES``: the same keys,
    order, types and formats as the declared fields (a test compares them), without DRF's
    per-field machinery, which was most of the list's Python time."""
    return {
        "id": v["id"],
        "model": v["model_id"],
        "model_name": v["model__name"],
        "system": v["model__system_id"],
        "team": v["team_slug"],
        "version": v["version"],
        "status": v["status"],
        "artefact": {
            "sha256": v["artefact_sha256"],
            "size": v["artefact_size"],
            "format": v["artefact_format"],
            "framework": v["framework"],
            "safe": v["artefact_safe"],
            "trusted": v["artefact_trusted"],
            "filename": v["artefact_filename"],
            "source": v["artefact_source"],
            "uri": v["artefact_uri"],
            "declared_sha256": v["artefact_declared_sha256"],
            "verification": v["artefact_verification"],
            "verification_error": v["artefact_verification_error"],
        },
        "external_service": (
            {
                "provider": v["service_provider"],
                "model_id": v["service_model_id"],
                "version": v["service_version"],
                "terms_url": v["service_terms_url"],
            }
            if v["artefact_source"] == ArtefactSource.EXTERNAL_SERVICE
            else None
        ),
        "created_by": v["created_by_name"],
        "created_at": _DATETIME.to_representation(v["created_at"]),
        "submitted_by": v["submitted_by_name"],
        "submitted_at": _DATETIME.to_representation(v["submitted_at"]),
    }


def model_version_values(mv: ModelVersion) -> dict:
    """``selectors.MODEL_VERSION_ROW_VALUES`` of a loaded instance."""
    submitted_by = mv.submitted_by
    return {
        "id": mv.pk,
        "model_id": mv.model_id,
        "model__name": mv.model.name,
        "model__system_id": mv.model.system_id,
        "team_slug": mv.model.system.team.slug,
        "version": mv.version,
        "status": mv.status,
        "artefact_sha256": mv.artefact.sha256 if mv.artefact else None,
        "artefact_size": mv.artefact.size if mv.artefact else None,
        "artefact_format": mv.artefact_format,
        "framework": mv.framework,
        "artefact_safe": mv.artefact_safe,
        "artefact_trusted": mv.artefact_trusted,
        "artefact_filename": mv.artefact_filename,
        "artefact_source": mv.artefact_source,
        "artefact_uri": mv.artefact_uri,
        "artefact_declared_sha256": mv.artefact_declared_sha256,
        "artefact_verification": mv.artefact_verification,
        "artefact_verification_error": mv.artefact_verification_error,
        "service_provider": mv.service_provider,
        "service_model_id": mv.service_model_id,
        "service_version": mv.service_version,
        "service_terms_url": mv.service_terms_url,
        "created_by_name": mv.created_by.username,
        "created_at": mv.created_at,
        "submitted_by_name": submitted_by.username if submitted_by is not None else None,
        "submitted_at": mv.submitted_at,
    }


class ModelVersionSerializer(serializers.ModelSerializer):
    model_name = serializers.CharField(source="model.name", read_only=True)
    system = serializers.IntegerField(source="model.system_id", read_only=True)
    team = serializers.CharField(source="model.system.team.slug", read_only=True)
    artefact = serializers.SerializerMethodField()
    external_service = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    submitted_by = serializers.CharField(
        source="submitted_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "model",
            "model_name",
            "system",
            "team",
            "version",
            "status",
            "artefact",
            "external_service",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ArtefactSerializer)
    def get_artefact(self, obj):
        return model_version_row(model_version_values(obj))["artefact"]

    @extend_schema_field(ExternalServiceSerializer(allow_null=True))
    def get_external_service(self, obj):
        return obj.external_service

    def to_representation(self, instance):
        # The list's fields by hand (see model_version_row); a subclass's through DRF.
        row = model_version_row(model_version_values(instance))
        for field in self._other_fields:
            attribute = field.get_attribute(instance)
            row[field.field_name] = (
                None if attribute is None else field.to_representation(attribute)
            )
        return row

    @cached_property
    def _other_fields(self) -> list:
        """Readable fields beyond the hand-built row (a subclass's)."""
        return [f for f in self._readable_fields if f.field_name not in _ROW_FIELDS]


_ROW_FIELDS = frozenset(ModelVersionSerializer.Meta.fields)


class LineageLinkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EdgeKind.choices)
    dataset_version = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    model_version = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)

    def validate(self, attrs):
        if bool(attrs.get("dataset_version")) == bool(attrs.get("model_version")):
            raise serializers.ValidationError(
                "Give exactly one of dataset_version or model_version."
            )
        return attrs


class ModelVersionRegisterSerializer(serializers.Serializer):
    """Exactly one of: ``artefact`` (an upload), ``artefact_uri`` (fetched and verified by a
    worker; ``artefact_sha256`` optionally declares its hash) or ``external_service``."""

    version = serializers.RegexField(LABEL, help_text="Unique per model, e.g. 1.4.0")
    artefact = serializers.FileField(allow_empty_file=True, use_url=False, required=False)
    artefact_uri = serializers.CharField(
        max_length=2000,
        required=False,
        help_text="https://, s3://bucket/key, mlflow://path, or file:// where allowed",
    )
    artefact_sha256 = serializers.RegexField(
        r"^[0-9a-fA-F]{64}\Z", required=False, help_text="The SHA-256 the fetched file must have"
    )
    external_service = JSONTextField(
        required=False,
        expect=dict,
        help_text='{"provider": "...", "model_id": "...", "version": "...", "terms_url": "..."}',
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    hyperparameters = JSONTextField(required=False, expect=dict, default=dict)
    declared_metrics = JSONTextField(required=False, expect=dict, default=dict)
    code_commit = serializers.RegexField(
        r"^[0-9a-fA-F]{7,64}\Z", required=False, allow_blank=True, default=""
    )
    environment_lock = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200000
    )
    lineage = JSONTextField(
        required=False,
        expect=list,
        default=list,
        help_text='[{"kind": "trained_on", "dataset_version": 12}]',
    )

    def validate_lineage(self, value):
        links = LineageLinkSerializer(data=value, many=True)
        links.is_valid(raise_exception=True)
        return links.validated_data

    def validate_external_service(self, value):
        service = ExternalServiceSerializer(data=value)
        service.is_valid(raise_exception=True)
        return service.validated_data

    def validate(self, attrs):
        given = [k for k in ("artefact", "artefact_uri", "external_service") if attrs.get(k)]
        if len(given) != 1:
            message = "Give exactly one of artefact (a file), artefact_uri or external_service."
            raise serializers.ValidationError(dict.fromkeys(given or ["artefact"], message))
        if attrs.get("artefact_sha256") and "artefact_uri" not in given:
            raise serializers.ValidationError(
                {"artefact_sha256": "A declared SHA-256 goes with an artefact_uri."}
            )
        if "external_service" in given and (
            attrs.get("code_commit") or attrs.get("environment_lock")
        ):
            raise serializers.ValidationError(
                "An external service has no code commit or environment lock of ours."
            )
        return attrs


class ModelVersionUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True)
    hyperparameters = serializers.DictField(required=False)
    declared_metrics = serializers.DictField(required=False)
    code_commit = serializers.RegexField(r"^[0-9a-fA-F]{7,64}\Z", required=False, allow_blank=True)
    environment_lock = serializers.CharField(required=False, allow_blank=True, max_length=200000)


class TrustSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- datasets -------------------------------------------------------------------------------
class DatasetSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "team",
            "name",
            "description",
            "origin",
            "collection_method",
            "labelling",
            "cleaning",
            "licence",
            "legal_basis",
            "retention",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DatasetCreateSerializer(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    origin = serializers.CharField(required=False, allow_blank=True)
    collection_method = serializers.CharField(required=False, allow_blank=True)
    labelling = serializers.CharField(required=False, allow_blank=True)
    cleaning = serializers.CharField(required=False, allow_blank=True)
    licence = serializers.CharField(required=False, allow_blank=True, max_length=200)
    legal_basis = serializers.CharField(required=False, allow_blank=True, max_length=200)
    retention = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DatasetUpdateSerializer(DatasetCreateSerializer):
    team = None
    name = serializers.CharField(max_length=200, required=False)


class DatasetVersionSerializer(serializers.ModelSerializer):
    dataset_name = serializers.CharField(source="dataset.name", read_only=True)
    team = serializers.CharField(source="dataset.team.slug", read_only=True)
    sha256 = serializers.CharField(source="blob.sha256", read_only=True, allow_null=True)
    size = serializers.IntegerField(source="blob.size", read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = DatasetVersion
        fields = [
            "id",
            "dataset",
            "dataset_name",
            "team",
            "version",
            "description",
            "sha256",
            "size",
            "data_format",
            "original_filename",
            "row_count",
            "profile_status",
            "profile_error",
            "profile_error_code",
            "encoding",
            "sheet",
            "profile_warnings",
            "source_uri",
            "source_digest",
            "source_type",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class PIIFlagSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )
    special_category = serializers.BooleanField(source="is_special_category", read_only=True)

    class Meta:
        model = PIIFlag
        fields = [
            "id",
            "category",
            "special_category",
            "detector",
            "confidence",
            "evidence",
            "status",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class ColumnSerializer(serializers.ModelSerializer):
    pii_flags = PIIFlagSerializer(many=True, read_only=True)

    class Meta:
        model = Column
        fields = [
            "name",
            "position",
            "dtype",
            "role",
            "is_sensitive",
            "sensitive_suggestion",
            "statistics",
            "pii_flags",
        ]
        read_only_fields = fields


class DatasetVersionDetailSerializer(DatasetVersionSerializer):
    columns = ColumnSerializer(many=True, read_only=True)

    class Meta(DatasetVersionSerializer.Meta):
        fields = [*DatasetVersionSerializer.Meta.fields, "columns"]
        read_only_fields = fields


class DatasetVersionRegisterSerializer(serializers.Serializer):
    version = serializers.RegexField(LABEL)
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    column_roles = JSONTextField(
        required=False,
        expect=dict,
        default=dict,
        help_text='{"credit_risk": "target", "id": "identifier"}',
    )
    sensitive_columns = JSONTextField(
        required=False,
        expect=list,
        default=None,
        allow_null=True,
        help_text='["sex", "age"]; omit to accept the automatic suggestions',
    )
    sheet = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=255,
        help_text="Excel only: the worksheet to profile (the first one when empty).",
    )

    def validate_column_roles(self, value):
        bad = {k: v for k, v in value.items() if v not in ColumnRole.values}
        if bad:
            raise serializers.ValidationError(
                f"Unknown roles {bad}; use one of {', '.join(ColumnRole.values)}."
            )
        return {str(k): str(v) for k, v in value.items()}

    def validate_sensitive_columns(self, value):
        if value is not None and not all(isinstance(v, str) for v in value):
            raise serializers.ValidationError("List column names as strings.")
        return value


class PIIDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=PIIStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ColumnUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ColumnRole.choices, required=False)
    is_sensitive = serializers.BooleanField(required=False)
    pii_flags = PIIDecisionSerializer(many=True, required=False)
    pii_status = serializers.ChoiceField(
        choices=PIIStatus.choices,
        required=False,
        help_text="Apply to every PII flag of the column.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, attrs):
        if not ({"role", "is_sensitive", "pii_flags", "pii_status"} & set(attrs)):
            raise serializers.ValidationError("Nothing to change.")
        return attrs


# --- lineage --------------------------------------------------------------------------------
class NodeRefSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["dataset_version", "model_version"])
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class LineageEdgeCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EdgeKind.choices)
    upstream = NodeRefSerializer()
    downstream = NodeRefSerializer()


class LineageEdgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    upstream = NodeRefSerializer()
    downstream = NodeRefSerializer()


class ModelVersionDetailSerializer(ModelVersionSerializer):
    class Meta(ModelVersionSerializer.Meta):
        fields = [
            *ModelVersionSerializer.Meta.fields,
            "description",
            "hyperparameters",
            "declared_metrics",
            "code_commit",
            "environment_lock",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        if type(self) is not ModelVersionDetailSerializer:
            return super().to_representation(instance)
        # The detail's own fields by hand as well: building them through DRF meant introspecting
        # the model's fields on every call (ModelSerializer.get_fields), about a tenth of a
        # registration's CPU and of a first read's. A test compares both renderings.
        row = model_version_row(model_version_values(instance))
        row["description"] = instance.description
        row["hyperparameters"] = instance.hyperparameters
        row["declared_metrics"] = instance.declared_metrics
        row["code_commit"] = instance.code_commit
        row["environment_lock"] = instance.environment_lock
        row["updated_at"] = _DATETIME.to_representation(instance.updated_at)
        return row


class LineageSummarySerializer(serializers.Serializer):
    upstream = serializers.ListField(child=serializers.DictField())
    downstream_count = serializers.IntegerField()


class PersonalDataSerializer(serializers.Serializer):
    has_personal_data = serializers.BooleanField()
    confirmed = serializers.IntegerField()
    suspected = serializers.IntegerField()
    special_categories = serializers.ListField(child=serializers.CharField())
    categories = serializers.ListField(child=serializers.CharField())
    flags = serializers.ListField(child=serializers.DictField())
    hidden = serializers.DictField(
        allow_null=True,
        help_text="Personal data on upstream data you cannot see: a message and categories only.",
    )


class ModelVersionFullSerializer(ModelVersionDetailSerializer):
    """Output of GET model-versions/{id}/: the version plus what its review needs."""

    lineage = LineageSummarySerializer(read_only=True)
    personal_data = PersonalDataSerializer(read_only=True)
    governance = serializers.DictField(read_only=True, allow_null=True)

    class Meta(ModelVersionDetailSerializer.Meta):
        fields = [
            *ModelVersionDetailSerializer.Meta.fields,
            "lineage",
            "personal_data",
            "governance",
        ]
        read_only_fields = fields


class LineageGraphSerializer(serializers.Serializer):
    root = serializers.DictField()
    nodes = serializers.ListField(child=serializers.DictField())
    edges = LineageEdgeSerializer(many=True)
