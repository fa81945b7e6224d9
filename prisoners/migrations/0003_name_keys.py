"""Comparison keys for the records already there, and the trigram indexes that search them."""

from django.db import migrations

from prisoners.matching.keys import given_name_key, patronymic_key, service_number_key, surname_key

# Candidate search (prisoners.matching.search) looks for surnames spelt
# otherwise through the first; given names go through btree indexes by the
# table of name equivalents, and through the second only when a given name is
# not in the table. The keys are ASCII, so the database's locale does not
# decide which letters count.
TRIGRAM_INDEXES = {
    "prisoner_surname_key_trgm": "surname_key",
    "prisoner_given_name_key_trgm": "given_name_key",
}


def name_keys_fill(apps, schema_editor):
    Prisoner = apps.get_model("prisoners", "Prisoner")
    for prisoner in Prisoner.objects.iterator(chunk_size=2000):
        prisoner.surname_key = surname_key(prisoner.surname)
        prisoner.given_name_key = given_name_key(prisoner.given_names)
        prisoner.patronymic_key = patronymic_key(prisoner.patronymic)
        prisoner.service_number_key = service_number_key(prisoner.service_number)
        prisoner.save(update_fields=["surname_key", "given_name_key", "patronymic_key", "service_number_key"])


def trigram_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON prisoners_prisoner USING gin ({column} gin_trgm_ops)")


def trigram_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("prisoners", "0002_name_matching")]

    operations = [
        migrations.RunPython(name_keys_fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_indexes_create, trigram_indexes_drop),
    ]
