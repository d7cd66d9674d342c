#!/usr/bin/env python3
"""Derive ground truth for a hybrid e-invoice PDF (ZUGFeRD 1/2, Factur-X, XRechnung-in-PDF)
from its embedded XML, then check every value against the page text.

Method (documented for datasets/real/einvoice):
  1. Take the embedded XML attachment with pikepdf (`pdf.attachments`); prefer the standard
     names (factur-x.xml, zugferd-invoice.xml, ZUGFeRD-invoice.xml, xrechnung.xml), else any *.xml.
  2. Parse it namespace-agnostically (local-name()) as
       - CII: rsm:CrossIndustryInvoice (ZUGFeRD 2.x / Factur-X / XRechnung CII) or
              rsm:CrossIndustryDocument (ZUGFeRD 1.0), or
       - UBL: Invoice / CreditNote (XRechnung UBL).
     Header fields:
       invoice_number  ExchangedDocument/ID (ZF1: HeaderExchangedDocument/ID) | cbc:ID
       invoice_date    ExchangedDocument/IssueDateTime | cbc:IssueDate
       due_date        SpecifiedTradePaymentTerms/DueDateDateTime | cbc:DueDate / PaymentDueDate
       currency        InvoiceCurrencyCode | DocumentCurrencyCode
       total_amount    GrandTotalAmount | LegalMonetaryTotal/TaxInclusiveAmount
       vat_amount      TaxTotalAmount (in invoice currency) | TaxTotal/TaxAmount
       net_amount      TaxBasisTotalAmount | LegalMonetaryTotal/TaxExclusiveAmount
       supplier_name   SellerTradeParty/Name | AccountingSupplierParty (RegistrationName, PartyName)
       supplier_vat    SellerTradeParty/SpecifiedTaxRegistration/ID[@schemeID='VA'] | PartyTaxScheme (VAT)
       iban            PayeePartyCreditorFinancialAccount/IBANID | PayeeFinancialAccount/ID
       payment_reference  PaymentReference | PaymentMeans/PaymentID
     Line items from IncludedSupplyChainTradeLineItem | InvoiceLine/CreditNoteLine.
  3. Render the page text with pypdfium2 and check each value is printed (amounts in any of
     1234.56 / 1,234.56 / 1.234,56 / 1 234,56 forms; dates in numeric and month-name forms).
     Values that are not found are set to null and reported in `dropped`.
     The result is then reviewed by a person against the rendered page (PNG).

Usage: python xml_truth.py FILE.pdf [...]   -> one JSON object per file on stdout
"""
import datetime as dt
import io
import json
import re
import sys
import unicodedata

import pikepdf
import pypdfium2 as pdfium
from lxml import etree

PREFERRED = ["factur-x.xml", "zugferd-invoice.xml", "zugferd_invoice.xml", "xrechnung.xml",
             "order-x.xml"]


# ---------------------------------------------------------------- XML extraction
def embedded_xml(path):
    with pikepdf.open(path) as pdf:
        atts = {name: spec for name, spec in pdf.attachments.items()}
        if not atts:
            return None, None
        names = sorted(atts, key=lambda n: (n.lower() not in PREFERRED, not n.lower().endswith(".xml"), n))
        name = names[0]
        if not name.lower().endswith(".xml"):
            return name, None
        return name, atts[name].get_file().read_bytes()


def _x(node, path):
    """XPath on local names: 'a/b' -> './/*[local-name()="a"]/*[local-name()="b"]'."""
    parts = path.split("/")
    xp = ".//" + "/".join('*[local-name()="%s"]' % p for p in parts)
    return node.xpath(xp)


def _t(node, path):
    r = _x(node, path)
    if not r:
        return None
    t = (r[0].text or "").strip()
    return t or None


def _cii_date(node, path):
    r = _x(node, path)
    if not r:
        return None
    s = "".join(r[0].itertext()).strip()
    return _norm_date(s)


def _norm_date(s):
    if not s:
        return None
    s = s.strip()
    if re.fullmatch(r"\d{8}", s):
        return "%s-%s-%s" % (s[:4], s[4:6], s[6:])
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        return m.group(0)
    return None


def _num(s):
    if s is None:
        return None
    try:
        return float(s)
    except ValueError:
        return None


def parse_cii(root):
    out = {}
    is_zf1 = etree.QName(root).localname == "CrossIndustryDocument"
    hdr = "HeaderExchangedDocument" if is_zf1 else "ExchangedDocument"
    hd = _x(root, hdr)[0]
    out["invoice_number"] = _t(hd, "ID") if hd is not None else None
    # ID must be the direct child
    ids = hd.xpath('./*[local-name()="ID"]')
    out["invoice_number"] = (ids[0].text or "").strip() if ids else None
    out["invoice_date"] = _cii_date(hd, "IssueDateTime")
    # header-level settlement = the one that is not inside a line item
    sett = [s for s in root.xpath('.//*[local-name()="ApplicableHeaderTradeSettlement" or '
                                  'local-name()="ApplicableSupplyChainTradeSettlement"]')
            if not s.xpath('ancestor::*[local-name()="IncludedSupplyChainTradeLineItem"]')]
    st = sett[0]
    cur = _t(st, "InvoiceCurrencyCode")
    out["currency"] = cur
    terms = _x(st, "SpecifiedTradePaymentTerms")
    out["due_date"] = None
    for tm in terms:
        d = _cii_date(tm, "DueDateDateTime")
        if d:
            out["due_date"] = d
            break
    summ = _x(st, "SpecifiedTradeSettlementHeaderMonetarySummation") or \
        _x(st, "SpecifiedTradeSettlementMonetarySummation")
    sm = summ[0] if summ else st
    out["total_amount"] = _num(_t(sm, "GrandTotalAmount"))
    taxes = _x(sm, "TaxTotalAmount")
    vat = None
    for tx in taxes:
        if tx.get("currencyID") in (None, cur):
            vat = _num(tx.text)
            break
    if vat is None and taxes:
        vat = _num(taxes[0].text)
    out["vat_amount"] = vat
    out["net_amount"] = _num(_t(sm, "TaxBasisTotalAmount"))
    sellers = [s for s in _x(root, "SellerTradeParty")
               if not s.xpath('ancestor::*[local-name()="IncludedSupplyChainTradeLineItem"]')]
    seller = sellers[0] if sellers else None
    out["supplier_name"] = None
    out["supplier_vat"] = None
    if seller is not None:
        nm = seller.xpath('./*[local-name()="Name"]')
        out["supplier_name"] = re.sub(r"\s+", " ", nm[0].text or "").strip() or None if nm else None
        for reg in _x(seller, "SpecifiedTaxRegistration/ID"):
            if reg.get("schemeID") == "VA":
                out["supplier_vat"] = re.sub(r"\s", "", reg.text or "")
    ibans = _x(st, "PayeePartyCreditorFinancialAccount/IBANID")
    out["iban"] = re.sub(r"\s", "", ibans[0].text) if ibans and ibans[0].text else None
    refs = st.xpath('./*[local-name()="PaymentReference"]')
    out["payment_reference"] = (refs[0].text or "").strip() or None if refs else None
    out["bankgiro"] = None
    lines = []
    for li in _x(root, "IncludedSupplyChainTradeLineItem"):
        d = {}
        d["line_id"] = _t(li, "AssociatedDocumentLineDocument/LineID")
        d["description"] = _t(li, "SpecifiedTradeProduct/Name")
        d["quantity"] = _num(_t(li, "BilledQuantity"))
        np_ = _x(li, "NetPriceProductTradePrice")
        price = _num(_t(np_[0], "ChargeAmount")) if np_ else None
        bq = _num(_t(np_[0], "BasisQuantity")) if np_ else None
        if price is not None and bq not in (None, 0, 1.0):
            price = price / bq
        d["unit_price_net"] = price
        rate = _t(li, "ApplicableTradeTax/RateApplicablePercent") or _t(li, "ApplicableTradeTax/ApplicablePercent")
        d["vat_rate"] = _num(rate)
        d["line_total_net"] = _num(_t(li, "LineTotalAmount"))
        lines.append(d)
    return out, lines


def parse_ubl(root):
    out = {}
    kids = lambda n, name: n.xpath('./*[local-name()="%s"]' % name)
    g = lambda n, name: ((kids(n, name)[0].text or "").strip() if kids(n, name) else None)
    out["invoice_number"] = g(root, "ID")
    out["invoice_date"] = _norm_date(g(root, "IssueDate"))
    due = g(root, "DueDate")
    if not due:
        due = _t(root, "PaymentMeans/PaymentDueDate")
    out["due_date"] = _norm_date(due)
    cur = g(root, "DocumentCurrencyCode")
    out["currency"] = cur
    lmt = kids(root, "LegalMonetaryTotal")[0]
    out["total_amount"] = _num(g(lmt, "TaxInclusiveAmount"))
    out["net_amount"] = _num(g(lmt, "TaxExclusiveAmount"))
    vat = None
    for tt in kids(root, "TaxTotal"):
        ta = kids(tt, "TaxAmount")
        if ta and ta[0].get("currencyID") in (None, cur):
            vat = _num(ta[0].text)
            break
    out["vat_amount"] = vat
    sp = _x(root, "AccountingSupplierParty/Party")[0]
    name = _t(sp, "PartyLegalEntity/RegistrationName") or _t(sp, "PartyName/Name")
    out["supplier_name"] = re.sub(r"\s+", " ", name).strip() if name else None
    out["supplier_vat"] = None
    for pts in _x(sp, "PartyTaxScheme"):
        if (_t(pts, "TaxScheme/ID") or "").upper() == "VAT":
            out["supplier_vat"] = re.sub(r"\s", "", _t(pts, "CompanyID") or "") or None
    iban = _t(root, "PaymentMeans/PayeeFinancialAccount/ID")
    out["iban"] = re.sub(r"\s", "", iban) if iban else None
    out["payment_reference"] = _t(root, "PaymentMeans/PaymentID")
    out["bankgiro"] = None
    lines = []
    for li in root.xpath('./*[local-name()="InvoiceLine" or local-name()="CreditNoteLine"]'):
        d = {"line_id": g(li, "ID"), "description": _t(li, "Item/Name")}
        q = kids(li, "InvoicedQuantity") or kids(li, "CreditedQuantity")
        d["quantity"] = _num(q[0].text) if q else None
        price = _num(_t(li, "Price/PriceAmount"))
        bq = _num(_t(li, "Price/BaseQuantity"))
        if price is not None and bq not in (None, 0, 1.0):
            price = price / bq
        d["unit_price_net"] = price
        d["vat_rate"] = _num(_t(li, "ClassifiedTaxCategory/Percent"))
        d["line_total_net"] = _num(g(li, "LineExtensionAmount"))
        lines.append(d)
    return out, lines


def parse_xml(data):
    root = etree.parse(io.BytesIO(data)).getroot()
    ln = etree.QName(root).localname
    if ln in ("CrossIndustryInvoice", "CrossIndustryDocument"):
        return ("cii-zf1" if ln == "CrossIndustryDocument" else "cii"), *parse_cii(root)
    if ln in ("Invoice", "CreditNote"):
        return "ubl", *parse_ubl(root)
    raise ValueError("unknown root " + ln)


# ---------------------------------------------------------------- page text checks
def page_text(path):
    doc = pdfium.PdfDocument(path)
    parts = []
    for i in range(len(doc)):
        tp = doc[i].get_textpage()
        parts.append(tp.get_text_range())
    return "\n".join(parts)


def _clean(text):
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\r", "\n")
    return text


def amount_forms(v):
    out = set()
    for dec in (2, 3, 4, 1, 0):
        if round(v, dec) != round(v, 2) and dec < 2:
            continue
        s = "%.*f" % (dec, abs(v))
        ip, _, fp = s.partition(".")
        groups = []
        while len(ip) > 3:
            groups.insert(0, ip[-3:])
            ip = ip[:-3]
        groups.insert(0, ip)
        for gsep, dsep in ((",", "."), (".", ","), (" ", ","), ("'", "."), ("", "."), ("", ","), (" ", ".")):
            body = gsep.join(groups)
            out.add(body + (dsep + fp if fp else ""))
    return out


def find_amount(v, text):
    if v is None:
        return False
    t = re.sub(r"[ \t]+", " ", text).replace("\u2212", "-")
    # a negative amount must be printed with its minus sign (directly before, or after a currency sign)
    sign = r"-\s?(?:€\s?|EUR\s)?" if v < 0 else ""
    for f in sorted(amount_forms(v), key=len, reverse=True):
        pat = r"(?<![\d.,'\-])" + sign + re.escape(f) + r"(?!\d|[.,]\d)"
        if re.search(pat, t):
            return True
    return False


MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
}


def date_forms(iso):
    d = dt.date.fromisoformat(iso)
    f = set()
    for y in ("%04d" % d.year, "%02d" % (d.year % 100)):
        for dd, mm in (("%02d" % d.day, "%02d" % d.month), (str(d.day), str(d.month))):
            for sep in (".", "/", "-"):
                f.add(dd + sep + mm + sep + y)
                f.add(mm + sep + dd + sep + y)
    f.add(iso)
    f.add(d.strftime("%Y%m%d"))
    f.add(d.strftime("%Y/%m/%d"))
    for names in MONTHS.values():
        m = names[d.month - 1]
        for day in (str(d.day), "%02d" % d.day):
            f.add("%s. %s %d" % (day, m, d.year))
            f.add("%s %s %d" % (day, m, d.year))
            f.add("%s %s, %d" % (m, day, d.year))
            f.add("%s-%s-%d" % (day, m[:3], d.year))
            f.add("%s %s %d" % (day, m[:3], d.year))
            f.add("%s %s, %d" % (m[:3], day, d.year))
    return f


def find_date(iso, text):
    if not iso:
        return False
    t = re.sub(r"\s+", " ", text).lower()
    for f in date_forms(iso):
        if re.search(r"(?<![\d])" + re.escape(f.lower()) + r"(?!\d)", t):
            return True
    return False


def find_token(val, text):
    if not val:
        return False
    t = re.sub(r"\s+", " ", text)
    return re.search(r"(?<![A-Za-z0-9])" + re.escape(val) + r"(?![A-Za-z0-9])", t) is not None


def find_squashed(val, text):
    if not val:
        return False
    sq = lambda s: re.sub(r"[^A-Za-z0-9]", "", s).upper()
    return sq(val) in sq(text)


def find_name(val, text):
    if not val:
        return False
    t = re.sub(r"\s+", " ", text).lower()
    return re.sub(r"\s+", " ", val).lower() in t


CURRENCY_EVIDENCE = {"EUR": ["EUR", "€"], "USD": ["USD", "$"], "GBP": ["GBP", "£"], "CHF": ["CHF"],
                     "SEK": ["SEK"], "DKK": ["DKK"], "NOK": ["NOK"], "PLN": ["PLN", "zł"], "CZK": ["CZK", "Kč"]}


def check(fields, text):
    text = _clean(text)
    ok = {}
    ok["invoice_number"] = find_token(fields.get("invoice_number"), text)
    for k in ("invoice_date", "due_date"):
        ok[k] = find_date(fields.get(k), text)
    for k in ("total_amount", "vat_amount", "net_amount"):
        ok[k] = find_amount(fields.get(k), text)
    cur = fields.get("currency")
    ok["currency"] = bool(cur) and any(e in text for e in CURRENCY_EVIDENCE.get(cur, [cur]))
    ok["supplier_name"] = find_name(fields.get("supplier_name"), text)
    ok["supplier_vat"] = find_squashed(fields.get("supplier_vat"), text)
    ok["iban"] = find_squashed(fields.get("iban"), text)
    ok["payment_reference"] = find_token(fields.get("payment_reference"), text) or (
        bool(fields.get("payment_reference")) and len(fields["payment_reference"]) >= 8
        and find_squashed(fields.get("payment_reference"), text))
    ok["bankgiro"] = False
    return ok


def check_lines(lines, text):
    text = _clean(text)
    out = []
    for d in lines:
        e = dict(d)
        if not find_name(e.get("description"), text):
            e["description"] = None
        for k in ("quantity", "unit_price_net", "line_total_net"):
            if e.get(k) is not None and not find_amount(e[k], text):
                e[k] = None
        # a unit price that does not multiply out to the line total is a coincidental match
        # (e.g. a misused BasisQuantity); line-level allowances make exact checks impossible, so allow 10 %
        q, up, lt = e.get("quantity"), e.get("unit_price_net"), e.get("line_total_net")
        if None not in (q, up, lt) and abs(q * up - lt) > max(0.02, 0.1 * abs(lt)):
            e["unit_price_net"] = None
        if e.get("vat_rate") is not None:
            r = e["vat_rate"]
            forms = {("%g" % r), ("%.1f" % r), ("%.2f" % r), ("%.1f" % r).replace(".", ","),
                     ("%.2f" % r).replace(".", ",")}
            if not any(re.search(r"(?<![\d.,])" + re.escape(f) + r"\s?%", text) for f in forms):
                e["vat_rate"] = None
        out.append(e)
    return out


KEYS = ["invoice_number", "invoice_date", "due_date", "currency", "total_amount", "vat_amount",
        "net_amount", "supplier_name", "supplier_vat", "iban", "bankgiro", "payment_reference"]


def truth(path):
    name, data = embedded_xml(path)
    if data is None:
        return {"path": path, "error": "no xml attachment", "attachment": name}
    syntax, fields, lines = parse_xml(data)
    text = page_text(path)
    ok = check(fields, text)
    gt = {k: (fields.get(k) if ok.get(k) else None) for k in KEYS}
    dropped = {k: fields.get(k) for k in KEYS if fields.get(k) is not None and not ok.get(k)}
    return {"path": path, "attachment": name, "syntax": syntax, "xml": {k: fields.get(k) for k in KEYS},
            "truth": gt, "dropped": dropped, "lines_xml": lines, "lines": check_lines(lines, text),
            "text_chars": len(text.strip())}


if __name__ == "__main__":
    for p in sys.argv[1:]:
        try:
            print(json.dumps(truth(p), ensure_ascii=False))
        except Exception as ex:  # noqa
            print(json.dumps({"path": p, "error": repr(ex)}))
