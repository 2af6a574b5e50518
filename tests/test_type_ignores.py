"""Every ``# type: ignore`` in src/ names its error code and says why beside it:
``# type: ignore[attr-defined]  # why``. A bare ignore hides whatever error comes next on the
line; a reason lets a reader judge whether the ignore still holds. (mypy itself, with
``warn_unused_ignores``, refuses the ones that no longer hide anything.)"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "yingji"
IGNORE = re.compile(r"#\s*type:\s*ignore")
WITH_REASON = re.compile(r"#\s*type:\s*ignore\[[a-z][a-z, -]*\]\s+#\s*\S")


def _ignores(text: str) -> list[tuple[int, str]]:
    """(line, comment) of each comment token that is a type-ignore (strings don't count)."""
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT and IGNORE.search(tok.string):
            out.append((tok.start[0], tok.string))
    return out


def _unexplained(text: str) -> list[tuple[int, str]]:
    return [(n, c) for n, c in _ignores(text) if not WITH_REASON.search(c)]


def test_every_type_ignore_has_a_code_and_a_reason():
    found = [
        f"{path.relative_to(SRC.parent)}:{n}: {comment}"
        for path in sorted(SRC.rglob("*.py"))
        for n, comment in _unexplained(path.read_text(encoding="utf-8"))
    ]
    assert not found, "give each its [code] and '  # reason':\n" + "\n".join(found)


def test_the_check_tells_a_reason_from_none():
    text = (
        "a = 1  # type: ignore\n"
        "b = 2  # type: ignore[attr-defined]\n"
        "c = 3  # type: ignore[attr-defined]  # set in __post_init__\n"
        "d = 4  # type: ignore[arg-type, union-attr]  # checked above\n"
        "e = '# type: ignore'\n"
    )
    assert [n for n, _ in _unexplained(text)] == [1, 2]
