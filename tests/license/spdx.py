#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every source file of the repository names its licence in an SPDX line
within its first 5 lines (README, "License").

  spdx.py SOURCE_ROOT          check: list the files without one, exit 1
  spdx.py SOURCE_ROOT --add    add the line where it is missing (after a
                               shebang line, in the file's comment syntax)
"""
import subprocess
import sys
from pathlib import Path

TAG = "SPDX-License-Identifier: LGPL-2.1-or-later"
HASH = (".py", ".sh", ".build", ".txt", ".ini", ".supp", ".dict")
C = (".c", ".h", ".in", ".cpp")


def sources(root):
    out = subprocess.run(["git", "-C", str(root), "ls-files"],
                         capture_output=True, text=True, check=True).stdout
    for name in out.split("\n"):
        p = root / name
        if not name or not p.is_file():
            continue
        if name.endswith(C) or name.endswith(HASH) or name.startswith(".ci/"):
            if "/fixtures/" in name or "/malformed/" in name or \
               "/regressions/" in name or "/runner-seeds/" in name or \
               name.endswith("expected.txt"):
                continue                        # data, not source
            yield name, p


def has_tag(p):
    with open(p, encoding="utf-8", errors="replace") as f:
        return any(TAG.split(":")[0] in next(f, "") for _ in range(5))


def add_tag(name, p):
    text = p.read_text(encoding="utf-8")
    line = f"/* {TAG} */\n" if name.endswith(C) else f"# {TAG}\n"
    if text.startswith("#!"):
        first, _, rest = text.partition("\n")
        text = first + "\n" + line + rest
    else:
        text = line + text
    p.write_text(text, encoding="utf-8")


def main():
    root = Path(sys.argv[1]).resolve()
    if not (root / ".git").exists():
        print("not a git checkout: the file list comes from git ls-files; skipped")
        return 77
    missing = [(n, p) for n, p in sources(root) if not has_tag(p)]
    if "--add" in sys.argv:
        for n, p in missing:
            add_tag(n, p)
        print(f"added the SPDX line to {len(missing)} files")
        return 0
    for n, _ in missing:
        print(f"{n}: no '{TAG}' in its first 5 lines")
    n_all = sum(1 for _ in sources(root))
    print(f"{n_all - len(missing)} of {n_all} source files name their licence")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
