"""Grid patrols (issue 18): the people on the grid, and (next) plans, routes and check-ins."""
