"""What import-linter cannot see: no app imports another app's `views` or a private name.

Run from the repository root: `python .ci/check_names.py`. Tests and migrations are not checked;
the composition root (`ocrotire.site`) may import any app's views, as it maps their URLs.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path("ocrotire")
ROOTS_ALLOWED_VIEWS = {"site"}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "ocrotire" else None


def problems() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        importer = path.parts[1]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            target = app_of(node.module)
            if target is None or target == importer:
                continue
            names = [a.name for a in node.names]
            modules = [node.module] + [f"{node.module}.{n}" for n in names]
            if importer not in ROOTS_ALLOWED_VIEWS and any(
                m.split(".")[-1] == "views" or ".views." in m for m in modules
            ):
                found.append(f"{path}:{node.lineno}: imports {node.module}'s views")
            private = [n for n in names if n.startswith("_")]
            private += [p for p in node.module.split(".") if p.startswith("_") and p != "__init__"]
            if private:
                found.append(f"{path}:{node.lineno}: imports private {', '.join(private)}")
    return found


if __name__ == "__main__":
    listed = problems()
    for line in listed:
        print(line)
    print(
        f"{len(listed)} name rule(s) broken"
        if listed
        else "names: no app imports another's views or private names"
    )
    sys.exit(1 if listed else 0)
