#!/usr/bin/env bash
# Formats the C++ sources with the repository's .clang-format (clang-format 14, Debian).
# Usage: scripts/format.sh [--check] [FILE...]
#   --check  change nothing; list the files that differ and exit 1 when there are any
#   FILE...  only these (default: every tracked .h/.cc file)
set -euo pipefail
cd "$(dirname "$0")/.."
CHECK=0
if [ "${1:-}" = "--check" ]; then CHECK=1; shift; fi
FORMAT="${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format)}"
if [ $# -gt 0 ]; then
  FILES=("$@")
else
  mapfile -t FILES < <(git ls-files '*.h' '*.cc')
fi
if [ "$CHECK" -eq 0 ]; then
  "$FORMAT" -i --style=file "${FILES[@]}"
  exit 0
fi
# --dry-run names each file that would change (one warning per differing spot).
mapfile -t DIFFER < <("$FORMAT" --style=file --dry-run "${FILES[@]}" 2>&1 |
                       sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: code should be clang-formatted.*/\1/p' |
                       sort -u)
if [ ${#DIFFER[@]} -gt 0 ]; then
  printf '%s\n' "${DIFFER[@]}"
  echo "format: ${#DIFFER[@]} of ${#FILES[@]} files differ from .clang-format (scripts/format.sh rewrites them)" >&2
  exit 1
fi
echo "format: ${#FILES[@]} files match .clang-format" >&2
