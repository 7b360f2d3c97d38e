#!/usr/bin/env python3
"""The route table (src/http/routes.cc, kRoutes) against its documentation: every route is in
docs/api/openapi.yaml with its method and in docs/design/http.md's route table, and every
operation of the OpenAPI document is a route (or /mcp, which mcp::mcpRoutes adds, or /v1/sources,
/v1/sources/{name}/snapshot, /v1/sources/{name} and /v1/jobs, which `ward serve` adds from src/cli/sync_routes.cc). The
/scim/v2 routes are read from their own table in src/http/scim_routes.cc."""
import pathlib
import re
import sys

import yaml

REPO = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).parents[2]
ROUTE = re.compile(r'\{"(GET|POST|PUT|DELETE|PATCH)",\s*"([^"]+)"')
METHODS = {"get", "post", "put", "delete", "patch"}
ADDED_ELSEWHERE = {("GET", "/mcp"), ("POST", "/mcp"), ("DELETE", "/mcp"),  # mcp::mcpRoutes
                   ("GET", "/v1/sources"), ("GET", "/v1/jobs"),  # src/cli/sync_routes.cc
                   ("POST", "/v1/sources/{name}/snapshot"), ("POST", "/v1/sources"),
                   ("GET", "/v1/sources/{name}"), ("PUT", "/v1/sources/{name}"),
                   ("DELETE", "/v1/sources/{name}")}


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
    served = {(m, openapi_form(p)) for m, p in routes} | ADDED_ELSEWHERE
    for method, path in sorted(documented - served):
        problems.append(f"{method} {path}: in docs/api/openapi.yaml, not a route")
    for p in problems:
        print("FAIL", p)
    print(f"{len(routes)} routes, {len(documented)} documented operations, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
