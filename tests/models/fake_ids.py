"""Tool-call ids in the fakes: a provider only ever gets its own ids back.

Ward shows clients ids of its own (`call_w-` + base64url of the provider's id; docs/design/
models.md "Tool-call ids") and must give each provider its own id on the next request. So every
fake refuses (400) a request carrying an id in Ward's form, and, in the scenarios where it
issued calls (`issued`), any tool-call id it did not issue itself.
"""
WARD_PREFIX = "call_w-"


def problem(ids, issued=None):
    """The error message for the first id the provider would not know, else None."""
    for i in ids:
        if i is None:
            continue
        if str(i).startswith(WARD_PREFIX) or (issued is not None and i not in issued):
            return f"tool call id '{i}' was not issued by this provider"
    return None
