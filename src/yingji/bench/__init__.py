"""Benchmarks (``yingji bench ...``): medians and spreads against a baseline of the same run."""
