"""Versioned rule tables (规则版本): bands, lists and frequencies as data.

Every assessment and hazard judgement stores the version it used, so a new version (which
takes effect from its date) never rewrites history.
"""
