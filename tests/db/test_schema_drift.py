"""The migrations build exactly the schema the models declare (tables, columns, indexes, constraints): a model
changed without its migration — or an index dropped by a migration but still declared (0018) — fails here, on
both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from xinyong.schema import Base


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
