"""Benchmarks run from the command line (``yingji bench ...``), never as timed tests."""
