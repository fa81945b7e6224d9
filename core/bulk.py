"""Inserting many rows at once: PostgreSQL's COPY, ``bulk_create`` elsewhere.

``bulk_create`` builds a model instance per row and compiles every value of
every column through the ORM; for a wide model that costs more than the
database's own work. ``bulk_insert_values`` takes each row as a dict of the
columns that vary (by attribute name: ``party_id``, not ``party``) and gives
every other column its field default, computed once per call. Primary keys
are taken from the table's sequence first and returned. Database defaults,
constraints, indexes and triggers apply as for any insert; ``save()`` and
signals do not run, as with ``bulk_create``.
"""

import datetime
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _ids_reserve(model: type[models.Model], count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def bulk_insert_values(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert one ``model`` row per dict of ``rows``; return their primary keys, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return [obj.pk for obj in model._default_manager.bulk_create([model(**row) for row in rows])]
    ids = _ids_reserve(model, len(rows))
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    given = set().union(*rows)
    varying = [(field, field.get_default()) for field in fields if field.attname in given]
    # The columns no row sets, each with its default, written once as the end of every line.
    constant = [field for field in fields if field.attname not in given]
    tail = "".join(f"\t{_copy_text(_json_or_value(field, field.get_default()))}" for field in constant)
    buffer = io.StringIO()
    for pk, row in zip(ids, rows, strict=True):
        texts = [str(pk)]
        texts.extend(_copy_text(_json_or_value(field, row.get(field.attname, default))) for field, default in varying)
        buffer.write("\t".join(texts))
        buffer.write(tail)
        buffer.write("\n")
    buffer.seek(0)
    ordered = [model._meta.pk, *(field for field, _default in varying), *constant]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in ordered)
    # Wrapped, COPY's errors are Django's (IntegrityError, DataError), as an INSERT's are.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN", buffer)
    return ids


def _json_or_value(field: models.Field, value):
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return value
