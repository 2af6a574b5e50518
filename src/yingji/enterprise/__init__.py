"""Enterprises under production-safety supervision (企业): the ledger of the district's
hazardous-chemicals storage and trade enterprises and industrial enterprises above scale,
their licences, standardisation grade, units, and overall risk colour.

Other domains (prevention, monitoring, patrols, supervision) read enterprises only through
:mod:`yingji.enterprise.directory`.
"""
