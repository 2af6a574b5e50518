"""Notification: notices to people and systems outside the dashboard (SMS, voice, webhook)."""
