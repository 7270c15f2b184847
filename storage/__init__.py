"""Persistence: SQLModel tables on SQLAlchemy's async engine, SQLite or PostgreSQL by URL.

Implements `tickets.ports`; nothing outside this package writes SQL.
"""
