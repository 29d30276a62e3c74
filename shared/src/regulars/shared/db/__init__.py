"""Database access: SQLAlchemy 2 Core on asyncpg, one database per service."""

from regulars.shared.db.engine import create_database_if_missing, make_engine, ping
from regulars.shared.db.unit_of_work import UnitOfWork

__all__ = ["UnitOfWork", "create_database_if_missing", "make_engine", "ping"]
