"""Fixed selects on hot paths, run straight on the database driver's cursor."""

import itertools
from datetime import date, time
from decimal import Decimal

from sqlalchemy import exc
from sqlalchemy.engine import Connection

_NAMES = itertools.count(1)


class DriverRead:
    """A fixed select on a hot path, run straight on the driver's cursor.

    SQLAlchemy's execution of even a cached statement (its execution context, result and
    row objects) costs more than the query: a status lookup's took 9 µs through the driver
    and 45 µs through Connection.execute on SQLite (117 and 167 µs on PostgreSQL). For a
    statement that never changes, the SQL is compiled once per database and driver and handed
    to the driver with the values; each column comes back converted by its type's own result
    processor for the column type the driver reports (SQLite keeps dates as text; a sum of
    PostgreSQL numerics arrives as Decimal already), as SQLAlchemy would return it. A driver
    error is raised as SQLAlchemy's DBAPIError, and a lost connection invalidated, as
    Connection.execute does. On psycopg the statement goes to libpq itself, prepared once
    per connection (see _libpq_rows).
    """

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict[tuple[str, str], tuple] = {}
        self._processors: dict[tuple, list | None] = {}  # by driver and reported column types
        self._name = f"hms_read_{next(_NAMES)}".encode()  # its prepared statement (libpq)

    def _compile(self, dialect) -> tuple:
        compiled = self.statement.compile(dialect=dialect)
        binds = {
            name: process
            for name, bind in compiled.binds.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        positions = compiled.positiontup if compiled.positional else None
        return compiled, binds, positions

    def _processors_for(self, dialect, column_types: tuple) -> list | None:
        """Each column's result processor for the column types the driver reported (None for
        none at all), made once per driver and types."""
        key = (dialect.name, dialect.driver, column_types)
        try:
            return self._processors[key]
        except KeyError:
            pass
        processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, column_type)
            for column, column_type in zip(
                self.statement.selected_columns, column_types, strict=True
            )
        ]
        found = self._processors[key] = processors if any(processors) else None
        return found

    def _compiled_for(self, dialect) -> tuple:
        # Per database and driver: drivers of one database differ in how they take values.
        key = (dialect.name, dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = self._compile(dialect)
        return found

    def driver_sql(self, dialect, params: dict) -> tuple[str, tuple | dict]:
        """The SQL and the values the driver is given for `params` (by bind name)."""
        return self._driver_sql(self._compiled_for(dialect), params)

    @staticmethod
    def _driver_sql(found: tuple, params: dict) -> tuple[str, tuple | dict]:
        compiled, binds, positions = found
        values = compiled.construct_params(params)
        for name, process in binds.items():
            values[name] = process(values[name])
        if positions is not None:
            return compiled.string, tuple(values[name] for name in positions)
        return compiled.string, values

    def rows(self, connection: Connection, params: dict) -> list[tuple]:
        """The statement's rows for `params` (its bind parameters by name), as tuples."""
        dialect = connection.dialect
        found = self._compiled_for(dialect)
        sql, values = self._driver_sql(found, params)
        dbapi_connection = connection.connection
        cursor = None
        try:
            read = None
            if dialect.driver == "psycopg" and isinstance(values, dict):
                read = self._libpq_rows(connection, dbapi_connection.dbapi_connection, values)
            if read is None:
                cursor = dbapi_connection.cursor()
                cursor.execute(sql, values)
                read = cursor.fetchall(), tuple(column[1] for column in cursor.description)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, cursor):
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                sql, values, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        finally:
            if cursor is not None:
                cursor.close()
        fetched, column_types = read
        results = self._processors_for(dialect, column_types)
        if results is None:
            return fetched
        return [
            tuple(
                value if process is None else process(value)
                for process, value in zip(results, row, strict=True)
            )
            for row in fetched
        ]

    def _libpq_rows(self, connection: Connection, driver, values: dict) -> tuple | None:
        """On psycopg: the rows through libpq itself, from a statement prepared once per
        connection, each column loaded by psycopg's own loaders, and the columns' type OIDs;
        None when a value is of a type this path does not write (the cursor then runs the
        statement). `values` are those the cursor would be given (by name, each through its
        type's bind processor).

        psycopg's cursor prepares a repeated statement too, but its Python around libpq (the
        cursor, the query's conversion, its bookkeeping of prepared statements) costs more
        than libpq's round trip: a status lookup's statement took 75 µs of the worker's time
        through the cursor and about 30 through libpq. What is prepared on a connection is
        kept in the connection's `info`, which lives as long as the driver's connection.

        Only outside a transaction (the reading pool's connections): psycopg sends DEALLOCATE
        ALL after a ROLLBACK once it has prepared statements of its own, which drops these
        too, and a statement found missing inside a transaction would spoil it. Outside one,
        a missing statement is prepared again at once.
        """
        from psycopg import errors, pq
        from psycopg.adapt import Transformer

        pgconn = driver.pgconn
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return None

        sql, positions = self._numbered(connection.dialect)
        texts = [_as_text(values[name]) for name in positions]
        if _UNWRITTEN in texts:
            return None
        prepared = connection.info.setdefault("hms prepared", set())
        encoding = driver.info.encoding
        with driver.lock:
            for _attempt in range(2):
                if self._name not in prepared:
                    result = pgconn.prepare(self._name, sql)
                    if result.status != pq.ExecStatus.COMMAND_OK:
                        error = errors.error_from_result(result, encoding=encoding)
                        if not isinstance(error, errors.DuplicatePreparedStatement):
                            raise error
                    prepared.add(self._name)
                result = pgconn.exec_prepared(self._name, texts)
                if result.status == pq.ExecStatus.TUPLES_OK:
                    loader = Transformer(driver)
                    loader.set_pgresult(result)
                    types = tuple(result.ftype(column) for column in range(result.nfields))
                    return loader.load_rows(0, result.ntuples, tuple), types
                error = errors.error_from_result(result, encoding=encoding)
                if not isinstance(error, errors.InvalidSqlStatementName):
                    raise error
                # Dropped behind our back (DEALLOCATE ALL, DISCARD ALL): prepare it again.
                prepared.discard(self._name)
            raise error

    def _numbered(self, dialect) -> tuple[bytes, list[str]]:
        """The SQL with numbered parameters ($1, $2: libpq's own) and the bind names in
        their order."""
        key = ("$", dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=type(dialect)(paramstyle="numeric_dollar"))
            found = self._compiled[key] = (compiled.string.encode(), compiled.positiontup)
        return found


_UNWRITTEN = object()


def _as_text(value):
    """A value as PostgreSQL reads it in text form (bytes), or _UNWRITTEN."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (int, Decimal)):
        return str(value).encode()
    if isinstance(value, (date, time)):  # datetime is a date
        return value.isoformat().encode()
    return _UNWRITTEN
