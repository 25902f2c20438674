"""The database schema: the contract tables, built from SPECS, and the import history.

Every contract table carries two bookkeeping columns: `extracted_on`, the extraction date of
the import that last wrote the row, and `import_id`, that import. The migrations in
`retour.store.migrations` build exactly this schema (a test compares them).
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa

from retour.domain.codes import Table
from retour.domain.tables import SPECS, ColumnType, TableSpec

#: Constraint names the same on SQLite and PostgreSQL, so migrations can refer to them.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IMPORTS: Final = "imports"
EXTRACTED_ON: Final = "extracted_on"
IMPORT_ID: Final = "import_id"
CASE_ID: Final = "case_id"

#: The bookkeeping columns every contract table has after its contract columns.
BOOKKEEPING: Final = (EXTRACTED_ON, IMPORT_ID)

#: Columns indexed for the analyses, beyond primary keys.
INDEXES: Final[dict[Table, tuple[tuple[str, ...], ...]]] = {
    Table.CASES: (("nationality",),),
    Table.REQUESTS: (
        (CASE_ID,),
        ("kind", "outcome", "country", "submitted_on", "reason"),  # covers the figures counts
    ),
    Table.DETENTIONS: ((CASE_ID,),),
    Table.DEPARTURES: ((CASE_ID,),),
}

#: Indexes whose columns would make too long a name (PostgreSQL allows 63 characters).
NAMED_INDEXES: Final[dict[Table, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    # covers the time limits' joins (country, submitted_on, kind: equal to a staged due date)
    # and the Article 25a year's counts: they read the index alone, never the table
    Table.REQUESTS: (
        (
            "ix_requests_country_submitted_on_covering",
            ("country", "submitted_on", "kind", "outcome", "outcome_on", "document_on",
             "reason", CASE_ID, "request_id"),
        ),
    ),
}  # fmt: skip

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

imports = sa.Table(
    IMPORTS,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("extracted_on", sa.Date, nullable=False),
    sa.Column("simulated", sa.Boolean, nullable=False),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("container", sa.Text, nullable=False),
    sa.Column("counts", sa.Text, nullable=False),
    # an import through a mapping (docs/mapping.md): the mapping's SHA-256 and text
    sa.Column("mapping_sha256", sa.Text, nullable=True),
    sa.Column("mapping", sa.Text, nullable=True),
)

SAVED_MAPPINGS: Final = "saved_mappings"

#: Mappings an administrator saved under a name on the web's import page (revision 0008).
saved_mappings = sa.Table(
    SAVED_MAPPINGS,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("saved_by", sa.Text, nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("name"),
)


def sql_type(column_type: ColumnType) -> sa.types.TypeEngine[Any]:
    """The SQL type of a contract column type."""
    types: dict[ColumnType, sa.types.TypeEngine[Any]] = {
        ColumnType.TEXT: sa.Text(),
        ColumnType.COUNTRY: sa.String(),
        ColumnType.CODE: sa.String(),
        ColumnType.DATE: sa.Date(),
        ColumnType.INT: sa.Integer(),
    }
    return types[column_type]


def contract_columns(spec: TableSpec) -> list[sa.Column[Any]]:
    """The table's contract columns, typed, NOT NULL where required, without constraints."""
    return [sa.Column(c.name, sql_type(c.type), nullable=not c.required) for c in spec.columns]


def _contract_table(spec: TableSpec) -> sa.Table:
    constraints: list[sa.schema.SchemaItem] = [sa.PrimaryKeyConstraint(*spec.key)]
    if spec.table is not Table.CASES and CASE_ID in spec.column_names:
        constraints.append(sa.ForeignKeyConstraint([CASE_ID], [f"{Table.CASES.value}.{CASE_ID}"]))
    constraints += [sa.Index(None, *cols) for cols in INDEXES.get(spec.table, ())]
    constraints += [sa.Index(name, *cols) for name, cols in NAMED_INDEXES.get(spec.table, ())]
    return sa.Table(
        spec.name,
        metadata,
        *contract_columns(spec),
        sa.Column(EXTRACTED_ON, sa.Date, nullable=False),
        sa.Column(IMPORT_ID, sa.Integer, sa.ForeignKey(imports.c.id), nullable=False),
        *constraints,
    )


#: The contract tables, in the order of the contract (cases first: others refer to it).
TABLES: Final[dict[Table, sa.Table]] = {t: _contract_table(SPECS[t]) for t in Table}


def table(t: Table) -> sa.Table:
    return TABLES[t]


#: Statistics from outside (Eurostat's migr_eiord and migr_eirtn): one row a value.
OUTSIDE_STATISTICS: Final = "outside_statistics"
#: The dimensions of an outside statistic, its key with the dataset and the period. A
#: dimension a file does not have is stored as '' so that the key holds no NULL.
OUTSIDE_KEY: Final = (
    "dataset",
    "geo",
    "citizen",
    "age",
    "sex",
    "unit",
    "c_dest",
    "indic",
    "period",
)

outside_statistics = sa.Table(
    OUTSIDE_STATISTICS,
    metadata,
    *(sa.Column(name, sa.String, nullable=False) for name in OUTSIDE_KEY),
    sa.Column("value", sa.BigInteger, nullable=True),
    sa.Column("flag", sa.String, nullable=True),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint(*OUTSIDE_KEY),
    sa.Index(None, "citizen", "dataset"),
)


# -- the web dashboard: users, their sessions and tokens, failed logins, the audit log -------

USERS: Final = "users"
WEB_SESSIONS: Final = "web_sessions"
API_TOKENS: Final = "api_tokens"
LOGIN_FAILURES: Final = "login_failures"
AUDIT_LOG: Final = "audit_log"

users = sa.Table(
    USERS,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("name"),
)

#: A web login: the cookie carries a random id, the database only its SHA-256.
web_sessions = sa.Table(
    WEB_SESSIONS,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("token_hash"),
)

#: Bearer tokens of the JSON API (`retour token create`): only their SHA-256 is kept.
api_tokens = sa.Table(
    API_TOKENS,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("token_hash"),
)

#: Failed logins, by a hash of the name tried (a password typed as a name is never kept).
login_failures = sa.Table(
    LOGIN_FAILURES,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name_hash", sa.Text, nullable=False),
    sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index(None, "name_hash", "failed_at"),
)

#: Append-only: retour has no code path that updates or deletes a row, and triggers refuse
#: UPDATE and DELETE on both backends (revision 0003) and, on SQLite, an INSERT over an
#: existing id (REPLACE; revision 0006).
audit_log = sa.Table(
    AUDIT_LOG,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("role", sa.String, nullable=True),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("profile", sa.String, nullable=True),
    sa.Column("subject", sa.Text, nullable=True),
    sa.Column("via", sa.String, nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
)


# -- pseudonyms -------------------------------------------------------------------------------

PSEUDONYM_KEY: Final = "pseudonym_key"

#: One row: the fingerprint (an HMAC of a fixed label) of the key this database's alien
#: numbers were pseudonymised with; never the key. See revision 0006.
pseudonym_key = sa.Table(
    PSEUDONYM_KEY,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("id = 1", name="one_row"),
)

# what recordings changed (revision 0010) and the register of releases (revision 0011): their
# tables join `metadata` from their own modules
from retour.store import records as _records  # noqa: E402, F401
from retour.store import releases as _releases  # noqa: E402, F401
