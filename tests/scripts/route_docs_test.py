#!/usr/bin/env python3
"""The route table against its documentation, in both directions: every route is in
docs/api/openapi.yaml with its method and in docs/design/http.md's route table, and every
operation of the OpenAPI document is a route. The routes are read from the sources that declare
them: the table (src/http/routes.cc, kRoutes), the /scim/v2 table (src/http/scim_routes.cc), and
the routes `ward serve` adds (src/mcp/mcp_http.cc, mcpRoutes: /mcp; src/cli/sync_routes.cc:
/v1/sources..., /v1/jobs). tests/integration/route_answers_test.py asks a running server for
every documented operation as well."""
import pathlib
import re
import sys

import yaml

REPO = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).parents[2]
ROUTE = re.compile(r'\{"(GET|POST|PUT|DELETE|PATCH)",\s*"([^"]+)"')
METHODS = {"get", "post", "put", "delete", "patch"}
# src/cli/sync_routes.cc declares a route as `guarded("METHOD", "PATTERN", ...)` or as
# `x.method = "METHOD"; x.pattern = "PATTERN";`; src/mcp/mcp_http.cc loops over the methods of
# one pattern: `for (const char* method : {"POST", ...}) { ... r.pattern = "/mcp";`.
GUARDED = re.compile(r'guarded\(\s*"(GET|POST|PUT|DELETE|PATCH)",\s*"([^"]+)"')
FIELDS = re.compile(r'(\w+)\.method = "(GET|POST|PUT|DELETE|PATCH)";\s*\1\.pattern = "([^"]+)";')
METHOD_LOOP = re.compile(r'for \(const char\* method : \{([^}]*)\}\)\s*\{[^}]*?'
                         r'\w+\.pattern = "([^"]+)";', re.S)
EXPECTED_ADDED = 10  # 3 for /mcp, 7 sync routes: fewer means a pattern above went stale


def added_by_serve():
    """The routes `ward serve` adds to the table, read from where they are declared."""
    sync = (REPO / "src/cli/sync_routes.cc").read_text()
    added = set(GUARDED.findall(sync)) | {(m, p) for _, m, p in FIELDS.findall(sync)}
    for methods, pattern in METHOD_LOOP.findall((REPO / "src/mcp/mcp_http.cc").read_text()):
        added |= {(m, pattern) for m in re.findall(r'"([A-Z]+)"', methods)}
    return added


def openapi_form(path):
    return re.sub(r"\{(\w+)\*\}", r"{\1}", path)  # {id*} (rest of the path) is {id} in OpenAPI


def main():
    routes = ROUTE.findall((REPO / "src/http/routes.cc").read_text())
    routes += ROUTE.findall((REPO / "src/http/scim_routes.cc").read_text())
    if len(routes) < 10:
        print(f"FAIL only {len(routes)} routes parsed from routes.cc: the pattern is stale")
        return 1
    spec = yaml.safe_load((REPO / "docs/api/openapi.yaml").read_text())
    paths = spec.get("paths") or {}
    documented = {(m.upper(), p) for p, ops in paths.items() for m in ops if m in METHODS}
    table = [line for line in (REPO / "docs/design/http.md").read_text().splitlines()
             if line.startswith("|")]
    table_paths = set(re.findall(r"`(/[^`]*)`", "\n".join(table)))
    problems = []
    for method, path in routes:
        if (method, openapi_form(path)) not in documented:
            problems.append(f"{method} {path}: in routes.cc, not in docs/api/openapi.yaml")
        if path not in table_paths:
            problems.append(f"{method} {path}: in routes.cc, not in docs/design/http.md's table")
    added = added_by_serve()
    if len(added) < EXPECTED_ADDED:
        problems.append(f"only {len(added)} routes parsed from sync_routes.cc and mcp_http.cc "
                        f"(want {EXPECTED_ADDED}): the patterns are stale")
    for method, path in sorted(added):
        if (method, openapi_form(path)) not in documented:
            problems.append(f"{method} {path}: added by ward serve, not in docs/api/openapi.yaml")
    served = {(m, openapi_form(p)) for m, p in routes} | added
    for method, path in sorted(documented - served):
        problems.append(f"{method} {path}: in docs/api/openapi.yaml, not a route")
    for p in problems:
        print("FAIL", p)
    print(f"{len(routes)} routes + {len(added)} added by ward serve, {len(documented)} documented "
          f"operations, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
