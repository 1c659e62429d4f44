"""The staff page, assembled once from the shared layout (static/index.html) and each domain's markup
(static/<domain>/*.html): a line `<!--#include file="records/enter.html" -->` is replaced by that file.

Why server-side includes and not <template>s fetched by the scripts: the page arrives whole in one response, so
the classic scripts find every element when they run (no second round of requests, no flash of empty views) and
there is still no build step; a marker that names no file is a deployment error and stops the start."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).parent / "static"
INCLUDE = re.compile(r'^[ \t]*<!--#include file="([^"]+)" -->[ \t]*$', re.MULTILINE)


class MissingPartial(Exception):
    """An include marker names a file that is not under static/ (or lies outside it)."""


def assemble(layout: Path, root: Path) -> str:
    """The layout with every include marker replaced by its file (one level: partials hold no markers)."""

    def include(match: re.Match[str]) -> str:
        path = (root / match.group(1)).resolve()
        if not path.is_file() or root.resolve() not in path.parents:
            raise MissingPartial(f"{layout.name}: include {match.group(1)!r} does not name a file under {root}")
        text = path.read_text(encoding="utf-8").rstrip("\n")
        if INCLUDE.search(text):
            raise MissingPartial(f"{match.group(1)}: a partial may not include another")
        return text

    return INCLUDE.sub(include, layout.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def staff_page() -> str:
    """The assembled staff page (cached for the life of the process: the files are part of the release)."""
    return assemble(STATIC / "index.html", STATIC)
