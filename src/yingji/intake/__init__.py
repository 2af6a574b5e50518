"""Single intake (一口归集): every channel into one pipeline that locates, merges, classifies,
grades, routes and pushes incidents live."""
