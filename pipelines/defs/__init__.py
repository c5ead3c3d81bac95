"""Dagster definitions by domain; ``pipelines.definitions`` binds them."""

import warnings

import dagster as dg

# BackfillPolicy is marked beta; it is what lets one run load many partitions in one step.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
