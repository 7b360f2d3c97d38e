#!/usr/bin/env python3
"""Checks Ward's module layering (docs/design/layering.md).

Every module is one static library declared in src/<module>/CMakeLists.txt with
`ward_module(<module> SOURCES ... DEPS ward_a ward_b ...)` (and any later
`target_link_libraries(ward_<module> ...)` in the same file). A file of module m (under src/m/ or
include/ward/m/) may include `ward/<d>/...` only when d is m itself or one of m's declared DEPS.
The declared graph must have no cycle, its order must match the module list in
docs/design/layering.md (each module listed after everything it depends on), and the module table
of docs/design/README.md (when present) must list each module with exactly its declared DEPS.
A test or benchmark (under tests/ or bench/) reaches another folder with a relative include
(`#include "../..."`) only into src/ (a module's private header); shared fixtures are included as
"testutil/<name>.h" from tests/testutil/, never from another test folder or from bench/.

Exit status: 0 when the tree obeys the rules, 1 with one line per violation otherwise.
Usage: scripts/check-layering.py [REPO_ROOT]
"""
import pathlib
import re
import sys

MODULE_CALL = re.compile(r"ward_module\(\s*(\w+)(.*?)\)\s*$", re.S | re.M)
EXTRA_LINKS = re.compile(r"target_link_libraries\(\s*ward_(\w+)(.*?)\)", re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s+"ward/([a-z_]+)/', re.M)
ORDER_LINE = re.compile(r"^\s*\d+\.\s+`([a-z_]+)`", re.M)


def declared_modules(root):
    """module -> set of ward modules it declares in DEPS."""
    modules = {}
    for cmake in sorted((root / "src").glob("*/CMakeLists.txt")):
        text = re.sub(r"#[^\n]*", "", cmake.read_text())
        for match in MODULE_CALL.finditer(text):
            name, body = match.group(1), match.group(2)
            deps = set()
            if "DEPS" in body:
                deps_part = body.split("DEPS", 1)[1]
                deps = {tok[len("ward_"):] for tok in deps_part.split() if tok.startswith("ward_")}
            modules[name] = deps
        # Later target_link_libraries(ward_<m> ...) calls declare dependencies too.
        for match in EXTRA_LINKS.finditer(text):
            name, body = match.group(1), match.group(2)
            if name in modules:
                modules[name] |= {t[len("ward_"):] for t in body.split() if t.startswith("ward_")}
    return modules


def include_violations(root, modules):
    problems = []
    for module, deps in sorted(modules.items()):
        allowed = deps | {module}
        folders = [root / "src" / module, root / "include" / "ward" / module]
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                if path.suffix not in (".h", ".cc", ".in"):
                    continue
                for line_no, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                    found = INCLUDE.match(line)
                    if found and found.group(1) not in allowed:
                        rel = path.relative_to(root)
                        problems.append(
                            f"{rel}:{line_no}: module '{module}' includes ward/{found.group(1)}/ "
                            f"but does not declare ward_{found.group(1)} in its DEPS")
    return problems


RELATIVE_INCLUDE = re.compile(r'^\s*#\s*include\s+"(\.\./[^"]+)"', re.M)


def test_include_violations(root):
    """Relative includes in tests/ and bench/ that leave for anywhere but src/."""
    problems = []
    src = (root / "src").resolve()
    for top in ("tests", "bench"):
        folder = root / top
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".h", ".cc") or "node_modules" in path.parts:
                continue
            text = path.read_text(errors="replace")
            for line_no, line in enumerate(text.splitlines(), 1):
                found = RELATIVE_INCLUDE.match(line)
                if not found:
                    continue
                target = (path.parent / found.group(1)).resolve()
                if target == src or src in target.parents:
                    continue
                rel = path.relative_to(root)
                problems.append(
                    f"{rel}:{line_no}: includes \"{found.group(1)}\" outside src/; a fixture "
                    f"shared between test folders or with bench/ lives in tests/testutil/ and is "
                    f"included as \"testutil/<name>.h\"")
    return problems


def cycle(modules):
    """A dependency cycle as a list of modules, or None."""
    state = {}
    stack = []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for d in sorted(modules.get(m, ())):
            if state.get(d) == "open":
                return stack[stack.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(modules):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def order_violations(root, modules):
    doc = root / "docs" / "design" / "layering.md"
    if not doc.exists():
        return [f"{doc.relative_to(root)}: missing (the documented module order)"]
    order = ORDER_LINE.findall(doc.read_text())
    problems = []
    listed = set(order)
    for m in sorted(set(modules) - listed):
        problems.append(f"docs/design/layering.md: module '{m}' is not in the documented order")
    for m in sorted(listed - set(modules)):
        problems.append(f"docs/design/layering.md: '{m}' is listed but no such module is built")
    position = {m: i for i, m in enumerate(order)}
    for m, deps in sorted(modules.items()):
        for d in sorted(deps):
            if m in position and d in position and position[d] > position[m]:
                problems.append(f"docs/design/layering.md: '{m}' is listed before its dependency '{d}'")
    return problems


README_ROW = re.compile(r"^\|\s*\[`([a-z_]+)`\]\([^)]*\)\s*\|([^|]*)\|", re.M)


def readme_violations(root, modules):
    """docs/design/README.md's module table: one row per module, its declared dependencies."""
    doc = root / "docs" / "design" / "README.md"
    if not doc.exists():
        return []
    problems = []
    rows = {m: set(re.findall(r"`([a-z_]+)`", deps)) for m, deps in README_ROW.findall(doc.read_text())}
    for m in sorted(set(modules) - set(rows)):
        problems.append(f"docs/design/README.md: module '{m}' has no row")
    for m in sorted(set(rows) - set(modules)):
        problems.append(f"docs/design/README.md: '{m}' has a row but no such module is built")
    for m in sorted(set(rows) & set(modules)):
        if rows[m] != modules[m]:
            problems.append(f"docs/design/README.md: '{m}' lists {sorted(rows[m])}, "
                            f"its DEPS declare {sorted(modules[m])}")
    return problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    modules = declared_modules(root)
    if not modules:
        print("check-layering: no ward_module() declarations found", file=sys.stderr)
        return 1
    problems = include_violations(root, modules)
    problems += test_include_violations(root)
    loop = cycle(modules)
    if loop:
        problems.append("dependency cycle: " + " -> ".join(loop))
    problems += order_violations(root, modules)
    problems += readme_violations(root, modules)
    for p in problems:
        print(p)
    if problems:
        print(f"check-layering: {len(problems)} violation(s)", file=sys.stderr)
        return 1
    print(f"check-layering: {len(modules)} modules, includes within declared dependencies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
