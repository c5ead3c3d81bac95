"""Timings (never asserted): python -m benchmarks.<name>."""
