"""Benchmarks that print their figures as one JSON line (never timed assertions in tests)."""
