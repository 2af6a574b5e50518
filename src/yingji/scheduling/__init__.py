"""Scheduling: durable timers every domain shares (deadlines, escalations, retries)."""
