"""Cross-cutting plumbing shared by every domain: database, errors, pagination, security."""
