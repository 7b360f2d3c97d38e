#!/usr/bin/env bash
# Builds Ward, loads the example company (people, groups, documents with ACLs) into ./ward-data,
# shows the same searches and cited answers as different users, runs the golden eval suite
# (examples/evals; reports in ./ward-eval), then the tool gateway: a call refused, a refund
# parked for approval, approved by a reviewer and executed exactly once against a small billing
# service on 127.0.0.1:7480 (examples/billing_service.py); then serves the REST API.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
WARD="./build/ward"
export WARD_DATA="${WARD_DATA:-./ward-data}"
bash scripts/load-examples.sh "$WARD" examples/company

show() {
  echo
  echo "=== ward search \"$1\" --as $2"
  "$WARD" search "$1" --as "$2" --k 3
}
show "termination notice" dave
show "termination notice" bob
show "INV-2024-0042" carol
show "INV-2024-0042" alice
show "ERR_TIMEOUT" erin
ask() {
  echo
  echo "=== ward ask \"$1\" --as $2   (extractive: every sentence cited, every citation verified)"
  "$WARD" ask "$1" --as "$2"
}
ask "How much notice is needed to terminate the agreement?" dave
ask "How much notice is needed to terminate the agreement?" bob
echo
echo "=== ward eval run examples/evals/northwind.toml   (the golden suite: retrieval, cited answers,"
echo "    refusals, permission leaks, a planted prompt injection; reports in ./ward-eval/)"
mkdir -p ward-eval
"$WARD" eval run examples/evals/northwind.toml --quiet --junit ward-eval/junit.xml \
  --json ward-eval/report.json --html ward-eval/report.html --md ward-eval/summary.md >/dev/null
head -3 ward-eval/summary.md
echo
"$WARD" status

echo
echo "=== MCP out of the box: dave's client lists the built-in ask, search and fetch (granted to every user)"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"demo","version":"1"}}}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' |
  "$WARD" mcp --as dave |
  python3 -c 'import json,sys; [print(" ", t["name"], "-", t["description"][:60]) for l in sys.stdin for t in json.loads(l).get("result", {}).get("tools", [])]'

echo
echo "=== Tool gateway (billing service on 127.0.0.1:7480)"
BILLING_TOKEN="demo-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
python3 examples/billing_service.py --port 7480 --token "$BILLING_TOKEN" &
BILLING_PID=$!
trap 'kill $BILLING_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:7480/stats >/dev/null && break; sleep 0.1; done
bash scripts/load-tools.sh "$WARD" "$BILLING_TOKEN"
step() { echo; echo "--- $*"; }
step "bob (sales) looks up an invoice: refused, no grant"
"$WARD" tools call lookup_invoice --as bob --args '{"invoice_id": "INV-2024-0042"}' || true
step "carol (finance) looks it up"
"$WARD" tools call lookup_invoice --as carol --args '{"invoice_id": "INV-2024-0042"}'
step "the tool's own examples (its contract tests) run through the whole gateway as carol"
"$WARD" tools test lookup_invoice --as carol
KEY="demo-refund-$(date +%s)"
step "carol refunds 900 (above the 500 threshold): parked for approval"
OUT=$("$WARD" tools call refund_invoice --as carol --idempotency-key "$KEY" \
  --args '{"invoice_id": "INV-2024-0042", "amount": 900, "reason": "damaged unit"}')
echo "$OUT"
APPROVAL=$(echo "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["approval_id"])')
TRACE=$(echo "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["trace_id"])')
step "billing service executions so far: $(curl -s http://127.0.0.1:7480/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["refunds"])') refunds"
step "carol (not an approver) cannot approve it"
"$WARD" approvals approve "$APPROVAL" --as carol || true
step "dave (approvers) approves: the refund runs now, once"
"$WARD" approvals approve "$APPROVAL" --as dave --comment "photos of the damage attached"
step "carol retries with the same idempotency key: the stored result, not a second refund"
"$WARD" tools call refund_invoice --as carol --idempotency-key "$KEY" \
  --args '{"invoice_id": "INV-2024-0042", "amount": 900, "reason": "damaged unit"}'
step "billing service executions: $(curl -s http://127.0.0.1:7480/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["refunds"])') refund(s)"
step "why did that refund happen? ward explain, every fact linked to its audit record"
"$WARD" explain "$TRACE"
echo
echo "An admin API key (keep it): $("$WARD" key create admin)"
"$WARD" serve
