"""The demo's incident simulator: feeds every intake channel at a settable rate."""
