"""SQLite: the FTS5 table keeps owner and project (searches no longer read chat_chunk rows), and
per-term chunk counts (searches skip terms found in most chunks)."""

from django.db import migrations

from chat.rag import schema


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema.uninstall_sqlite(schema_editor.connection)
        schema.install_sqlite(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("chat", "0002_chunk_search_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
