"""Policies say which data a version's evidence must come from, and which attributes a
fairness run must always include.

Existing policies get the default (tested_on and validated_on: evaluation data, never the
training data) and no protected attributes; nothing else changes. Admins widen or narrow
either on the policy page, as an audited edit.
"""

import governance.policy.policies.models
from django.db import migrations, models

DEFAULT_RELATIONS = ["tested_on", "validated_on"]


def fill_default(apps, schema_editor):
    # AddField already wrote the default into existing rows; this states it explicitly and
    # repairs a row whose value is not a list (nothing else is touched).
    Policy = apps.get_model("governance", "Policy")
    for policy in Policy.objects.all():
        if not isinstance(policy.evidence_datasets, list):
            policy.evidence_datasets = list(DEFAULT_RELATIONS)
            policy.save(update_fields=["evidence_datasets"])


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0006_obligations'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpolicy',
            name='evidence_datasets',
            field=models.JSONField(blank=True, default=governance.policy.policies.models.default_evidence_datasets, help_text='Lineage relations (dataset version -> model version) whose data a check run must have used to count as evidence: tested_on, validated_on, trained_on.'),
        ),
        migrations.AddField(
            model_name='historicalpolicy',
            name='protected_attributes',
            field=models.JSONField(blank=True, default=list, help_text="Column names a fairness or explainability run must treat as sensitive whenever the data has them, whatever the dataset's own flags say."),
        ),
        migrations.AddField(
            model_name='policy',
            name='evidence_datasets',
            field=models.JSONField(blank=True, default=governance.policy.policies.models.default_evidence_datasets, help_text='Lineage relations (dataset version -> model version) whose data a check run must have used to count as evidence: tested_on, validated_on, trained_on.'),
        ),
        migrations.AddField(
            model_name='policy',
            name='protected_attributes',
            field=models.JSONField(blank=True, default=list, help_text="Column names a fairness or explainability run must treat as sensitive whenever the data has them, whatever the dataset's own flags say."),
        ),
        migrations.RunPython(fill_default, migrations.RunPython.noop),
    ]
