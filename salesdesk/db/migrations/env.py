"""Alembic environment: SalesDesk runs migrations itself, on a connection it passes in."""

from alembic import context

from salesdesk.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        url = config.get_main_option("sqlalchemy.url")
        assert url is not None  # run by hand (alembic upgrade), alembic.ini names the database
        connection = create_engine(url).connect()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("SalesDesk migrations run online only")
run_migrations_online()
