"""The dashboard's API types (web/src/api/schema.d.ts) are the spec's, as committed.

The types are generated from ``/openapi.json`` by openapi-typescript (``cd web && npm run
api-types``). A route or schema changed without regenerating them would let the dashboard
type-check against answers the server no longer gives; this test regenerates them from the
current app and fails on any difference.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from yingji.cli import openapi_document

WEB = Path(__file__).resolve().parents[2] / "web"
COMMITTED = WEB / "src" / "api" / "schema.d.ts"
GENERATOR = WEB / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
PACKAGE = json.loads((WEB / "package.json").read_text(encoding="utf-8"))


def _generate(spec_path: Path, out: Path) -> str:
    node = shutil.which("node")
    if node is None or not GENERATOR.exists():
        pytest.fail("node and web/node_modules are needed: run `make web` (make test does)")
    # the same flags as the package's own script, so the two cannot disagree
    script = PACKAGE["scripts"]["api-types"].split("&&")[-1].split()
    flags = script[script.index("openapi-typescript") + 2 : script.index("-o")]
    subprocess.run(
        [node, str(GENERATOR), str(spec_path), *flags, "-o", str(out)],
        check=True,
        capture_output=True,
        cwd=WEB,
        timeout=120,
    )
    return out.read_text(encoding="utf-8")


def test_committed_types_match_the_current_spec(tmp_path):
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(openapi_document(), ensure_ascii=False, indent=2), "utf-8")
    generated = _generate(spec, tmp_path / "schema.d.ts")
    assert generated == COMMITTED.read_text(encoding="utf-8"), (
        "web/src/api/schema.d.ts is not what the current API spec generates: "
        "run `cd web && npm run api-types` and commit the result"
    )


def test_a_changed_spec_is_noticed(tmp_path):
    """The comparison sees a one-field change (so the test above can fail)."""
    doc = openapi_document()
    doc["components"]["schemas"]["ErrorBody"]["properties"]["hint"] = {"type": "string"}
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    generated = _generate(spec, tmp_path / "schema.d.ts")
    assert generated != COMMITTED.read_text(encoding="utf-8")
    assert "hint?: string" in generated
