"""prr: self-hosted Production Readiness Reviews."""

__version__ = "0.1.0"
