"""The API fuzzed as a stranger would (issue 14 part 3): schemathesis over every operation.

A live ``uvicorn`` on a fresh SQLite database with the demo district, as ``make run`` serves it;
schemathesis (pinned in the dev extras) reads the served ``/openapi.json`` and runs every phase
— the schema's examples, the coverage phase (boundary values, wrong types, missing fields), the
random fuzzing and the stateful phase (links between operations: create, then read, patch and
delete what was created) — as an admin, so it reaches behind the login. It fails on any of:

- ``not_a_server_error``: a 5xx answer;
- ``status_code_conformance``: a status the spec does not declare for that operation;
- ``response_schema_conformance``: a body that does not match the declared response model;
- ``content_type_conformance``: a media type the spec does not declare.

The live stream (``/api/v1/stream``, server-sent events that never end) is left out: it has its
own tests. ``make test`` runs the small profile below (a fixed seed, a few examples per
operation: about three minutes on two cores); ``make fuzz`` the deep one
(``YINGJI_FUZZ_EXAMPLES``, ``YINGJI_FUZZ_SEED`` to change either).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from yingji.bench import live

pytestmark = [pytest.mark.fuzz, pytest.mark.xdist_group("fuzz")]

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
)
EXAMPLES = int(os.environ.get("YINGJI_FUZZ_EXAMPLES", "4"))
SEED = int(os.environ.get("YINGJI_FUZZ_SEED", "20200326"))
LEFT_OUT = ("/api/v1/stream",)


def _admin_token(url: str) -> str:
    password = os.environ.get("YINGJI_DEMO_PASSWORD", "yingji-demo")
    data = f"username=admin&password={password}".encode()
    with urllib.request.urlopen(f"{url}/api/v1/auth/token", data=data) as resp:
        return str(json.load(resp)["access_token"])


def schemathesis_command(url: str, token: str, report_dir: Path) -> list[str]:
    """The ``schemathesis run`` command line: the one place the fuzz profile is spelled."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "2",
        "--request-timeout",
        "60",
        # The examples Hypothesis found before stay out of it: the same seed, the same run.
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
    ]
    for path in LEFT_OUT:
        command += ["--exclude-path", path]
    return command


def test_every_operation_survives_the_fuzz_run(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    with live.live_server(data_dir, extra_env={"YINGJI_LOG_LEVEL": "warning"}) as srv:
        token = _admin_token(srv.url)
        run = subprocess.run(
            schemathesis_command(srv.url, token, tmp_path / "report"),
            capture_output=True,
            text=True,
            timeout=1800,
            cwd=tmp_path,  # its cache (.schemathesis/) stays out of the repository
        )
    output = run.stdout + run.stderr
    # The whole report on failure: each failure with its curl line to reproduce it.
    assert run.returncode == 0, output[-60_000:]
    summary = output[output.rfind("SUMMARY") :]
    print(summary)  # shown by `make fuzz` (-rA): operations, phases, cases generated
    assert "Failures:" not in summary and "Errors:" not in summary, summary
    # Every selected operation was reached (none skipped for want of a valid example).
    selected = re.search(r"Selected: (\d+)/(\d+)", summary)
    tested = re.search(r"Tested: (\d+)", summary)
    assert selected and tested, summary
    assert int(tested.group(1)) == int(selected.group(1)), summary
    assert int(selected.group(2)) - int(selected.group(1)) == len(LEFT_OUT), summary
