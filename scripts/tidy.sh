#!/usr/bin/env bash
# The clang-tidy gate: runs clang-tidy 14 with the repository's .clang-tidy (every finding an
# error, clang's -Wthread-safety included) over every translation unit of a CMake build's
# compile_commands.json, 2 at a time. Exits 1 when any TU has a finding.
#
# Result cache: a TU that passed is not checked again while its key is unchanged. The key is the
# sha256 of the TU's preprocessed text (`clang++ -E -C` with the TU's own flags, so every header it
# includes and every comment, NOLINT included, counts; the checkout's absolute path replaced by a
# placeholder, so a clone elsewhere shares the cache), its path, .clang-tidy, the clang-tidy
# version and the extra arguments below. Passes are stored as empty files named by the key under
# ${WARD_TIDY_CACHE:-~/.cache/ward-tidy}; findings are never cached.
#
# Usage: scripts/tidy.sh [--build DIR] [--jobs N] [FILE...]
#   FILE...  only the TUs whose source path ends with one of these (default: every TU)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build
JOBS=2
FILES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD_DIR="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) FILES+=("$1"); shift ;;
  esac
done
if [ ! -f "$BUILD_DIR/compile_commands.json" ]; then
  # Configuring exports compile_commands.json (CMAKE_EXPORT_COMPILE_COMMANDS); no build needed.
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
export TIDY="${CLANG_TIDY:-$(command -v clang-tidy-14 || command -v clang-tidy)}"
export CLANGXX="${CLANGXX:-$(command -v clang++-14 || command -v clang++)}"
export WARD_TIDY_CACHE="${WARD_TIDY_CACHE:-$HOME/.cache/ward-tidy}"
exec python3 - "$BUILD_DIR" "$JOBS" "${FILES[@]}" <<'EOF'
import concurrent.futures, hashlib, json, os, shlex, subprocess, sys, time

build, jobs, wanted = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
root = os.getcwd()
tidy, clangxx, cache = os.environ["TIDY"], os.environ["CLANGXX"], os.environ["WARD_TIDY_CACHE"]
# -Wno-error: the build's -Werror is for GCC's warnings; here only what .clang-tidy lists fails
# (WarningsAsErrors), clang's thread-safety analysis among them.
extra = ["-Wno-error", "-Wthread-safety", "-Wno-unknown-warning-option"]
os.makedirs(cache, exist_ok=True)
salt = hashlib.sha256()
salt.update(subprocess.run([tidy, "--version"], capture_output=True).stdout)
salt.update(open(".clang-tidy", "rb").read())
salt.update(" ".join(extra).encode())

tus = []
for e in json.load(open(os.path.join(build, "compile_commands.json"))):
    f = e["file"]
    if not f.startswith(root + "/"):
        continue
    rel = os.path.relpath(f, root)
    if wanted and not any(rel == w or rel.endswith("/" + w) or f == w for w in wanted):
        continue
    args = e.get("arguments") or shlex.split(e["command"])
    flags, skip = [], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a not in ("-c", f):
            flags.append(a)
    tus.append((e["directory"], f, rel, flags))

def check(tu):
    d, f, rel, flags = tu
    pre = subprocess.run([clangxx, "-E", "-C", *flags, *extra, f], cwd=d, capture_output=True)
    h = salt.copy()
    # The checkout's absolute path is taken out of the key (line markers, -I paths), so a clean
    # clone elsewhere on the same machine (CI) finds the passes of this one.
    text = (pre.stdout + pre.stderr).replace(root.encode(), b"<root>")
    h.update(rel.encode() + b"\0" + text)
    mark = os.path.join(cache, h.hexdigest())
    if os.path.exists(mark):
        return rel, "cached", ""
    r = subprocess.run([tidy, "-p", build, "--quiet", *[f"--extra-arg={x}" for x in extra], f],
                       capture_output=True, text=True)
    if r.returncode == 0:
        open(mark, "w").close()
        return rel, "passed", ""
    return rel, "FAILED", r.stdout + r.stderr

start = time.time()
counts = {"cached": 0, "passed": 0, "FAILED": 0}
with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
    for rel, result, out in pool.map(check, tus):
        counts[result] += 1
        print(f"{result} {rel}", flush=True)
        if out:
            print(out.rstrip(), flush=True)
print(f"tidy: {len(tus)} TUs, {counts['passed']} checked clean, {counts['cached']} cached, "
      f"{counts['FAILED']} with findings ({time.time() - start:.0f} s)", flush=True)
sys.exit(1 if counts["FAILED"] else 0)
EOF
