#!/usr/bin/env python3
"""`ward` with its Store on PostgreSQL: init, ingest and search through WARD_STORE_URL and
through ward.toml's [store] url, two data dirs sharing one database (the second one's index is
built from the database's change feed), `ward migrate` and `--check`, and a bad [store] url
refused with an error naming it.

Needs the throwaway cluster of the CTest fixture `ward_pg` (tests/scripts/pg_cluster.sh), named
in WARD_TEST_PG_URL; without it this test FAILS. Usage (by hand):
  WARD_BIN=build/ward WARD_TEST_PG_URL=postgresql:///ward_test?host=DIR/sock&user=postgres \
    python3 tests/integration/pg_store_test.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import check, run_ward, summary

BASE_URL = os.environ.get("WARD_TEST_PG_URL", "")


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", url, "-c", sql], capture_output=True, text=True)


def search_ids(data, query, who, env):
    p = run_ward(data, "search", query, "--as", who, "--json", env=env)
    if p.returncode != 0:
        return None, p.stderr
    return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])}, ""


def test_migrate(data, env, url):
    """`ward migrate --check` reads the version without migrating (exit 1 when pending);
    `ward migrate` applies what is missing and prints the version."""
    newest = subprocess.run(["psql", "-X", "-At", url, "-c",
                             "SELECT MAX(version) FROM schema_migrations"],
                            capture_output=True, text=True).stdout.strip()
    p = run_ward(data, "migrate", "--check", env=env)
    check("ward migrate --check after init: exit 0, up to date at the newest version",
          p.returncode == 0 and f"postgresql: schema version {newest}: up to date" in p.stdout,
          p.stdout + p.stderr)
    empty_url = re.sub(r"^postgresql:///ward_it", "postgresql:///ward_it_empty", url)
    psql(BASE_URL, "DROP DATABASE IF EXISTS ward_it_empty")
    psql(BASE_URL, "CREATE DATABASE ward_it_empty")
    empty = dict(env, WARD_STORE_URL=empty_url)
    p = run_ward(data, "migrate", "--check", env=empty)
    check("ward migrate --check on an empty database: exit 1, migrations pending",
          p.returncode == 1 and "postgresql: schema version 0, " in p.stdout
          and "pending" in p.stdout, f"rc={p.returncode} {p.stdout} {p.stderr}")
    tables = psql(empty_url, "SELECT 1 FROM schema_migrations")
    check("--check created nothing", tables.returncode != 0, tables.stdout)
    p = run_ward(data, "migrate", env=empty)
    check("ward migrate applies them and prints the version",
          p.returncode == 0 and f"postgresql: schema version {newest} (" in p.stdout
          and "applied" in p.stdout, f"rc={p.returncode} {p.stdout} {p.stderr}")
    p = run_ward(data, "migrate", "--check", env=empty)
    check("then --check is up to date", p.returncode == 0 and "up to date" in p.stdout,
          p.stdout + p.stderr)
    psql(BASE_URL, "DROP DATABASE IF EXISTS ward_it_empty")


def main():
    if not BASE_URL:
        check("WARD_TEST_PG_URL is set (run through ctest: fixture ward_pg)", False)
        return summary()
    # A database of its own, so the unit tests' schema resets do not touch it.
    made = (psql(BASE_URL, "DROP DATABASE IF EXISTS ward_it"),
            psql(BASE_URL, "CREATE DATABASE ward_it"))
    check("a fresh database for the test", made[1].returncode == 0, made[1].stderr)
    url = re.sub(r"^postgresql:///ward_test", "postgresql:///ward_it", BASE_URL)
    tmp = tempfile.mkdtemp(prefix="ward_pg_it_")
    try:
        env = dict(os.environ, WARD_STORE_URL=url)
        docs = os.path.join(tmp, "docs")
        os.makedirs(docs)
        with open(os.path.join(docs, "roadmap.md"), "w") as f:
            f.write("# Roadmap\n\nThe zephyr quarterly roadmap lives in PostgreSQL now.\n")

        a = os.path.join(tmp, "a")
        p = run_ward(a, "init", env=env)
        check("ward init with WARD_STORE_URL", p.returncode == 0, p.stderr)
        tables = psql(url, "SELECT 1 FROM schema_migrations")
        check("init created the schema in PostgreSQL", tables.returncode == 0, tables.stderr)
        test_migrate(a, env, url)
        p = run_ward(a, "ingest", docs, "--public", env=env)
        check("ward ingest into PostgreSQL", p.returncode == 0, p.stderr)
        count = subprocess.run(["psql", "-X", "-At", url, "-c",
                                "SELECT COUNT(*) FROM documents WHERE NOT deleted"],
                               capture_output=True, text=True)
        check("the document is a row in PostgreSQL", count.stdout.strip() == "1",
              count.stdout + count.stderr)
        ids, err = search_ids(a, "zephyr", "admin", env)
        check("ward search finds it", ids is not None and len(ids) == 1, err or ids)

        # A second data dir on the same database: its own index, built from the feed.
        b = os.path.join(tmp, "b")
        p = run_ward(b, "init", env=env)
        check("a second data dir on the same database", p.returncode == 0, p.stderr)
        ids_b, err = search_ids(b, "zephyr", "admin", env)
        check("the second data dir finds what the first ingested", ids_b == ids, err or ids_b)

        # ward.toml [store] url, without the environment variable.
        c = os.path.join(tmp, "c")
        os.makedirs(c)
        with open(os.path.join(c, "ward.toml"), "w") as f:
            f.write(f'[store]\nurl = "{url}"\n')
        plain = {k: v for k, v in os.environ.items() if k != "WARD_STORE_URL"}
        p = run_ward(c, "init", env=plain)
        check("ward init with [store] url", p.returncode == 0, p.stderr)
        ids_c, err = search_ids(c, "zephyr", "admin", plain)
        check("[store] url reads the same store", ids_c == ids, err or ids_c)
        p = run_ward(c, "status", "--json", env=plain)
        st = json.loads(p.stdout) if p.returncode == 0 else {}
        check("ward status counts the PostgreSQL documents and the index is caught up",
              st.get("documents") == 1 and st.get("index", {}).get("lag_changes") == 0,
              p.stdout + p.stderr)

        # A bad URL is an error naming the key; nothing is created.
        d = os.path.join(tmp, "d")
        os.makedirs(d)
        with open(os.path.join(d, "ward.toml"), "w") as f:
            f.write('[store]\nurl = "mysql://db/ward"\n')
        p = run_ward(d, "init", env=plain)
        check("a non-PostgreSQL [store] url is refused naming store.url",
              p.returncode != 0 and "store.url" in p.stderr, f"rc={p.returncode} {p.stderr}")
        with open(os.path.join(d, "ward.toml"), "w") as f:
            f.write('[store]\nurl = "postgresql:///ward_it"\nport = 5\n')
        p = run_ward(d, "init", env=plain)
        check("an unknown key in [store] is refused naming it",
              p.returncode != 0 and "store.port" in p.stderr, f"rc={p.returncode} {p.stderr}")
        for key, bad in (("lease_ttl_ms", "999"), ("lease_ttl_ms", '"15000"'),
                         ("feed_retention_s", "-1"), ("feed_retention_s", "2592001")):
            with open(os.path.join(d, "ward.toml"), "w") as f:
                f.write(f'[store]\nurl = "postgresql:///ward_it"\n{key} = {bad}\n')
            p = run_ward(d, "init", env=plain)
            check(f"[store] {key} = {bad} is refused naming the key and its limits",
                  p.returncode != 0 and f"store.{key}" in p.stderr and " to " in p.stderr,
                  f"rc={p.returncode} {p.stderr}")
        p = run_ward(a, "migrate", "--new-epoch", "--check", env=env)
        check("ward migrate --new-epoch refuses --check",
              p.returncode != 0 and "--new-epoch" in p.stderr, f"rc={p.returncode} {p.stderr}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        psql(BASE_URL, "DROP DATABASE IF EXISTS ward_it")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
