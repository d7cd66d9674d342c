//! The layout-aware rules extractor: the accuracy floor of the product.
//!
//! 1. [`layout`]: words → lines → phrases (words close together on a line).
//! 2. [`candidates`]: one scan finds caption hits (sv/en/de/fr dictionaries in
//!    [`labels`], matched across words, case- and accent-insensitive),
//!    amounts, percentages and dates (date order and decimal separator
//!    decided per document).
//! 3. [`zones`]: the buyer's and the supplier's address blocks.
//! 4. Field groups ([`ids`], [`dates`], [`payment`], [`amounts`],
//!    [`parties`], [`line_items`]) collect candidates right of or below
//!    their captions and by pattern, rank them with the validators (Luhn,
//!    mod 97, VAT forms) and [`confidence`] pools them by value.
//! 5. [`reconcile`]: net + VAT = total decides between amount candidates and
//!    derives a missing one.
//!
//! No per-supplier rules; dictionaries are compiled once in
//! [`RulesExtractor::new`].

mod address;
mod amounts;
mod candidates;
mod confidence;
mod dates;
mod ids;
mod labels;
mod layout;
mod line_items;
mod parties;
mod payment;
mod reconcile;
#[cfg(test)]
mod tests;
mod text;
mod zones;

use invex_domain::{Document, Extractor, FieldName, Invoice, Source, Value};
use rust_decimal::Decimal;

use candidates::Scan;
use confidence::Cand;
use labels::{Kind, LabelIndex};
use layout::Layout;
use payment::IbanMention;
use zones::Zones;

/// What every field search reads.
pub(crate) struct Ctx<'a> {
    pub layout: &'a Layout,
    pub scan: &'a Scan,
    pub zones: Zones,
    pub ibans: Vec<IbanMention>,
    /// Per token: part of an IBAN.
    pub iban_tok: Vec<bool>,
    /// Print candidates to stderr (`INVEX_RULES_DEBUG` set at construction).
    pub debug: bool,
}

/// The layout-aware rules extractor.
#[derive(Debug, Clone)]
pub struct RulesExtractor {
    labels: LabelIndex,
    debug: bool,
}

impl Default for RulesExtractor {
    fn default() -> Self {
        Self::new()
    }
}

impl RulesExtractor {
    pub fn new() -> Self {
        let debug = std::env::var_os("INVEX_RULES_DEBUG").is_some();
        RulesExtractor { labels: LabelIndex::new(), debug }
    }
}

impl Extractor for RulesExtractor {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn extract(&self, document: &Document) -> Invoice {
        let layout = Layout::build(document);
        let scan = Scan::run(&layout, &self.labels);
        let zones = Zones::find(&layout, &scan);
        let ibans = payment::find_ibans(&layout);
        let mut iban_tok = vec![false; layout.toks.len()];
        for m in &ibans {
            for t in m.start..m.end {
                iban_tok[t] = true;
            }
        }
        if self.debug {
            for line in &layout.lines {
                let phrases: Vec<String> = layout
                    .phrases_of_line(layout.toks[line.start].line)
                    .map(|p| layout.text(layout.phrases[p].start, layout.phrases[p].end))
                    .collect();
                eprintln!("line p{} y{:.1}: {}", line.page, line.bbox.y0, phrases.join(" | "));
            }
            for h in &scan.labels {
                let kinds: Vec<_> = h.entries.iter().map(|e| e.kind).collect();
                eprintln!("label {:?} {kinds:?} iso={}", layout.text(h.start, h.end), h.isolated);
            }
        }
        let cx = Ctx { layout: &layout, scan: &scan, zones, ibans, iban_tok, debug: self.debug };
        extract_fields(&cx)
    }
}

fn put(inv: &mut Invoice, cx: &Ctx, name: FieldName, cand: Option<Cand>) {
    if let Some(c) = cand {
        inv.set(name, c.into_field(cx.layout, Source::Rules));
    }
}

fn extract_fields(cx: &Ctx) -> Invoice {
    let mut inv = Invoice::default();
    let number = ids::invoice_number(cx);
    put(&mut inv, cx, FieldName::InvoiceNumber, number.clone());
    let (date, due) = dates::dates(cx);
    put(&mut inv, cx, FieldName::InvoiceDate, date.clone());
    put(&mut inv, cx, FieldName::DueDate, due);
    put(&mut inv, cx, FieldName::OrderNumber, ids::labelled_text(cx, Kind::OrderNumber, true));
    put(
        &mut inv,
        cx,
        FieldName::BuyerReference,
        ids::labelled_text(cx, Kind::BuyerReference, false),
    );
    put(
        &mut inv,
        cx,
        FieldName::SupplierReference,
        ids::labelled_text(cx, Kind::SupplierReference, false),
    );

    let (org, buyer_org) = ids::org_numbers(cx);
    let org_text = org.as_ref().map(|c| c.value.to_string());
    let (vat_no, _) = ids::vat_numbers(cx, org_text.as_deref());
    put(&mut inv, cx, FieldName::SupplierOrgNr, org);
    put(&mut inv, cx, FieldName::BuyerOrgNr, buyer_org);
    put(&mut inv, cx, FieldName::SupplierVat, vat_no);

    put(&mut inv, cx, FieldName::Iban, payment::iban_field(cx));
    put(&mut inv, cx, FieldName::Bic, payment::bic_field(cx));
    put(&mut inv, cx, FieldName::Bankgiro, payment::giro_field(cx, Kind::Bankgiro));
    put(&mut inv, cx, FieldName::Plusgiro, payment::giro_field(cx, Kind::Plusgiro));
    let mut payref = payment::payment_reference(cx);
    if payref.is_none() && payment::quotes_invoice_number(cx.layout, cx.scan) {
        payref = number.map(|mut c| {
            c.conf *= 0.7;
            c
        });
    }
    put(&mut inv, cx, FieldName::PaymentReference, payref);

    let table = line_items::line_items(cx);
    let names = parties::names(cx, &table.lines);
    if let Some(s) = &names.supplier {
        put(&mut inv, cx, FieldName::SupplierAddress, address::address(cx, s));
    }
    put(&mut inv, cx, FieldName::SupplierName, names.supplier);
    put(&mut inv, cx, FieldName::BuyerName, names.buyer);
    let fskatt = parties::f_skatt(cx).or_else(|| {
        let sv = cx.scan.language == invex_domain::parse::Language::Sv;
        Some(Cand {
            value: Value::Bool(false),
            score: 0.1,
            conf: if sv { 0.7 } else { 0.6 },
            page: 0,
            bbox: None,
            toks: None,
        })
    });
    put(&mut inv, cx, FieldName::SupplierFSkatt, fskatt);

    let roles = amounts::roles(cx, &table.lines);
    let probe = roles.total.best();
    let currency = amounts::currency(cx, probe.as_ref().and_then(|c| c.toks.map(|t| t.0)));
    let sek = currency.value.to_string() == "SEK";
    let (nets, vats, tots) = (roles.net.ranked(), roles.vat.ranked(), roles.total.ranked());
    if cx.debug {
        for (role, list) in [("net", &nets), ("vat", &vats), ("total", &tots)] {
            for c in list.iter() {
                eprintln!("{role} {} score {:.2} conf {:.2}", c.value, c.score, c.conf);
            }
        }
    }
    let totals = reconcile::choose(&nets, &vats, &tots, sek);
    put(&mut inv, cx, FieldName::Currency, Some(currency));

    let credit_title = parties::credit_title(cx);
    let negative = totals
        .total
        .as_ref()
        .is_some_and(|c| matches!(c.cand.value, Value::Amount(a) if a < Decimal::ZERO));
    let credit = credit_title.is_some() || negative;
    for (name, chosen) in [
        (FieldName::NetAmount, totals.net),
        (FieldName::VatAmount, totals.vat),
        (FieldName::TotalAmount, totals.total),
    ] {
        let Some(mut ch) = chosen else { continue };
        if credit {
            if let Value::Amount(a) = ch.cand.value {
                ch.cand.value = Value::Amount(-a.abs());
            }
        }
        let source = if ch.derived { Source::Derived } else { Source::Rules };
        inv.set(name, ch.cand.into_field(cx.layout, source));
    }
    let credit_cand = match credit_title {
        Some(c) => c,
        None if negative => Cand {
            value: Value::Bool(true),
            score: 1.0,
            conf: 0.85,
            page: 0,
            bbox: None,
            toks: None,
        },
        None => Cand {
            value: Value::Bool(false),
            score: 1.0,
            conf: 0.9,
            page: 0,
            bbox: None,
            toks: None,
        },
    };
    put(&mut inv, cx, FieldName::IsCreditNote, Some(credit_cand));

    inv.vat_breakdown = roles
        .breakdown
        .into_iter()
        .map(|(mut v, _)| {
            if credit {
                v.amount = -v.amount.abs();
                v.base = v.base.map(|b| -b.abs());
            }
            v
        })
        .collect();
    inv.line_items = table.items;
    inv
}
