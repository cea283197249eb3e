"""Bring ``is_staff``/``is_superuser`` in step with the role for existing users: before this,
the admin site could leave a demoted admin with both flags (and the admin site)."""

from django.db import migrations


def sync_flags(apps, schema_editor):
    User = apps.get_model("governance", "User")
    User.objects.filter(role="admin").update(is_staff=True, is_superuser=True)
    User.objects.exclude(role="admin").update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):
    dependencies = [("governance", "0007_evidence_rules")]

    operations = [migrations.RunPython(sync_flags, migrations.RunPython.noop)]
