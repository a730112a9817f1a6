"""`field__any_of=[ids]`: membership in a long list of ids (or texts), sent as one value.

The supervision figures name a province's courts (hundreds) or the nation's (thousands) as
literal ids, so that PostgreSQL reads the cases court by court from an index. With `__in`
each id is a separate parameter that the driver adapts, quotes and splices into the text one
by one: for a national page that was tens of milliseconds a query before the database saw
it. `any_of` sends the list as one array (`= ANY(%s)`), which PostgreSQL plans exactly as the
literal list. SQLite, which has no arrays, gets the plain `IN`. The ledger import asks for a
chunk's five hundred ID numbers this way (`TextAnyOf`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import CharField, ForeignKey, Lookup
from django.db.models.fields import IntegerField


class AnyOf(Lookup):
    lookup_name = "any_of"

    def get_prep_lookup(self) -> list[Any]:
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self.rhs
        if not values:
            raise EmptyResultSet  # nothing is in an empty list (as with `__in=[]`)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)


class TextAnyOf(AnyOf):
    def get_prep_lookup(self) -> list[Any]:
        return [str(value) for value in self.rhs]


for field_class in (IntegerField, ForeignKey):  # ids of every kind, and foreign keys
    field_class.register_lookup(AnyOf)
CharField.register_lookup(TextAnyOf)
