"""PostgreSQL: the app runs as a role that can read and write DST's rows but cannot undo the audit guard.

The tables belong to the role that runs the migrations (`dst db upgrade`, DST_MIGRATION_DATABASE_URL
when set). A table's owner can `ALTER TABLE audit_event DISABLE TRIGGER`, so an app connected as the
owner could rewrite the audit trail after all. The app and the scheduled jobs connect as
DST_DATABASE_APP_ROLE instead: after every upgrade that role is granted SELECT, INSERT, UPDATE and
DELETE on DST's tables (new tables included), but only SELECT and INSERT on `audit_event`, and it owns
nothing, so it can neither disable the trigger nor drop or alter a table.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import Engine, text

from dst.db.engine import build_engine

log = logging.getLogger("dst.db")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APPEND_ONLY = ("audit_event",)


class RoleError(ValueError):
    pass


def grant_app_role(url: str, role: str) -> list[str]:
    """Grant `role` what the app needs, and no more; answers the statements run (for the log)."""
    if not ROLE_NAME.match(role):
        raise RoleError(f"DST_DATABASE_APP_ROLE {role!r} is not a plain PostgreSQL role name.")
    engine = build_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            return []
        with engine.begin() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
            ).first()
            if exists is None:
                raise RoleError(
                    f"The role {role} does not exist: create it first (CREATE ROLE {role} LOGIN PASSWORD …)."
                )
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            statements = [
                f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
                *(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{schema}"."{t}" FROM "{role}"' for t in APPEND_ONLY),
                f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "{schema}".alembic_version FROM "{role}"',
            ]
            for statement in statements:
                connection.execute(text(statement))
        return statements
    finally:
        engine.dispose()


def audit_guard_risk(engine: Engine) -> str | None:
    """Why this connection's role could switch the audit trail's guard off, or None if it cannot."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER') "
                "FROM pg_roles r, pg_class c "
                "WHERE r.rolname = current_user AND c.oid = to_regclass('audit_event')"
            )
        ).first()
    if row is None:
        return None
    superuser, owner = row
    if superuser:
        return "the database role is a superuser"
    if owner:
        return "the database role owns the audit table"
    return None
