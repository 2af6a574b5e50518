"""Command and dispatch (指挥调度): plans, activation, tasks, duty, consultation, warnings,
aftermath and review."""
