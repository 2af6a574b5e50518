"""Yingji (应急): an emergency command platform for a district emergency management bureau."""

__version__ = "0.1.0"
