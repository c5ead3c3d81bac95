"""The DuckDB warehouse, one job per module: :mod:`.execute` (running SQL), :mod:`.sql_files`
(the named statements of ``sql/``), :mod:`.tables` (schemas, tables built from their DDL),
:mod:`.transactions`, :mod:`.partitions` (atomic partition replacement), :mod:`.connection`
(opening the file, waiting for its lock), :mod:`.backup` (the copy a run rolls back to),
:mod:`.source_claim` (one warehouse, one source) and :mod:`.checksums`."""
