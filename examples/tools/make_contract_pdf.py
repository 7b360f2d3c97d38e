#!/usr/bin/env python3
"""Write examples/company/legal/master-services-agreement.pdf by hand.

Python 3 standard library only. The PDF is built object by object: a Catalog,
a Pages tree, one Page per page with an uncompressed content stream
(BT/ET, Tf, Td, TL, Tj, T*), two standard Type1 fonts (Helvetica and
Helvetica-Bold, WinAnsiEncoding), an Info dictionary with /Title, and a
classic cross-reference table with exact byte offsets.

The output is deterministic (fixed dates, no random IDs), so re-running the
script produces a byte-identical file.

Usage:
    python3 examples/tools/make_contract_pdf.py [OUT.pdf]
"""

import os
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "company", "legal", "master-services-agreement.pdf"))

PAGE_W, PAGE_H = 612, 792          # US Letter, points
MARGIN_L, MARGIN_TOP, MARGIN_BOTTOM = 72, 72, 72
BODY_SIZE, LEADING = 10, 13
WRAP = 92                          # characters per body line (Helvetica 10 pt)

TITLE = "Master Services Agreement - Northwind Robotics, Inc. and Acme Logistics, Inc."
HEADER = "Northwind Robotics - Master Services Agreement NW-MSA-2023-017 - CONFIDENTIAL"

# Document content. Each entry is (kind, text):
#   "title"  big bold centred-ish line
#   "h"      bold heading (an Article)
#   "p"      wrapped body paragraph
#   "c"      numbered clause: text starts with its number; continuation lines indented
#   "gap"    blank line
#   "page"   explicit page break
CONTENT = [
    ("title", "MASTER SERVICES AGREEMENT"),
    ("p", "Agreement No. NW-MSA-2023-017"),
    ("gap", ""),
    ("p", "This Master Services Agreement (the \"Agreement\") is entered into as of 1 June 2023 (the "
          "\"Effective Date\") between Northwind Robotics, Inc., a Delaware corporation with its principal "
          "office at 1800 Dock Street, Tacoma, WA 98402 (\"Northwind\"), and Acme Logistics, Inc., a Washington "
          "corporation with its principal office at 22500 84th Avenue South, Kent, WA 98032 (\"Customer\")."),
    ("gap", ""),
    ("h", "ARTICLE 1 - DEFINITIONS"),
    ("c", "1.1 \"Robots\" means the autonomous mobile robots supplied by Northwind under an Order Form, "
          "including the NR-200 Courier and NR-500 Hauler product lines and their batteries and docks."),
    ("c", "1.2 \"Fleetview\" means Northwind's hosted fleet-management software, including its APIs, "
          "connectors and documentation."),
    ("c", "1.3 \"Order Form\" means an ordering document signed by both parties that references this "
          "Agreement and lists quantities, SKUs, fees and Sites."),
    ("c", "1.4 \"Site\" means a Customer facility at which Robots are deployed, such as the Kent "
          "fulfilment centre."),
    ("c", "1.5 \"Confidential Information\" has the meaning given in Article 6."),
    ("gap", ""),
    ("h", "ARTICLE 2 - SCOPE OF SERVICES"),
    ("c", "2.1 Northwind shall supply the Robots, license Fleetview and perform installation, training and "
          "support services (together, the \"Services\") as described in each Order Form."),
    ("c", "2.2 Each Order Form is governed by this Agreement. If an Order Form conflicts with this Agreement, "
          "this Agreement prevails unless the Order Form expressly states the clause it overrides."),
    ("c", "2.3 Customer shall provide safe access to each Site, a mapped floor area free of obstructions, "
          "Wi-Fi coverage meeting the site-readiness checklist, and a named site contact."),
    ("gap", ""),
    ("h", "ARTICLE 3 - FEES AND PAYMENT"),
    ("c", "3.1 Customer shall pay the fees set out in each Order Form. Prices are based on Northwind's price "
          "list in effect on the date of the Order Form, less any agreed discount."),
    ("c", "3.2 Northwind invoices hardware on shipment and subscriptions annually or monthly in advance. "
          "Invoices are payable within thirty (30) days of the invoice date (net 30) in US dollars."),
    ("c", "3.3 Late payments bear interest at 1.5% per month or the maximum rate permitted by law, whichever "
          "is lower. If any undisputed invoice is more than sixty (60) days overdue, Northwind may suspend "
          "Fleetview access after fifteen (15) days' written notice."),
    ("c", "3.4 Customer may dispute an invoice in good faith by written notice within twenty (20) days of "
          "receipt, stating the reasons; the undisputed portion remains payable when due."),
    ("page", ""),
    ("h", "ARTICLE 4 - DELIVERY, INSTALLATION AND ACCEPTANCE"),
    ("c", "4.1 Delivery is DAP (Incoterms 2020) to the Site. Risk of loss passes to Customer on delivery; "
          "title to hardware passes on payment in full."),
    ("c", "4.2 Robots are deemed accepted when they complete the acceptance test in the Order Form, or "
          "fourteen (14) days after installation if Customer has not reported a material nonconformity."),
    ("c", "4.3 For each Robot ordered, Northwind shall supply one charging dock position at no additional "
          "charge, provided the Robot is covered by an active Northwind Care plan."),
    ("gap", ""),
    ("h", "ARTICLE 5 - SERVICE LEVELS"),
    ("c", "5.1 Fleetview shall be available 99.5% of each calendar month, excluding scheduled maintenance "
          "announced at least 48 hours in advance."),
    ("c", "5.2 If availability falls below the service level, Customer is entitled to service credits of 5% "
          "of the monthly Fleetview fees for each 0.5% shortfall, up to 30%. Service credits are Customer's "
          "sole remedy for unavailability, without prejudice to termination under Section 9.3."),
    ("gap", ""),
    ("h", "ARTICLE 6 - CONFIDENTIALITY"),
    ("c", "6.1 \"Confidential Information\" means non-public information disclosed by one party to the other "
          "that is marked confidential or would reasonably be understood to be confidential, including "
          "pricing, source code, site maps, floor plans and the terms of this Agreement."),
    ("c", "6.2 The receiving party shall use Confidential Information only to perform this Agreement, shall "
          "protect it with at least reasonable care, and shall disclose it only to employees and contractors "
          "who need to know it and are bound by written confidentiality obligations."),
    ("c", "6.3 The obligations in this Article do not apply to information that is or becomes public through "
          "no fault of the receiving party, was already lawfully known to it, or is independently developed."),
    ("c", "6.4 Confidentiality obligations survive termination of this Agreement for five (5) years; for trade "
          "secrets and Customer site maps they survive for as long as the information remains confidential."),
    ("gap", ""),
    ("h", "ARTICLE 7 - WARRANTIES"),
    ("c", "7.1 Northwind warrants that each Robot will be free from material defects in materials and "
          "workmanship for twenty-four (24) months from acceptance; batteries for twelve (12) months."),
    ("c", "7.2 Northwind's sole obligation for breach of § 7.1 is to repair or replace the defective part "
          "or, if that is not commercially reasonable, refund the price paid for it."),
    ("c", "7.3 EXCEPT AS EXPRESSLY STATED IN THIS ARTICLE, NORTHWIND DISCLAIMS ALL IMPLIED WARRANTIES, "
          "INCLUDING MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE."),
    ("page", ""),
    ("h", "ARTICLE 8 - LIMITATION OF LIABILITY"),
    ("c", "8.1 Neither party is liable for indirect, incidental, special or consequential damages, or for "
          "lost profits, lost revenue or loss of data, even if advised of their possibility."),
    ("c", "8.2 Each party's total aggregate liability arising out of this Agreement is limited to the fees "
          "paid or payable by Customer in the twelve (12) months preceding the event giving rise to liability."),
    ("c", "8.3 The limitations in § 8.1 and § 8.2 do not apply to (a) breach of Article 6 (Confidentiality), "
          "(b) a party's indemnification obligations, (c) death or personal injury caused by negligence, or "
          "(d) fraud or wilful misconduct."),
    ("gap", ""),
    ("h", "ARTICLE 9 - TERM AND TERMINATION"),
    ("c", "9.1 Term. This Agreement begins on the Effective Date and continues for three (3) years. It then "
          "renews automatically for successive one-year terms unless either party gives notice of "
          "non-renewal at least ninety (90) days before the end of the current term."),
    ("c", "9.2 Termination for convenience. Customer may terminate this Agreement or any Order Form for "
          "convenience on ninety (90) days' prior written notice. Prepaid subscription fees are not refunded."),
    ("c", "9.3 Termination for cause. Either party may terminate this Agreement on written notice if the other "
          "party materially breaches it and fails to cure the breach within thirty (30) days after receiving "
          "a termination notice describing the breach in reasonable detail."),
    ("c", "9.4 Insolvency. Either party may terminate immediately if the other becomes insolvent, makes an "
          "assignment for the benefit of creditors, or becomes subject to bankruptcy proceedings."),
    ("c", "9.5 Effect of termination. On termination, all unpaid fees become due; Northwind shall provide an "
          "export of Customer data for thirty (30) days and then delete Customer site maps within ninety (90) "
          "days; Articles 6, 8 and 10 survive."),
    ("gap", ""),
    ("h", "ARTICLE 10 - GENERAL"),
    ("c", "10.1 Notices. Notices must be in writing and sent to the addresses above, attention: General "
          "Counsel. Email notice is effective only if confirmed by courier."),
    ("c", "10.2 Governing law. This Agreement is governed by the laws of the State of Washington. The courts "
          "of King County, Washington have exclusive jurisdiction."),
    ("c", "10.3 Entire agreement. This Agreement and its Order Forms are the entire agreement of the parties "
          "and supersede all prior proposals, including quotes and purchase-order terms."),
    ("gap", ""),
    ("p", "IN WITNESS WHEREOF, the parties have signed this Agreement as of the Effective Date."),
    ("gap", ""),
    ("p", "NORTHWIND ROBOTICS, INC. - By: /s/ Dave Moreau, General Counsel - Date: 1 June 2023"),
    ("p", "ACME LOGISTICS, INC. - By: /s/ Priya Raman, VP Operations - Date: 1 June 2023"),
]


def pdf_string(s):
    """Encode text as a PDF literal string (WinAnsi / cp1252), escaping as needed."""
    out = []
    for b in s.encode("cp1252"):
        c = chr(b)
        if c in "\\()":
            out.append("\\" + c)
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return "(" + "".join(out) + ")"


def layout(content):
    """Turn CONTENT into pages: lists of (font, size, x, y, text)."""
    pages, cur = [], []
    y = PAGE_H - MARGIN_TOP

    def new_page():
        nonlocal cur, y
        pages.append(cur)
        cur = []
        y = PAGE_H - MARGIN_TOP

    def emit(font, size, x, text, lead):
        nonlocal y
        if y < MARGIN_BOTTOM:
            raise SystemExit("page %d overflows; add an explicit page break earlier" % (len(pages) + 1))
        cur.append((font, size, x, y, text))
        y -= lead

    for kind, text in content:
        if kind == "page":
            new_page()
        elif kind == "gap":
            y -= LEADING // 2
        elif kind == "title":
            emit("F2", 16, MARGIN_L + 120, text, 24)
        elif kind == "h":
            emit("F2", 11, MARGIN_L, text, 15)
        elif kind == "p":
            for line in textwrap.wrap(text, WRAP) if len(text) > WRAP else [text]:
                emit("F1", BODY_SIZE, MARGIN_L, line, LEADING)
        elif kind == "c":
            # The clause number starts the first line (so text extraction keeps
            # "9.2 Termination for convenience. ..." together); continuation
            # lines get a hanging indent.
            lines = textwrap.wrap(text, WRAP - 4)
            emit("F1", BODY_SIZE, MARGIN_L, lines[0], LEADING)
            for line in textwrap.wrap(" ".join(lines[1:]), WRAP - 4):
                emit("F1", BODY_SIZE, MARGIN_L + 22, line, LEADING)
            y -= 3
        else:
            raise ValueError(kind)
    pages.append(cur)
    return pages


def content_stream(items, page_no, page_count):
    ops = []
    # Running header and footer.
    ops.append("BT /F1 8 Tf %d %d Td %s Tj ET" % (MARGIN_L, PAGE_H - 40, pdf_string(HEADER)))
    ops.append("BT /F1 8 Tf %d %d Td %s Tj ET" % (PAGE_W // 2 - 24, 40,
                                                   pdf_string("Page %d of %d" % (page_no, page_count))))
    # Body: one text object per page; each line positioned with Td relative to the previous one.
    ops.append("BT")
    ops.append("%d TL" % LEADING)
    px, py, pfont = 0, 0, None
    for font, size, x, y, text in items:
        if (font, size) != pfont:
            ops.append("/%s %d Tf" % (font, size))
            pfont = (font, size)
        ops.append("%d %d Td" % (x - px, y - py))
        ops.append("%s Tj" % pdf_string(text))
        px, py = x, y
    ops.append("ET")
    # A thin rule under the header, for looks.
    ops.append("0.5 w %d %d m %d %d l S" % (MARGIN_L, PAGE_H - 46, PAGE_W - MARGIN_L, PAGE_H - 46))
    return ("\n".join(ops) + "\n").encode("latin-1")


def build_pdf(pages):
    n = len(pages)
    # Object numbers: 1 Catalog, 2 Pages, 3 F1, 4 F2, 5 Info, then (Page, Contents) pairs.
    first_page = 6
    page_ids = [first_page + 2 * i for i in range(n)]
    objs = {}
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join("%d 0 R" % pid for pid in page_ids)
    objs[2] = ("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 %d %d] >>" % (kids, n, PAGE_W, PAGE_H)).encode()
    objs[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objs[4] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    objs[5] = ("<< /Title %s /Author %s /Subject %s /Keywords %s /Creator %s /Producer %s "
               "/CreationDate (D:20230601090000Z) /ModDate (D:20230601090000Z) >>" % (
                   pdf_string(TITLE),
                   pdf_string("Northwind Robotics Legal"),
                   pdf_string("Master Services Agreement NW-MSA-2023-017"),
                   pdf_string("MSA, termination, liability, confidentiality, Acme Logistics"),
                   pdf_string("examples/tools/make_contract_pdf.py"),
                   pdf_string("hand-written PDF 1.4"))).encode()
    for i, items in enumerate(pages):
        pid = page_ids[i]
        stream = content_stream(items, i + 1, n)
        objs[pid] = ("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
                     "/Contents %d 0 R >>" % (pid + 1)).encode()
        objs[pid + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objs[num] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n" % size
    out += b"0000000000 65535 f \n"          # each entry is exactly 20 bytes
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(out)


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    pages = layout(CONTENT)
    data = build_pdf(pages)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "wb") as f:
        f.write(data)
    print("wrote %s: %d pages, %d bytes" % (out_path, len(pages), len(data)), file=sys.stderr)


if __name__ == "__main__":
    main()
