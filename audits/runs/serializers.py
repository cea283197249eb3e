"""One input and one output serializer per endpoint; they validate, never act.

Kind, status and severity are plain strings here (validated by the services, listed in
help texts) so their enums do not collide with other apps' "kind"/"status" in the schema."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding, findings_of_run
from audits.runs.models.monitoring import OperationalMetric
from governance.policy.deployments.models import Environment

KINDS_HELP = "fairness, explainability, data_quality, performance or drift"


# --- check runs -----------------------------------------------------------------------------
class CheckRunRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=32, help_text=KINDS_HELP)
    dataset_version = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reference_dataset_version = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text="Drift only: the baseline.",
    )
    sensitive_columns = serializers.ListField(
        child=serializers.CharField(max_length=300),
        required=False,
        allow_null=True,
        help_text="Default: the dataset version's columns flagged sensitive.",
    )
    parameters = serializers.DictField(required=False, default=dict)
    thresholds = serializers.DictField(
        required=False,
        default=dict,
        help_text="Thresholds declared before the run: each may be stricter than the "
        "policy's, never looser (400 looser_than_policy), unless the run is exploratory.",
    )
    exploratory = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Run with looser rules or other data; stored and shown, never evidence.",
    )


class CheckRunAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField()
    counts_as_evidence = serializers.BooleanField(allow_null=True)
    evidence_note = serializers.CharField()


class FindingSerializer(serializers.ModelSerializer):
    severity = serializers.CharField(read_only=True, help_text="info, low, medium or high")
    status = serializers.CharField(
        read_only=True,
        help_text="open, in_progress, resolved, risk_accepted, false_positive or duplicate",
    )
    source = serializers.CharField(read_only=True, help_text="check, operational or audit")
    resolved_by = serializers.CharField(
        source="resolved_by.username", read_only=True, default=None, allow_null=True
    )
    assignee = serializers.CharField(
        source="assignee.username", read_only=True, default=None, allow_null=True
    )
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "model_version",
            "source",
            "check_run",
            "audit_run",
            "severity",
            "code",
            "message",
            "metric",
            "value",
            "threshold",
            "group",
            "status",
            "resolved_by",
            "resolved_at",
            "resolution_comment",
            "fingerprint",
            "occurrences",
            "last_seen_at",
            "last_seen_run",
            "closed_by_run",
            "duplicate_of",
            "assignee",
            "due_date",
            "overdue",
            "accepted_until",
            "created_at",
        ]
        read_only_fields = fields


class ChartSerializer(serializers.Serializer):
    name = serializers.CharField()
    sha256 = serializers.CharField()
    url = serializers.CharField()


class CheckRunSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=KINDS_HELP + " or operational")
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, default=None, allow_null=True
    )
    charts = serializers.SerializerMethodField()

    class Meta:
        model = CheckRun
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "progress_message",
            "attempts",
            "queued_at",
            "started_at",
            "finished_at",
            "error_code",
            "error_message",
            "model_version",
            "dataset_version",
            "reference_dataset_version",
            "champion_model_version",
            "audit_run",
            "column_roles",
            "sensitive_columns",
            "inputs",
            "parameters",
            "thresholds",
            "thresholds_source",
            "library_versions",
            "seed",
            "passed",
            "result_sha256",
            "requested_by",
            "charts",
            "exploratory",
            "counts_as_evidence",
            "evidence_note",
            "evidence_relation",
            "reproduces",
            "reproduction",
        ]
        read_only_fields = fields

    @extend_schema_field(ChartSerializer(many=True))
    def get_charts(self, obj: CheckRun) -> list[dict]:
        return [
            {
                "name": name,
                "sha256": sha,
                "url": reverse("api-check-chart", kwargs={"pk": obj.pk, "name": name}),
            }
            for name, sha in sorted((obj.charts or {}).items())
        ]


class ReproductionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    outcome = serializers.CharField(allow_null=True)
    differences = serializers.ListField(child=serializers.CharField())
    requested_by = serializers.CharField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class CheckRunDetailSerializer(CheckRunSerializer):
    result = serializers.JSONField(read_only=True)
    findings = serializers.SerializerMethodField()
    reproductions = serializers.SerializerMethodField()

    class Meta(CheckRunSerializer.Meta):
        fields = [*CheckRunSerializer.Meta.fields, "result", "findings", "reproductions"]
        read_only_fields = fields

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, obj) -> list:
        """What the run raised and what it saw again (a re-run does not raise a copy)."""
        rows = findings_of_run(obj).select_related("resolved_by", "assignee").order_by("id")
        return FindingSerializer(rows, many=True).data

    @extend_schema_field(ReproductionSerializer(many=True))
    def get_reproductions(self, obj: CheckRun) -> list[dict]:
        return [
            {
                "id": r.pk,
                "status": r.status,
                "outcome": (r.reproduction or {}).get("outcome"),
                "differences": (r.reproduction or {}).get("differences", []),
                "requested_by": r.requested_by.username if r.requested_by else None,
                "finished_at": r.finished_at,
            }
            for r in obj.reproductions.select_related("requested_by").order_by("-pk")
        ]


class FindingResolveSerializer(serializers.Serializer):
    # Blank is let through to the service, which refuses it with its own code: one rule for
    # the browser and the API.
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class FindingAcceptRiskSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    until = serializers.DateField(help_text="The date the acceptance lapses and it reopens.")


class FindingFalsePositiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class FindingAssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(
        allow_null=True, help_text="Username of the assignee; null to unassign."
    )


# --- operational metrics --------------------------------------------------------------------
class OperationalMetricReportSerializer(serializers.Serializer):
    environment = serializers.ChoiceField(choices=Environment.choices)
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    latency_p95_ms = serializers.FloatField(min_value=0, required=False, allow_null=True)
    throughput_rps = serializers.FloatField(min_value=0, required=False, allow_null=True)
    error_rate = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    cpu_percent = serializers.FloatField(min_value=0, required=False, allow_null=True)
    gpu_percent = serializers.FloatField(min_value=0, required=False, allow_null=True)
    memory_mb = serializers.FloatField(min_value=0, required=False, allow_null=True)


class OperationalMetricSerializer(serializers.ModelSerializer):
    reported_by = serializers.CharField(source="reported_by.username", read_only=True)
    findings = serializers.SerializerMethodField()

    class Meta:
        model = OperationalMetric
        fields = [
            "id",
            "model_version",
            "environment",
            "window_start",
            "window_end",
            "latency_p95_ms",
            "throughput_rps",
            "error_rate",
            "cpu_percent",
            "gpu_percent",
            "memory_mb",
            "thresholds",
            "check_run",
            "reported_by",
            "created_at",
            "findings",
        ]
        read_only_fields = fields

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, obj: OperationalMetric) -> list[dict]:
        return FindingSerializer(obj.findings.all(), many=True).data
