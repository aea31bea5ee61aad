"""Reads every questionnaire page makes, compiled to SQL once per process.

Turning a queryset into SQL (its joins, subqueries and deferred columns) cost the section
page more than running it: the assessment's read took 1.6 ms, 0.9 of them compiling and 0.5
running. A ``CompiledRead`` asks the ORM for the SQL and the converters of its columns once,
with stand-in values no row has, then runs that SQL with the caller's values: the rows are
those the ORM would return, converted as it converts them. ``Columns`` turns a slice of a
row back into a model, as the ORM's own iterables do (``Model.from_db``).
"""

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections, models, router
from django.db.models import QuerySet


@dataclass(frozen=True)
class Columns:
    """A model's concrete columns as ``values_list`` names (through ``path``, e.g.
    ``"organization__"``), in the order ``Model.from_db`` expects; ``leave_out`` are read
    later if ever (deferred)."""

    model: type[models.Model]
    path: str = ""
    leave_out: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def attnames(self) -> list[str]:
        return [f.attname for f in self.model._meta.concrete_fields if f.name not in self.leave_out]

    @cached_property
    def names(self) -> list[str]:
        return [self.path + name for name in self.attnames]

    def instance(self, db: str, values: Sequence) -> models.Model:
        return self.model.from_db(db, self.attnames, values)


def names_of(columns: Sequence[Columns]) -> list[str]:
    """The ``values_list`` names of several models read in one row, in order."""
    return [name for each in columns for name in each.names]


def models_from(row: Sequence, columns: Sequence[Columns]) -> list[models.Model]:
    """A row read with ``names_of(columns)`` as one model per ``Columns``, in order (values
    after theirs, an annotation say, are left to the caller)."""
    db = router.db_for_read(columns[0].model)
    found, start = [], 0
    for each in columns:
        end = start + len(each.attnames)
        found.append(each.instance(db, row[start:end]))
        start = end
    return found


class CompiledRead:
    """A ``values_list`` read whose SQL is built once per database, then run with new
    values. ``build(*values)`` makes the queryset; ``keys`` are the fields the values are
    compared with (a primary key, say), which say how each value is sent to the database."""

    def __init__(self, build: Callable[..., QuerySet], *keys: models.Field):
        self.build = build
        self.keys = keys
        self.compiled: dict[str, tuple] = {}

    def rows(self, *values) -> Iterator[tuple]:
        model = self.keys[0].model
        db = router.db_for_read(model)
        connection = connections[db]
        if db not in self.compiled:
            self.compiled[db] = self._compile(db)
        sql, params, slots, compiler, converters = self.compiled[db]
        params = list(params)
        for position, key in slots:
            params[position] = self.keys[key].get_db_prep_value(values[key], connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return compiler.apply_converters(rows, converters) if converters else iter(rows)

    def _compile(self, db: str) -> tuple:
        connection = connections[db]
        stand_ins = [_stand_in(key, index) for index, key in enumerate(self.keys)]
        queryset = self.build(*stand_ins)
        query = queryset.query
        # Annotations come after the fields in the SQL: the rows must keep the asked order.
        asked = [
            *queryset._fields,
            *(a for a in query.annotation_select if a not in queryset._fields),
        ]
        if asked != [*query.extra_select, *query.values_select, *query.annotation_select]:
            raise ValueError("A compiled read names its fields first, then its annotations.")
        compiler = query.get_compiler(db)
        sql, params = compiler.as_sql()
        prepared = [
            key.get_db_prep_value(v, connection)
            for key, v in zip(self.keys, stand_ins, strict=True)
        ]
        slots = [
            (position, prepared.index(param))
            for position, param in enumerate(params)
            if param in prepared
        ]
        if {key for _, key in slots} != set(range(len(self.keys))):
            raise ValueError("Every value of a compiled read must appear in its SQL.")
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        return sql, tuple(params), slots, compiler, compiler.get_converters(columns)


def _stand_in(key: models.Field, index: int):
    """A value of the key's type that no row has (the UUID numbered 1, 2..., a negative id)."""
    if isinstance(key, models.UUIDField):
        return uuid.UUID(int=index + 1)
    return -(10**12) - index
