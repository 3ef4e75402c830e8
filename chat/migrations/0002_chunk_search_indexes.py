"""Keyword and vector indexes of chunks: SQLite FTS5, or PostgreSQL full text and pgvector.

Where PostgreSQL has no pgvector, the migration logs a warning and vector search falls back to NumPy.
"""

from django.db import migrations

from chat.rag import schema


def forwards(apps, schema_editor):
    schema.install(schema_editor.connection)


def backwards(apps, schema_editor):
    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
