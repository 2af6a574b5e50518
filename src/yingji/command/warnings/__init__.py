"""Warnings to the surroundings (周边预警), published as CAP 1.2."""
