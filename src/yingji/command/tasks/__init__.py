"""Tasks for the parties of a response, their deadlines and escalation."""
