"""Inspections (隐患排查): plans from control measures, tasks due, records, completion."""
