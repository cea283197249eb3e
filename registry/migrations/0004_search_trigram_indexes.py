"""Trigram indexes for the model-version search, on PostgreSQL only.

The API's ``search=`` is a case-insensitive substring match, which Django writes as
``UPPER(col::text) LIKE UPPER('%term%')``; a B-tree cannot serve it, a trigram GIN index on
the same ``UPPER(col)`` expression can. The model-version search
(``registry.api.filters.ModelVersionSearchFilter``) splits its condition per column so that
the planner can use one index per column. SQLite (the embedded stack) has no pg_trgm: this
migration does nothing there, and its tables are small enough to scan. pg_trgm ships with
PostgreSQL and is a trusted extension (13+): a role with CREATE on the database may add it.
"""

from django.db import migrations

# (index name, table, column)
INDEXES = [
    ("registry_mv_version_trgm", "registry_modelversion", "version"),
    ("registry_mv_description_trgm", "registry_modelversion", "description"),
    ("registry_model_name_trgm", "registry_model", "name"),
    ("registry_aisystem_name_trgm", "registry_aisystem", "name"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_modelversion_created_id_index")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
