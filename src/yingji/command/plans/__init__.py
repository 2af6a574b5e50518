"""Emergency plans (应急预案) and on-site plans (现场处置方案), versioned."""
