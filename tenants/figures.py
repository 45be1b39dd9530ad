"""Key figures of each territory for the national back office, read from every territory's schema.

tenants/ is a public-schema app and knows no tenant table: each tenant app registers a provider,
called with the territories' schema names, that returns {schema: {figure: value}} from one query
over all the schemas (a UNION ALL), so that the back office costs a query per provider, not per
territory.
"""

from psycopg import sql

_providers = []


def register_figures(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def figures_by_schema(schema_names):
    """{schema: {figure: value}} merged from every provider; {} for no territory."""
    figures = {name: {} for name in schema_names}
    if not schema_names:
        return figures
    for provider in _providers:
        for schema, values in provider(schema_names).items():
            for key, value in values.items():
                if key == "last_activity":  # the latest of what each app saw happen
                    value = max(filter(None, (value, figures[schema].get(key))), default=None)
                figures[schema][key] = value
    return figures


def union_all(schema_names, select, params=()):
    """One query: `select` (a psycopg.sql.SQL with {schema} for the schema's identifier, and `params`
    for its %s) run in each schema and tagged with the schema's name, joined with UNION ALL.

    Returns the query and its parameters."""

    parts = [
        sql.SQL("SELECT %s AS schema_name, figures.* FROM ({}) AS figures").format(
            select.format(schema=sql.Identifier(name))
        )
        for name in schema_names
    ]
    return sql.SQL(" UNION ALL ").join(parts), [value for name in schema_names for value in (name, *params)]
