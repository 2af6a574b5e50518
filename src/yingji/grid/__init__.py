"""The grid (网格化 "点、线、面"): areas, lines and points with their responsible persons."""
