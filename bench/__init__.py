"""Benchmarks of the traffic engine (not part of the test suite); run them with ``python -m bench.<name>``."""
