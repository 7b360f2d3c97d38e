#!/usr/bin/env python3
"""The compile-time gates of docs/design/engineering.md fail on the code they exist to reject.

- A dropped ward::Status or ward::Result does not compile with the build's compiler and flags
  (-Werror=unused-result); the same call with .ignore("why") does.
- With clang, -Wthread-safety -Werror=thread-safety rejects a read of a WARD_GUARDED_BY member
  without its ward::Mutex, a condition-variable predicate without WARD_REQUIRES and a helper
  called without the lock it requires; the locked versions compile.

Usage: compile_gates_test.py REPO_ROOT CXX
"""
import os
import shutil
import subprocess
import sys
import tempfile

root, cxx = sys.argv[1], sys.argv[2]
include = os.path.join(root, "include")
failures = []

NODISCARD = """
#include "ward/common/status.h"
ward::Status f();
ward::Result<int> g();
void use() { %s }
"""

THREADS = """
#include "ward/common/mutex.h"
class C {
 public:
  int get() { %s }
 private:
  int helper() WARD_REQUIRES(mu_) { return x_; }
  ward::Mutex mu_;
  ward::CondVar cv_;
  int x_ WARD_GUARDED_BY(mu_) = 0;
};
"""


def compiles(compiler, source, flags):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.cc")
        with open(path, "w") as f:
            f.write(source)
        r = subprocess.run([compiler, "-std=c++20", "-fsyntax-only", "-I", include, *flags, path],
                           capture_output=True, text=True)
        return r.returncode == 0, r.stderr


def expect(name, compiler, source, flags, ok):
    got, err = compiles(compiler, source, flags)
    if got != ok:
        failures.append(f"{name}: expected {'success' if ok else 'an error'}, got "
                        f"{'success' if got else 'an error'}\n{err}")


build_flags = ["-Wall", "-Wextra", "-Werror=unused-result"]
expect("dropped Status", cxx, NODISCARD % "f();", build_flags, False)
expect("dropped Result", cxx, NODISCARD % "g();", build_flags, False)
expect("Status.ignore", cxx, NODISCARD % 'f().ignore("test");', build_flags, True)
expect("Result.ignore", cxx, NODISCARD % 'g().ignore("test");', build_flags, True)
expect("handled Status", cxx, NODISCARD % "if (!f().ok()) return;", build_flags, True)

clang = shutil.which("clang++-14") or shutil.which("clang++")
if clang is None:
    print("clang++ not found: the thread-safety half is skipped (scripts/install-deps.sh installs it)")
else:
    ts = ["-Wthread-safety", "-Werror=thread-safety"]
    expect("read without the lock", clang, THREADS % "return x_;", ts, False)
    expect("helper without the lock", clang, THREADS % "return helper();", ts, False)
    expect("predicate without WARD_REQUIRES", clang,
           THREADS % "ward::MutexLock l(mu_); cv_.wait(l, [&] { return x_ > 0; }); return 0;",
           ts, False)
    expect("read under MutexLock", clang, THREADS % "ward::MutexLock l(mu_); return x_;", ts, True)
    expect("helper under MutexLock", clang, THREADS % "ward::MutexLock l(mu_); return helper();",
           ts, True)
    expect("predicate with WARD_REQUIRES", clang,
           THREADS % ("ward::MutexLock l(mu_);"
                      " cv_.wait(l, [&]() WARD_REQUIRES(mu_) { return x_ > 0; }); return x_;"),
           ts, True)
    expect("unlocked in between", clang,
           THREADS % "ward::MutexLock l(mu_); l.unlock(); return x_;", ts, False)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("compile gates: all cases behave")
