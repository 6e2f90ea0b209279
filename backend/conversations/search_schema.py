"""The full-text indexes behind ``conversations.search``, on each stack.

Django's models do not know these: they are plain SQL, made by migration 0007 and
checked again after every ``migrate`` (:func:`ensure`, from ``apps.py``'s
post_migrate), because on SQLite Django rebuilds a table to alter it (a new
table, copy, drop, rename) and the drop takes the table's triggers with it: a
later migration of ``Message`` or ``Visitor`` would silently stop the index
from following the rows. :func:`ensure` puts missing triggers back and rebuilds
that index from the rows.

**PostgreSQL.** ``conversations_message.search_doc`` is a stored generated
``tsvector`` of the body, with a GIN index; visitors get a GIN index on the
expression ``papo_visitor_doc(name, email)``. Text is folded with the ``simple``
configuration over ``unaccent``:

- ``simple``, not ``portuguese`` or ``spanish``: one site hears several
  languages, and a language configuration stems and drops stop words for its own
  language only (``english`` would turn "pedidos" into nothing useful, and
  ``portuguese`` drops "não"). ``simple`` keeps each word as written, lower case;
  prefix matching (``pedi`` finds "pedido" and "pedidos") gives most of what
  stemming would, in every language, and behaves as SQLite's FTS5 does.
- ``unaccent`` (an extension that ships with PostgreSQL and is *trusted* since
  version 13, so the database's owner may create it): agents type "acao" for
  "ação" and "informacion" for "información". It is wrapped in an IMMUTABLE
  function, ``papo_fold``, with its dictionary named, so a generated column and
  an index may use it.

``papo_query(text)`` turns what the agent typed into a ``tsquery``: the same
parser and folding as the documents, every word of two letters or more a prefix, all of them
required. It never fails on odd input (quotes, ``&``, ``:``, backslashes are only text).

**SQLite.** FTS5 (compiled into the SQLite of Debian, Ubuntu, macOS and Python's
wheels; the migration fails loudly without it), external-content tables over
the messages' bodies and the visitors' names and e-mails, kept in step by
triggers, with the ``unicode61`` tokenizer and ``remove_diacritics 2``: the same
folding as above. ``@`` and ``.`` separate words there, so "rita" finds
rita@example.com; on PostgreSQL ``papo_visitor_doc`` adds the e-mail's parts
for the same reason.
"""

from __future__ import annotations

MESSAGE_TABLE = "conversations_message"
VISITOR_TABLE = "visitors_visitor"
MESSAGE_FTS = "papo_message_fts"
VISITOR_FTS = "papo_visitor_fts"


def _pg_statements(unaccent_schema: str) -> list[str]:
    fold = f'"{unaccent_schema}".unaccent(\'"{unaccent_schema}".unaccent\'::regdictionary, $1)'
    return [
        f"""CREATE OR REPLACE FUNCTION papo_fold(text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT {fold} $$""",
        """CREATE OR REPLACE FUNCTION papo_visitor_doc(name text, email text) RETURNS tsvector
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT to_tsvector('simple'::regconfig, papo_fold(
                coalesce(name, '') || ' ' || coalesce(email, '') || ' '
                || translate(coalesce(email, ''), '@.+_-', '     '))) $$""",
        # Each lexeme quoted as tsquery input wants it (quotes and backslashes doubled),
        # then ":*" (a prefix: one letter stays a word) and "&" between them; NULL
        # when nothing is left.
        r"""CREATE OR REPLACE FUNCTION papo_query(q text) RETURNS tsquery
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT string_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''')
                              || '''' || CASE WHEN length(lexeme) > 1 THEN ':*' ELSE '' END,
                              ' & ')::tsquery
            FROM unnest(to_tsvector('simple'::regconfig, papo_fold(coalesce(q, '')))) $$""",
        f"""ALTER TABLE {MESSAGE_TABLE} ADD COLUMN IF NOT EXISTS search_doc tsvector
            GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, papo_fold(body))) STORED""",
        f"""CREATE INDEX IF NOT EXISTS conv_message_search
            ON {MESSAGE_TABLE} USING gin (search_doc)""",
        f"""CREATE INDEX IF NOT EXISTS visitor_search
            ON {VISITOR_TABLE} USING gin (papo_visitor_doc(name, email))""",
    ]


def pg_ensure(cursor) -> None:
    """The PostgreSQL half of :func:`ensure`, on any DB-API cursor (bench/search.py
    builds the index after seeding with it)."""
    cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension "
                   "WHERE extname = 'unaccent'")
    schema = cursor.fetchone()[0].strip('"')
    for sql in _pg_statements(schema):
        cursor.execute(sql)


# name -> (table, columns): each an external-content FTS5 table over those columns
_SQLITE_FTS = {
    MESSAGE_FTS: (MESSAGE_TABLE, ("body",)),
    VISITOR_FTS: (VISITOR_TABLE, ("name", "email")),
}


def _sqlite_triggers(fts: str, table: str, cols: tuple[str, ...]) -> dict[str, str]:
    names = ", ".join(cols)
    new = ", ".join(f"new.{c}" for c in cols)
    old = ", ".join(f"old.{c}" for c in cols)
    # (constant names only, here and below: nothing of a request reaches this DDL)
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608
    return {
        f"{fts}_ai": f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"{fts}_ad": f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"{fts}_au": (f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} "
                      f"BEGIN {delete} {insert} END"),
    }


def _sqlite_ensure(cursor) -> None:
    for fts, (table, cols) in _SQLITE_FTS.items():
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
                       "AND (name = %s OR tbl_name = %s)", [fts, table])
        present = {row[0] for row in cursor.fetchall()}
        triggers = _sqlite_triggers(fts, table, cols)
        if fts in present and triggers.keys() <= present:
            continue
        if fts not in present:
            cursor.execute(
                f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(cols)}, "
                f"content='{table}', content_rowid='id', "
                f"tokenize='unicode61 remove_diacritics 2')")
        for name, sql in triggers.items():
            if name not in present:
                cursor.execute(sql)
        # rows written while a trigger was missing: index them all again
        cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608


def ensure(connection) -> None:
    """Create whatever of the search indexes is missing on ``connection``'s database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            pg_ensure(cursor)
        elif connection.vendor == "sqlite":
            _sqlite_ensure(cursor)


def drop(connection) -> None:
    """Undo :func:`ensure` (the migration's reverse)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {MESSAGE_TABLE} DROP COLUMN IF EXISTS search_doc")
            cursor.execute("DROP INDEX IF EXISTS visitor_search")
            for fn in ("papo_query(text)", "papo_visitor_doc(text, text)", "papo_fold(text)"):
                cursor.execute(f"DROP FUNCTION IF EXISTS {fn}")
        elif connection.vendor == "sqlite":
            for fts, (table, cols) in _SQLITE_FTS.items():
                for name in _sqlite_triggers(fts, table, cols):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"DROP TABLE IF EXISTS {fts}")
