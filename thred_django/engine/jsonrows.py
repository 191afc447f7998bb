"""A SyncRecord, SyncAttempt or SyncDependency value as it travels in a JSON document
(``sql``: ``jsonb_to_recordset``): prepared as the ORM prepares it, then dates, times,
UUIDs and decimals as their text. ``ready_for(field)`` is the same for one field, with the
common values (a plain value, an aware date-time, a UUID) answered first: a batch of
outcomes prepares about 30 values per record."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.dateparse import parse_datetime

# Fields whose get_db_prep_save returns a value of these exact types as it is.
_PLAIN: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str, type(None)),
    models.TextField: (str, type(None)),
    models.BooleanField: (bool, type(None)),
    models.IntegerField: (int, type(None)),
    models.SmallIntegerField: (int, type(None)),
    models.BigIntegerField: (int, type(None)),
    models.PositiveIntegerField: (int, type(None)),
    models.PositiveSmallIntegerField: (int, type(None)),
    models.PositiveBigIntegerField: (int, type(None)),
    models.ForeignKey: (int, type(None)),
    models.DateTimeField: (type(None),),
    models.UUIDField: (type(None),),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.SmallAutoField: (int,),
}


def json_ready(field: models.Field[Any, Any], value: Any, connection: Any) -> Any:
    """``value`` of ``field`` in the JSON document: a JSON field's value itself (through
    its encoder, if it has one); any other value prepared as the ORM prepares it
    (``get_db_prep_save``), then dates, times, UUIDs and decimals as their text."""
    if isinstance(field, models.JSONField):
        value = field.get_prep_value(value)
        if field.encoder is not None and value is not None:
            value = json.loads(json.dumps(value, cls=field.encoder))
        return value
    kind = type(field)
    if type(value) in _PLAIN.get(kind, ()):
        return value  # what get_db_prep_save returns for it
    if kind is models.UUIDField and type(value) is uuid.UUID:
        return str(value)
    aware = type(value) is datetime.datetime and value.tzinfo is not None
    if kind is models.DateTimeField and aware and settings.USE_TZ:
        return value.isoformat()  # get_db_prep_save leaves an aware value as it is
    prepared = prep_save(field, value, connection)
    if prepared is None or isinstance(prepared, str | int | float):
        return prepared
    if isinstance(prepared, datetime.date | datetime.time):
        return prepared.isoformat()
    if isinstance(prepared, uuid.UUID | decimal.Decimal):
        return str(prepared)
    raise TypeError(f"{field.name}: no JSON form for a {type(prepared).__name__}")


def prep_save(field: models.Field[Any, Any], value: Any, connection: Any) -> Any:
    if isinstance(value, models.Model):  # a foreign key given as the object
        value = value.pk
    return field.get_db_prep_save(value, connection)


def ready_for(field: models.Field[Any, Any]) -> Any:
    """``json_ready`` of ``field``, as a function of (value, connection) that answers
    the common values (a plain value, an aware date-time, a UUID) without the checks."""
    kind = type(field)
    plain = _PLAIN.get(kind, ())
    if isinstance(field, models.JSONField):
        if field.encoder is None:
            prepare = field.get_prep_value
            return lambda value, connection: prepare(value)
    elif kind is models.DateTimeField:

        def ready_datetime(value: Any, connection: Any) -> Any:
            if value is None:
                return None
            if type(value) is datetime.datetime and value.tzinfo is not None and settings.USE_TZ:
                return value.isoformat()
            return json_ready(field, value, connection)

        return ready_datetime
    elif kind is models.UUIDField:

        def ready_uuid(value: Any, connection: Any) -> Any:
            if value is None:
                return None
            return str(value) if type(value) is uuid.UUID else json_ready(field, value, connection)

        return ready_uuid
    elif plain:

        def ready_plain(value: Any, connection: Any) -> Any:
            return value if type(value) in plain else json_ready(field, value, connection)

        return ready_plain
    return lambda value, connection: json_ready(field, value, connection)


def prepared_for(field: models.Field[Any, Any], connection: Any) -> Any:
    """``prep_save`` of ``field`` on ``connection``, as a function of the value. On
    SQLite the common values (a plain value, an aware UTC date-time, a UUID) are
    answered without the ORM's steps, as its backend prepares them: what a statement's
    parameter carries there (``sql.insert``, ``sql.update_leased``). Elsewhere the
    general form (PostgreSQL wraps small integers in typed ones, for one)."""
    if connection.vendor != "sqlite":
        return lambda value: prep_save(field, value, connection)
    kind = type(field)
    plain = _PLAIN.get(kind, ())
    if kind is models.DateTimeField:
        # A UTC date-time as the text of the naive one (adapt_datetimefield_value: made
        # naive in the connection's zone, then str()), when that zone is UTC.
        as_text = settings.USE_TZ and connection.timezone is datetime.UTC

        def prepared_datetime(value: Any) -> Any:
            if value is None:
                return None
            if as_text and type(value) is datetime.datetime and value.tzinfo is datetime.UTC:
                return str(value.replace(tzinfo=None))
            return prep_save(field, value, connection)

        return prepared_datetime
    if kind is models.UUIDField and not connection.features.has_native_uuid_field:

        def prepared_uuid(value: Any) -> Any:
            return value.hex if type(value) is uuid.UUID else prep_save(field, value, connection)

        return prepared_uuid
    if plain and not isinstance(field, models.JSONField):

        def prepared_plain(value: Any) -> Any:
            return value if type(value) in plain else prep_save(field, value, connection)

        return prepared_plain
    return lambda value: prep_save(field, value, connection)


# --- a column as read back ----------------------------------------------------------------
# Field types whose values SQLite's and PostgreSQL's drivers return as the ORM keeps
# them (no converter: the ORM's lists are empty for them there).
_AS_READ = (models.AutoField, models.CharField, models.TextField, models.IntegerField)


def loaded_for(field: models.Field[Any, Any], connection: Any) -> Any:
    """How a non-null value of ``field``, as the driver returns it on ``connection``
    (SQLite or PostgreSQL), becomes what the ORM puts on an instance: None when it is
    that already, else a function of the value. The same as the ORM's converters (the
    backend's, then the field's ``from_db_value``), for the field types of the outbox's
    models; ``LookupError`` for any other, whose reader then uses the ORM."""
    if isinstance(field, models.ForeignKey):
        return loaded_for(field.target_field, connection)
    if isinstance(field, models.JSONField):
        column = field.get_col(field.model._meta.db_table)  # what the ORM passes it
        return lambda value: field.from_db_value(value, column, connection)
    postgresql = connection.vendor == "postgresql"
    if not postgresql and connection.vendor != "sqlite":
        raise LookupError(f"no known forms as read on {connection.vendor}")
    if isinstance(field, models.BooleanField):
        return None if postgresql else _sqlite_bool
    if isinstance(field, models.DateTimeField):
        if postgresql or not settings.USE_TZ:
            return None  # psycopg returns it aware, in the connection's zone
        zone = connection.timezone

        def loaded_datetime(value: Any) -> Any:  # convert_datetimefield_value
            if type(value) is not datetime.datetime:
                value = parse_datetime(value)
            return value if value.tzinfo is not None else value.replace(tzinfo=zone)

        return loaded_datetime
    if isinstance(field, models.UUIDField):
        return None if connection.features.has_native_uuid_field else uuid.UUID
    if isinstance(field, _AS_READ):
        return None
    raise LookupError(f"{field.name}: no known form as read on {connection.vendor}")


def _sqlite_bool(value: Any) -> Any:  # convert_booleanfield_value
    return bool(value) if value in (1, 0) else value
