"""Alembic migrations of the records DB (a package so that installs ship env.py)."""
