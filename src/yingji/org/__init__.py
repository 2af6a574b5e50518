"""The organisation "1 + 9 + N + 1": committee, headquarters, departments, sub-districts, forces."""
