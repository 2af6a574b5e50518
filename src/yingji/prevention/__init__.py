"""Dual prevention (双重预防): risk grading and control (风险分级管控) and hidden-hazard
screening and treatment (隐患排查治理) at the district's enterprises.

Sub-domains, each a package of the usual shape: ``ruleset`` (the versioned rule tables every
judgement records), ``risk`` (risk points, hazard sources, assessments, controls),
``inspection`` (plans, tasks, records, completion) and ``hazard`` (the closed loop).
"""
