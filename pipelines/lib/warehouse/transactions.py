"""Transactions: all or nothing, with cleanups that never hide the real error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from pipelines.lib.warehouse.execute import run


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: any exception rolls back, so a failed step leaves tables as they were."""
    run(con, "BEGIN TRANSACTION")
    try:
        yield con
    except BaseException as exc:
        try:
            run(con, "ROLLBACK")
        except duckdb.Error as rollback:  # keep the real error; the rollback's is secondary
            exc.add_note(f"(the rollback failed too: {rollback})")
        raise
    run(con, "COMMIT")


@contextmanager
def cleaning_up(cleanup) -> Iterator[None]:
    """Run ``cleanup`` (unregister frames, drop temp tables) after the block. When the block
    failed inside a transaction, DuckDB refuses every statement until the rollback ("Current
    transaction is aborted"), the cleanup included: its error is then noted on the block's
    error instead of replacing it, so the message keeps the real cause."""
    try:
        yield
    except BaseException as exc:
        try:
            cleanup()
        except duckdb.Error as failed:
            exc.add_note(f"(cleaning up failed too: {failed})")
        raise
    cleanup()
