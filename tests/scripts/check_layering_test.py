#!/usr/bin/env python3
"""The layering check (scripts/check-layering.py) on the real tree, and on small made-up trees
that break each rule, so the check itself is shown able to fail."""
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).parents[2]
SCRIPT = REPO / "scripts" / "check-layering.py"


def run(root):
    done = subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def tree(files):
    root = pathlib.Path(tempfile.mkdtemp(prefix="ward-layering-"))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


ORDER = "1. `common`\n2. `store`\n3. `search`\n"
GOOD = {
    "src/common/CMakeLists.txt": "ward_module(common SOURCES a.cc DEPS Threads::Threads)\n",
    "src/store/CMakeLists.txt": "ward_module(store SOURCES s.cc DEPS ward_common)\n",
    "src/search/CMakeLists.txt": "ward_module(search\n  SOURCES q.cc\n  DEPS ward_common ward_store)\n",
    "src/search/q.cc": '#include "ward/store/store.h"\n#include "ward/search/x.h"\n',
    "include/ward/store/store.h": '#include "ward/common/status.h"\n',
    "docs/design/layering.md": ORDER,
}


def expect(name, files, rc, needle):
    got_rc, out = run(tree(files))
    if got_rc != rc or needle not in out:
        print(f"FAIL {name}: rc={got_rc} (want {rc}), output:\n{out}")
        return False
    print(f"ok   {name}")
    return True


def main():
    ok = True
    rc, out = run(REPO)
    if rc != 0:
        print(f"FAIL the real tree breaks the layering rules:\n{out}")
        ok = False
    else:
        print("ok   the real tree")
    ok &= expect("a clean made-up tree", GOOD, 0, "3 modules")
    undeclared = dict(GOOD)
    undeclared["include/ward/store/store.h"] = '#include "ward/search/search.h"\n'
    ok &= expect("an undeclared include", undeclared, 1,
                 "module 'store' includes ward/search/ but does not declare ward_search")
    late_link = dict(GOOD)
    late_link["src/store/CMakeLists.txt"] = ("ward_module(store SOURCES s.cc DEPS ward_common)\n"
                                             "target_link_libraries(ward_store PUBLIC ward_x)\n")
    late_link["src/store/s.cc"] = '#include "ward/x/y.h"\n'
    ok &= expect("a dependency declared by a later target_link_libraries", late_link, 0,
                 "3 modules")
    cyc = dict(GOOD)
    cyc["src/common/CMakeLists.txt"] = "ward_module(common SOURCES a.cc DEPS ward_search)\n"
    ok &= expect("a cycle", cyc, 1, "dependency cycle")
    misordered = dict(GOOD)
    misordered["docs/design/layering.md"] = "1. `common`\n2. `search`\n3. `store`\n"
    ok &= expect("a documented order that is not a build order", misordered, 1,
                 "'search' is listed before its dependency 'store'")
    unlisted = dict(GOOD)
    unlisted["docs/design/layering.md"] = "1. `common`\n2. `store`\n"
    ok &= expect("a module missing from the documented order", unlisted, 1,
                 "module 'search' is not in the documented order")
    readme_ok = dict(GOOD)
    readme_ok["docs/design/README.md"] = ("| [`common`](common.md) | — | x |\n"
                                          "| [`store`](store.md) | `common` | x |\n"
                                          "| [`search`](search.md) | `common`, `store` | x |\n")
    ok &= expect("a design README that matches the DEPS", readme_ok, 0, "3 modules")
    readme_stale = dict(readme_ok)
    readme_stale["docs/design/README.md"] = ("| [`common`](common.md) | — | x |\n"
                                             "| [`store`](store.md) | `common` | x |\n"
                                             "| [`search`](search.md) | `common` | x |\n")
    ok &= expect("a design README whose dependencies are stale", readme_stale, 1,
                 "'search' lists ['common'], its DEPS declare ['common', 'store']")
    test_ok = dict(GOOD)
    test_ok["tests/unit/search/q_test.cc"] = ('#include "../../../src/search/q.h"\n'
                                              '#include "testutil/temp_dir.h"\n')
    test_ok["bench/q_bench.cc"] = '#include "testutil/temp_dir.h"\n'
    ok &= expect("tests that include a private header and a shared fixture", test_ok, 0,
                 "3 modules")
    test_other = dict(GOOD)
    test_other["tests/unit/gateway/env.h"] = '#include "../core/test_env.h"\n'
    ok &= expect("a test that includes another test folder's fixture", test_other, 1,
                 'tests/unit/gateway/env.h:1: includes "../core/test_env.h" outside src/')
    test_bench = dict(GOOD)
    test_bench["tests/unit/gateway/s_test.cc"] = '#include "../../../bench/schema_suite.h"\n'
    ok &= expect("a test that includes from bench/", test_bench, 1,
                 'includes "../../../bench/schema_suite.h" outside src/')
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
