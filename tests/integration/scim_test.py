#!/usr/bin/env python3
"""SCIM 2.0 provisioning on the real `ward serve` (docs/design/identity.md, "SCIM").

Usage: WARD_BIN=build/ward python3 tests/integration/scim_test.py

A scripted SCIM client following RFC 7644 the way Okta and Entra ID do: discovery; look a user up
by filter, create it, create a group with it as member; the user's search sees the group's
documents; PATCH-remove the member (Okta's `members[value eq "id"]`) and the very next search no
longer sees them; add it back and remove it Entra ID's way; deactivate the user (its key stops
working); a bad filter is 400 invalidFilter; a duplicate userName is 409 uniqueness; an oversized
body is 413; no key is 401 and a key without the scim role (an admin's too) is 403, both
recorded in the audit trail; every change is an admin_change event.
Then the other way group membership arrives: a `jsonl` source's group lines (GroupUpdate events,
docs/design/ingest.md, "Group membership") give the SCIM-provisioned user a group's documents,
the next `ward sync` without the user takes them away, and `ward sources` shows the membership lag.
Prints "N passed, M failed" and exits non-zero on any failure.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

from harness import (WARD_BIN, check, check_clean_exit, http_request, run_ward, start_server,
                     summary, ward_ok as ward)

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    """An IdP's SCIM client: application/scim+json, a bearer key."""

    def __init__(self, base, key):
        self.base, self.key = base, key

    def __call__(self, method, path, body=None, key="default", raw=None):
        key = self.key if key == "default" else key
        return http_request(self.base, method, "/scim/v2" + path, body, key,
                            headers={"Content-Type": "application/scim+json"}, raw=raw)


def scim_error(body, status, scim_type=None):
    return (isinstance(body, dict) and body.get("schemas") == [ERROR]
            and body.get("status") == str(status) and bool(body.get("detail"))
            and (scim_type is None or body.get("scimType") == scim_type))


def events(data, kind):
    out = ward(data, "trace", "list", "--kind", kind, "--json")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def search_ids(base, key, query):
    status, _, body = http_request(base, "GET", "/v1/search?" + urllib.parse.urlencode(
        {"q": query}), key=key)
    if status != 200:
        return status, []
    return status, sorted({h["doc_id"] for h in body.get("hits", [])})


def discovery(scim):
    status, headers, body = scim("GET", "/ServiceProviderConfig")
    check("ServiceProviderConfig: patch and filter yes, bulk/sort/etag no",
          status == 200 and body["patch"]["supported"] and body["filter"]["supported"]
          and not body["bulk"]["supported"] and not body["sort"]["supported"]
          and not body["etag"]["supported"] and body["filter"]["maxResults"] == 200,
          f"{status} {body}")
    check("SCIM responses are application/scim+json",
          (headers.get("Content-Type") or "").startswith("application/scim+json"), headers)
    status, _, body = scim("GET", "/ResourceTypes")
    check("ResourceTypes lists User and Group",
          status == 200 and {r["id"] for r in body["Resources"]} == {"User", "Group"}, body)
    status, _, body = scim("GET", "/Schemas")
    check("Schemas lists the core User and Group schemas",
          status == 200 and {r["id"] for r in body["Resources"]} == {USER, GROUP}, body)


def authorization(scim, data, keys):
    status, _, body = scim("GET", "/Users", key=None)
    check("no key is 401", status == 401, f"{status} {body}")
    status, _, body = scim("GET", "/Users", key="wk_0000000000000000_" + "0" * 40)
    check("a wrong key is 401", status == 401, f"{status} {body}")
    status, _, body = scim("POST", "/Users", {"schemas": [USER], "userName": "mallory"},
                           key=keys["eve"])
    check("a plain user's key is 403 with a SCIM error", status == 403 and scim_error(body, 403),
          f"{status} {body}")
    status, _, body = scim("GET", "/Users", key=keys["admin"])
    check("an admin without the scim role is 403 (deny by default)",
          status == 403 and scim_error(body, 403), f"{status} {body}")
    denied = [e for e in events(data, "authz_denied")
              if e["attributes"].get("path", "").startswith("/scim/v2/")]
    check("the 403s are authz_denied events",
          {e["principal"] for e in denied} >= {"eve", "admin"}, denied)
    failures = [e for e in events(data, "auth_failure")
                if e["attributes"].get("path", "").startswith("/scim/v2/")]
    check("the 401 is an auth_failure event", len(failures) >= 1, events(data, "auth_failure"))


def provisioning(scim, base, data, keys):
    admin = keys["admin"]
    # Okta looks the user up before creating it.
    status, _, body = scim("GET", "/Users?" + urllib.parse.urlencode(
        {"filter": 'userName eq "alice@example.com"', "startIndex": 1, "count": 100}))
    check("filter on a user not yet provisioned: empty ListResponse",
          status == 200 and body["totalResults"] == 0 and body["Resources"] == []
          and body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
          f"{status} {body}")
    status, headers, alice = scim("POST", "/Users", {
        "schemas": [USER], "userName": "alice@example.com", "externalId": "00u1alice",
        "name": {"givenName": "Alice", "familyName": "Liddell"},
        "emails": [{"primary": True, "value": "alice@example.com", "type": "work"}],
        "active": True, "password": "Not-Stored-1"})
    check("POST /Users is 201 with the resource and a Location",
          status == 201 and alice.get("userName") == "alice@example.com"
          and alice.get("active") is True and "password" not in alice
          and (headers.get("Location") or "").endswith("/scim/v2/Users/" + alice.get("id", "?")),
          f"{status} {alice}")
    alice_id = alice["id"]
    status, _, body = scim("POST", "/Users", {"schemas": [USER], "userName": "ALICE@example.com"})
    check("a duplicate userName (any case) is 409 uniqueness",
          status == 409 and scim_error(body, 409, "uniqueness"), f"{status} {body}")
    status, _, bob = scim("POST", "/Users", {"schemas": [USER], "userName": "bob@example.com"})
    check("a second user", status == 201, f"{status} {bob}")

    status, _, group = scim("POST", "/Groups", {
        "schemas": [GROUP], "displayName": "Engineering Team",
        "members": [{"value": alice_id, "display": "alice@example.com"}]})
    check("POST /Groups with a member is 201",
          status == 201 and [m["value"] for m in group.get("members", [])] == [alice_id],
          f"{status} {group}")
    group_id = group["id"]
    status, _, body = scim("GET", "/Groups?" + urllib.parse.urlencode(
        {"filter": 'displayName eq "engineering team"'}))
    check("filter Groups by displayName",
          status == 200 and body["totalResults"] == 1 and body["Resources"][0]["id"] == group_id,
          f"{status} {body}")

    # Documents for the group (its Ward name is the displayName made a valid principal name).
    records = [{"id": "eng/plan", "title": "Engineering plan",
                "text": "The quokka migration plan for the engineering team.",
                "acl": {"groups": ["Engineering_Team"]}},
               {"id": "all/news", "title": "News", "text": "Quokka news for everyone.",
                "acl": {"public": True}}]
    status, _, body = http_request(base, "POST", "/v1/documents",
                                   {"records": records, "source": "wiki"}, key=admin)
    check("documents pushed", status in (200, 201), f"{status} {body}")
    status, _, body = http_request(base, "POST", "/v1/keys", {"principal": "alice@example.com"},
                                   key=admin)
    check("a key for the provisioned user", status == 201 and "key" in body, f"{status} {body}")
    alice_key = body.get("key", "")

    status, ids = search_ids(base, alice_key, "quokka")
    check("the member sees the group's document", ids == ["all/news", "eng/plan"],
          f"{status} {ids}")

    # Okta removes a member with a value filter in the path.
    status, _, body = scim("PATCH", "/Groups/" + group_id, {
        "schemas": [PATCH],
        "Operations": [{"op": "remove", "path": f'members[value eq "{alice_id}"]'}]})
    check("PATCH remove members[value eq id] is 200", status == 200 and body["members"] == [],
          f"{status} {body}")
    status, ids = search_ids(base, alice_key, "quokka")
    check("the very next search no longer sees the group's document", ids == ["all/news"],
          f"{status} {ids}")

    # Entra ID adds and removes with the members in the value, ops capitalised.
    status, _, body = scim("PATCH", "/Groups/" + group_id, {
        "schemas": [PATCH], "Operations": [
            {"op": "Add", "path": "members",
             "value": [{"value": alice_id}, {"value": bob["id"]}]}]})
    check("Entra ID Add members", status == 200 and len(body["members"]) == 2, f"{status} {body}")
    status, ids = search_ids(base, alice_key, "quokka")
    check("added back: the document is visible again", ids == ["all/news", "eng/plan"], ids)
    status, _, body = scim("PATCH", "/Groups/" + group_id, {
        "schemas": [PATCH], "Operations": [
            {"op": "Remove", "path": "members", "value": [{"value": alice_id}]}]})
    check("Entra ID Remove members with a value",
          status == 200 and [m["value"] for m in body["members"]] == [bob["id"]],
          f"{status} {body}")
    status, ids = search_ids(base, alice_key, "quokka")
    check("removed again: gone on the next search", ids == ["all/news"], ids)

    status, _, body = scim("GET", "/Users?filter=" + urllib.parse.quote('userName eq alice'))
    check("a bad filter is 400 invalidFilter",
          status == 400 and scim_error(body, 400, "invalidFilter"), f"{status} {body}")
    status, _, body = scim("GET", "/Users?filter=" + urllib.parse.quote('userName co "a"'))
    check("an unsupported operator is 400 invalidFilter",
          status == 400 and scim_error(body, 400, "invalidFilter"), f"{status} {body}")
    status, _, body = scim("GET", "/Users/0123456789abcdef0123456789abcdef")
    check("an unknown id is 404 with a SCIM error", status == 404 and scim_error(body, 404),
          f"{status} {body}")
    big = json.dumps({"schemas": [USER], "userName": "big", "title": "x" * (1 << 20)})
    status, _, body = scim("POST", "/Users", raw=big.encode())
    check("a body over 1 MiB is 413", status == 413 and scim_error(body, 413), f"{status} {body}")
    status, _, body = scim("POST", "/Users", raw=b'{"schemas": [')
    check("malformed JSON is 400 invalidSyntax",
          status == 400 and scim_error(body, 400, "invalidSyntax"), f"{status} {body}")

    # Entra ID deactivates with a string boolean; the user's key stops working at once.
    status, _, body = scim("PATCH", "/Users/" + alice_id, {
        "schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]})
    check("PATCH active False is 200", status == 200 and body.get("active") is False,
          f"{status} {body}")
    status, ids = search_ids(base, alice_key, "quokka")
    check("a deactivated user's searches are refused (401)", status == 401, f"{status} {ids}")
    p = run_ward(data, "search", "quokka", "--as", "alice@example.com", "--json")
    check("nothing resolves a deactivated user (ward search --as)", p.returncode != 0,
          p.stdout + p.stderr)
    status, _, body = scim("PATCH", "/Users/" + alice_id, {
        "schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]})
    status, ids = search_ids(base, alice_key, "quokka")
    check("reactivated (Okta's replace without a path): searches work again",
          status == 200 and ids == ["all/news"], f"{status} {ids}")

    status, _, body = scim("DELETE", "/Groups/" + group_id)
    check("DELETE /Groups/{id} is 204", status == 204, f"{status} {body}")
    status, _, body = scim("GET", "/Groups/" + group_id)
    check("the deleted group is 404", status == 404 and scim_error(body, 404), f"{status} {body}")

    changes = [e["attributes"] for e in events(data, "admin_change")
               if e["attributes"].get("path", "").startswith("/scim/v2/")]
    ops = [(c.get("scim_op"), c.get("resource_type")) for c in changes]
    check("every SCIM change is an admin_change event",
          ops.count(("create", "User")) == 2 and ops.count(("create", "Group")) == 1
          and ops.count(("patch", "Group")) == 3 and ops.count(("patch", "User")) == 2
          and ops.count(("delete", "Group")) == 1 and len(ops) == 9, ops)


def group_lines(data):
    """A jsonl source's group lines: membership from the source's last complete pass."""
    path = os.path.join(data, "hr.jsonl")
    with open(os.path.join(data, "ward.toml"), "a") as f:
        f.write(f'\n[[sources]]\nname = "hr"\nconnector = "jsonl"\nroot = "{path}"\n')

    def snapshot(members):
        with open(path, "w") as f:
            f.write(json.dumps({"id": "hr/payroll", "text": "Payroll wombat calendar.",
                                "acl": {"groups": ["payroll"]}}) + "\n")
            f.write(json.dumps({"group": "payroll", "members": members}) + "\n")
        return run_ward(data, "sync", "hr", "--json")

    def sees(who):
        p = run_ward(data, "search", "wombat", "--as", who, "--json")
        if p.returncode != 0:
            return None
        return [h["doc_id"] for h in json.loads(p.stdout).get("hits", [])]

    p = snapshot(["bob@example.com", "nobody-here"])
    check("a jsonl source with a group line syncs",
          p.returncode == 0 and "nobody-here" in p.stdout + p.stderr, p.stdout + p.stderr)
    check("the source's group gives its member the group's document",
          sees("bob@example.com") == ["hr/payroll"], sees("bob@example.com"))
    p = snapshot([])
    check("the member left at the source: the next search no longer sees it",
          p.returncode == 0 and sees("bob@example.com") == [], sees("bob@example.com"))
    sources = json.loads(ward(data, "sources"))
    lag = [s["lag_s"] for s in sources if s["name"] == "hr"]
    check("ward sources shows the membership lag beside content, deletion and acl",
          lag and all(isinstance(lag[0].get(k), (int, float))
                      for k in ("content", "deletion", "acl", "membership")), sources)


def main():
    if not WARD_BIN:
        print("set WARD_BIN to the ward binary", file=sys.stderr)
        return 2
    data = tempfile.mkdtemp(prefix="ward-scim-")
    proc = None
    try:
        ward(data, "init")
        ward(data, "user", "add", "okta-scim", "--service-account")
        ward(data, "role", "grant", "okta-scim", "scim")
        ward(data, "user", "add", "eve")
        keys = {name: ward(data, "key", "create", name) for name in ("admin", "okta-scim", "eve")}
        proc, base = start_server(data, stderr=subprocess.PIPE)
        scim = Scim(base, keys["okta-scim"])
        discovery(scim)
        authorization(scim, data, keys)
        provisioning(scim, base, data, keys)
        check_clean_exit(proc, timeout=15)
        proc = None
        group_lines(data)
    except Exception as e:  # a setup failure counts as one failure with the reason
        check("setup", False, repr(e))
    finally:
        if proc is not None:
            check_clean_exit(proc, timeout=15)
        shutil.rmtree(data, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
