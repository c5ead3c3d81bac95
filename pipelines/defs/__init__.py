"""Dagster definitions by domain, discovered by ``pipelines.definitions`` (dg's
``load_from_defs_folder``): every module here is imported and its module-level assets, checks,
jobs, schedules and sensors (or lists of them) are loaded."""

import warnings

import dagster as dg

# BackfillPolicy is marked beta; it is what lets one run load many partitions in one step.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
