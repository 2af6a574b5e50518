"""Geodesy helpers: Chinese map coordinate systems and distances. Pure functions, no I/O."""
