"""Append-only audit log (审计日志): who changed what, when, before and after."""
