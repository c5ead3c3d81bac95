import dagster as dg

# Census months from January 2024 (the baseline year) to the last complete month.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date="2024-01-01", end_offset=0)


def period(partition_key: str) -> str:
    """``2025-09-01`` → ``2025-09``."""
    return partition_key[:7]
