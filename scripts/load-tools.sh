#!/usr/bin/env bash
# Registers the example billing tools (examples/tools/*.json) in $WARD_DATA with the billing
# service's token as the tenant secret, an "approvers" group (dave), and grants: finance may look
# up and refund invoices (refunds up to 5000), carol may delete customers. Idempotent: unchanged
# definitions are reported "unchanged" and grants are only added to a data dir that has none
# besides the built-in search/fetch grant every tenant gets at init.
# Usage: scripts/load-tools.sh WARD_BIN BILLING_TOKEN
set -euo pipefail
WARD="$1"
TOKEN="$2"
"$WARD" tools add examples/tools/lookup_invoice.json examples/tools/refund_invoice.json \
  examples/tools/delete_customer.json examples/tools/search_docs.json
echo "$TOKEN" | "$WARD" secrets set billing_token >/dev/null
"$WARD" group add approvers 2>/dev/null || true
"$WARD" group join dave approvers 2>/dev/null || true
# Only the built-in search/fetch grant ("users:*", made at init) counts as none.
if [ "$("$WARD" grants list | python3 -c 'import json,sys; print(len([g for g in json.load(sys.stdin)["grants"] if g["subject_kind"] != "users"]))')" = 0 ]; then
  "$WARD" grants add --tool lookup_invoice --group finance >/dev/null
  "$WARD" grants add --tool refund_invoice --group finance --constraints '{"amount": {"max": 5000}}' >/dev/null
  "$WARD" grants add --tool delete_customer --principal carol >/dev/null
  "$WARD" grants add --tool search_docs --group employees >/dev/null
fi
