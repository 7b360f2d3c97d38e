#!/usr/bin/env python3
"""Limits the docs state, held to the code (issue 20, "docs true to the code").

Wherever a page under docs/ (or the README) names a constant next to its value — a table row
`| what | 64 KiB | `kMaxFoo` |`, or prose such as "32 (`kMaxDepth`)", "`kMaxDepth` (32)",
"`kMaxDepth` = 32", "64 KiB, `kMaxFoo`" — the constant's definition in src/ or include/
(`constexpr ... kMaxFoo = <expression>;`) is evaluated and must equal the stated value (KiB, MiB
and GiB are powers of 1024; "s" against a constant in milliseconds is scaled). A doc that names a
constant the code no longer has fails too. Names defined with different values in several files
pass when the value matches one of them.

Usage: python3 tests/scripts/doc_limits_test.py REPO_ROOT   (exit 0 when every pair agrees)
"""
import os
import re
import sys

UNITS = {"KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
NUM = r"(\d[\d,']*(?:\.\d+)?)"
UNIT = r"(?:\s*(KiB|MiB|GiB|ms|us|µs|ns|s)\b)?"
SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
CHRONO = {"seconds": 1.0, "milliseconds": 1e-3, "microseconds": 1e-6, "nanoseconds": 1e-9,
          "minutes": 60.0, "hours": 3600.0}
NAME_UNITS = [(re.compile(r"(?:Ms|Millis|Milliseconds)$"), 1e-3),
              (re.compile(r"(?:Us|Micros|Microseconds)$"), 1e-6),
              (re.compile(r"(?:Ns|Nanos|Nanoseconds)$"), 1e-9),
              (re.compile(r"(?:Seconds|Secs|Sec)$"), 1.0)]
NAME = r"`(k[A-Z][A-Za-z0-9]*)`"
PROSE = [
    # 32 (`kMaxDepth`)  |  64 KiB, `kMaxFoo`  |  16 MiB (`kMaxFoo`)
    re.compile(NUM + UNIT + r"\s*(?:\(|,\s*)" + NAME),
    # `kMaxDepth` (32)  |  `kMaxDepth` (1,000,000) files
    re.compile(NAME + r"\s*\(" + NUM + UNIT + r"[;,)]"),
    # `kMaxDepth` = 32  |  `kSchemaVersion` is 6
    re.compile(NAME + r"\s*(?:=|is)\s*" + NUM + UNIT + r"(?!\d|\.\d|\s*\^)"),
]
# | ... | 64 KiB | `kMaxFoo` |   (the value cell holds one number and an optional unit)
TABLE = re.compile(r"\|\s*" + NUM + UNIT + r"[^|`\d]*\|\s*" + NAME + r"[^|]*\|")
DEFINITION = re.compile(r"\b(k[A-Z][A-Za-z0-9]*)\s*(?:=\s*([^;]+?)|\{([^;]+?)\})\s*;")


def number(text):
    return float(text.replace(",", "").replace("'", ""))


def evaluate(expr):
    """The value of a constant's initialiser, or None when it is not plain arithmetic."""
    e = re.sub(r"std::chrono::\w+\s*[({](.+)[)}]", r"(\1)", expr.strip())
    e = re.sub(r"(?:std::)?(?:size_t|int|int64_t|uint64_t|uint32_t|double)\s*[{(]([^{}()]+)[})]",
               r"(\1)", e)
    e = re.sub(r"(?<=\d)'(?=\d)", "", e)
    e = re.sub(r"(?<=\d)(?:ULL|ull|UL|ul|LL|ll|u|U|L|l)\b", "", e)
    e = re.sub(r"(?<=\d)\.(?=\D|$)", ".0", e)
    if not re.fullmatch(r"[\d\s.+\-*/()<>]+", e):
        return None
    try:
        return eval(e, {"__builtins__": {}}, {})  # noqa: S307 - digits and operators only
    except Exception:  # noqa: BLE001
        return None


def time_unit(name, line):
    """Seconds per unit of a time constant (from its chrono type or its name), else None."""
    m = re.search(r"std::chrono::(seconds|milliseconds|microseconds|nanoseconds|minutes|hours)",
                  line)
    if m:
        return CHRONO[m.group(1)]
    for pattern, unit in NAME_UNITS:
        if pattern.search(name):
            return unit
    return None


def definitions(root):
    found = {}
    for top in ("src", "include"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if not f.endswith((".h", ".cc", ".in")):
                    continue
                text = open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
                for line in text.splitlines():
                    if "constexpr" not in line and "const " not in line:
                        continue
                    for name, assigned, braced in DEFINITION.findall(line):
                        expr = assigned or braced
                        value = evaluate(expr)
                        rel = os.path.relpath(os.path.join(d, f), root)
                        found.setdefault(name, []).append((value, rel, expr.strip(),
                                                           time_unit(name, line)))
    return found


def doc_files(root):
    yield os.path.join(root, "README.md")
    for d, _, files in os.walk(os.path.join(root, "docs")):
        if "node_modules" in d:
            continue
        for f in sorted(files):
            if f.endswith(".md"):
                yield os.path.join(d, f)


def claims(root):
    """(doc, line number, name, value, unit) for every value the docs give a constant."""
    for path in doc_files(root):
        rel = os.path.relpath(path, root)
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            seen = set()
            for pattern in [TABLE] + PROSE:
                for m in pattern.finditer(line):
                    g = m.groups()
                    if pattern is PROSE[1] or pattern is PROSE[2]:
                        name, value, unit = g
                    else:
                        value, unit, name = g
                    if name in seen:
                        continue
                    seen.add(name)
                    yield rel, n, name, number(value), unit


def agrees(stated, unit, value, own_unit):
    if value is None:
        return True  # not plain arithmetic: nothing to compare
    if unit in UNITS:
        stated *= UNITS[unit]
    elif unit in SECONDS and own_unit is not None:
        stated = stated * SECONDS[unit] / own_unit
    return abs(stated - value) < 1e-6 * max(1.0, abs(value))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    defs = definitions(root)
    failures, checked, opaque = [], 0, []
    for doc, line, name, stated, unit in claims(root):
        if name not in defs:
            failures.append(f"{doc}:{line}: `{name}` is named but defined nowhere in src/ or include/")
            continue
        checked += 1
        options = defs[name]
        if all(v is None for v, _, _, _ in options):
            opaque.append(f"{doc}:{line}: `{name}`")
        if not any(agrees(stated, unit, v, u) for v, _, _, u in options):
            where = ", ".join(f"{f}: {e}" for _, f, e, _ in options)
            failures.append(f"{doc}:{line}: `{name}` is stated as {stated:g}{' ' + unit if unit else ''}"
                            f" but the code says {where}")
    for f in failures:
        print("FAIL " + f)
    for o in opaque:
        print("not compared (the initialiser is not plain arithmetic): " + o)
    print(f"{checked} documented values checked against the code, {len(failures)} disagree, "
          f"{len(opaque)} not comparable")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
