"""Airflow integration of the feature store toolchain (see README.md)."""
from __future__ import annotations

__version__ = "0.1.0"
