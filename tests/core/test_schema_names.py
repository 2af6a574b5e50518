"""Two domains' response shapes with one class name get module-path names in the spec
(``yingji__command__schemas__TaskRead``), and every client type named after the short name
breaks: the inspection merge's ``TaskRead`` failed the dashboard's build that way. New
shapes take names of their own; the four clashes below predate this test."""

from __future__ import annotations

from yingji.app import create_app

KNOWN = {
    "yingji__command__schemas__SessionIn",
    "yingji__resources__schemas__SessionIn",
    "yingji__grid__schemas__ImportResult",
    "yingji__resources__schemas__ImportResult",
}


def test_no_new_schema_name_clashes(settings):
    spec = create_app(settings).openapi()
    clashing = {n for n in spec["components"]["schemas"] if n.startswith("yingji__")}
    assert clashing <= KNOWN, sorted(clashing - KNOWN)
