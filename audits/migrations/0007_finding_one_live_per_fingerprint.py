"""After 0006 merged the duplicates, at most one live finding per problem holds."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0006_finding_fingerprints_merge"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status__in", ["open", "in_progress", "risk_accepted", "false_positive"]),
                    models.Q(("fingerprint", ""), _negated=True),
                ),
                fields=("fingerprint",),
                name="finding_one_live_per_fingerprint",
            ),
        ),
    ]
