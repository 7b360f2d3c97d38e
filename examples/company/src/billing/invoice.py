"""Invoice generation for Fleetview subscriptions and hardware orders.

Invoices are numbered INV-<year>-<seq> with a zero-padded four-digit
sequence that restarts every fiscal year (e.g. INV-2024-0042). The ERP is the
system of record; this module only builds invoice documents and pushes them
to the ERP through its REST API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

# Late-payment interest agreed in the standard MSA (clause 3.3): 1.5% per month.
LATE_INTEREST_MONTHLY = Decimal("0.015")
DEFAULT_TERMS_DAYS = 30

CENTS = Decimal("0.01")


class InvoiceError(Exception):
    """Raised when an invoice cannot be built or posted."""


@dataclasses.dataclass(frozen=True)
class LineItem:
    sku: str            # e.g. "FV-LIC-PRO" or "NR-BAT-48V-20"
    description: str
    quantity: int
    unit_price: Decimal
    months: int = 1     # subscriptions are billed per robot per month

    @property
    def total(self) -> Decimal:
        return (self.unit_price * self.quantity * self.months).quantize(CENTS, ROUND_HALF_UP)


@dataclasses.dataclass
class Invoice:
    number: str
    customer_id: str
    issued: dt.date
    currency: str = "USD"
    terms_days: int = DEFAULT_TERMS_DAYS
    lines: list[LineItem] = dataclasses.field(default_factory=list)
    credits: list[Decimal] = dataclasses.field(default_factory=list)

    @property
    def due(self) -> dt.date:
        return self.issued + dt.timedelta(days=self.terms_days)

    @property
    def subtotal(self) -> Decimal:
        return sum((li.total for li in self.lines), Decimal("0"))

    @property
    def total(self) -> Decimal:
        return (self.subtotal - sum(self.credits, Decimal("0"))).quantize(CENTS, ROUND_HALF_UP)

    def late_interest(self, today: dt.date) -> Decimal:
        """Interest owed on an unpaid invoice, pro rata per started month."""
        if today <= self.due:
            return Decimal("0.00")
        days_late = (today - self.due).days
        months = Decimal(days_late) / Decimal(30)
        return (self.total * LATE_INTEREST_MONTHLY * months).quantize(CENTS, ROUND_HALF_UP)


def format_invoice_number(year: int, seq: int) -> str:
    """format_invoice_number(2024, 42) -> 'INV-2024-0042'."""
    if not 1 <= seq <= 9999:
        raise InvoiceError(f"invoice sequence out of range: {seq}")
    return f"INV-{year}-{seq:04d}"


def parse_invoice_number(number: str) -> tuple[int, int]:
    prefix, year, seq = number.split("-")
    if prefix != "INV" or len(year) != 4 or len(seq) != 4:
        raise InvoiceError(f"not an invoice number: {number!r}")
    return int(year), int(seq)


def build_subscription_invoice(customer_id: str, robots: int, sku: str, unit_price: Decimal,
                               months: int, issued: dt.date, seq: int) -> Invoice:
    """Build a Fleetview subscription invoice (one line per licence SKU)."""
    inv = Invoice(number=format_invoice_number(issued.year, seq), customer_id=customer_id, issued=issued)
    inv.lines.append(LineItem(sku=sku, description=f"Fleetview licence, {robots} robots",
                              quantity=robots, unit_price=unit_price, months=months))
    return inv


def post_to_erp(inv: Invoice, client, retries: int = 3) -> str:
    """Push an invoice to the ERP. Returns the ERP document id.

    The ERP occasionally answers 504 during its nightly batch window; we retry
    with backoff and surface ERR_TIMEOUT to the caller after the last attempt
    so the billing run can be resumed instead of double-posting.
    """
    payload = {
        "number": inv.number,
        "customer": inv.customer_id,
        "issued": inv.issued.isoformat(),
        "due": inv.due.isoformat(),
        "currency": inv.currency,
        "lines": [dataclasses.asdict(li) | {"unit_price": str(li.unit_price)} for li in inv.lines],
        "total": str(inv.total),
    }
    for attempt in range(retries):
        resp = client.post("/api/v2/invoices", json=payload, idempotency_key=inv.number)
        if resp.status in (200, 201):
            return resp.json()["document_id"]
        if resp.status != 504:
            raise InvoiceError(f"ERP rejected {inv.number}: {resp.status} {resp.text}")
        client.sleep(2 ** attempt)
    raise InvoiceError(f"ERR_TIMEOUT posting {inv.number} after {retries} attempts")


def overdue(invoices: Iterable[Invoice], today: dt.date) -> list[Invoice]:
    """Invoices past their due date, oldest first (for the dunning job)."""
    return sorted((i for i in invoices if i.due < today), key=lambda i: i.due)
