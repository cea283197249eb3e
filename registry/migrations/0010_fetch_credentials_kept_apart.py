"""A pre-signed artefact URL's credentials are kept on the fetch job only, until it ends.

Versions registered before kept the URI as given. Their recorded URI (and the history rows'
copies, and referenced datasets') lose the credential values now; a fetch still queued or
running gets the URI as given on its job first, so it can still download. Audit events
recorded before keep what they recorded (the trail is append-only).

The redaction is written out here rather than imported: a migration keeps doing what it did
when it was written, whatever later code does.
"""

from urllib.parse import unquote_plus, urlsplit, urlunsplit

from django.db import migrations, models

SECRETS = {
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature",
    "awsaccesskeyid", "x-goog-signature", "x-goog-credential", "googleaccessid", "sig",
    "token", "access_token", "id_token", "api_key", "apikey", "key", "secret", "password",
    "auth", "code",
}  # fmt: skip


def _redacted(url):
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:REDACTED@{host}" if has_password else netloc
    fields = []
    for field in parts.query.split("&") if parts.query else []:
        name, has_value, _ = field.partition("=")
        secret = has_value and unquote_plus(name).lower() in SECRETS
        fields.append(f"{name}=REDACTED" if secret else field)
    query = "&".join(fields)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _redact_rows(model, field, **filters):
    for pk, value in model.objects.filter(**filters).exclude(**{field: ""}).values_list(
        "pk", field
    ):
        clean = _redacted(value)
        if clean != value:
            model.objects.filter(pk=pk).update(**{field: clean})


def keep_credentials_apart(apps, schema_editor):
    ModelVersion = apps.get_model("registry", "ModelVersion")
    Job = apps.get_model("registry", "ArtefactFetchJob")
    for job in Job.objects.filter(status__in=["queued", "running"], source_uri=""):
        Job.objects.filter(pk=job.pk).update(
            source_uri=ModelVersion.objects.get(pk=job.model_version_id).artefact_uri
        )
    for name, field in (
        ("ModelVersion", "artefact_uri"),
        ("HistoricalModelVersion", "artefact_uri"),
        ("DatasetVersion", "source_uri"),
        ("HistoricalDatasetVersion", "source_uri"),
    ):
        _redact_rows(apps.get_model("registry", name), field)
    for name in ("Dataset", "HistoricalDataset"):
        model = apps.get_model("registry", name)
        for pk, origin in model.objects.filter(origin__startswith="Referenced from ").values_list(
            "pk", "origin"
        ):
            clean = "Referenced from " + _redacted(origin.removeprefix("Referenced from "))
            if clean != origin:
                model.objects.filter(pk=pk).update(origin=clean)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_llm_applications"),
    ]

    operations = [
        migrations.AddField(
            model_name="artefactfetchjob",
            name="source_uri",
            field=models.CharField(blank=True, max_length=2000),
        ),
        migrations.RunPython(keep_credentials_apart, migrations.RunPython.noop),
    ]
