//! The order of the field searches, and how their results enter the invoice.

use invex_domain::parse::Language;
use invex_domain::tax::{EU, country_prefix};
use invex_domain::{FieldName, Invoice, Source, Value};
use rust_decimal::Decimal;

use super::confidence::Cand;
use super::labels::Kind;
use super::{
    Ctx, address, amounts, dates, ids, line_items, names, parties, payment, reconcile, vat_note,
};

fn put(inv: &mut Invoice, cx: &Ctx, name: FieldName, cand: Option<Cand>) {
    if let Some(c) = cand {
        inv.set(name, c.into_field(cx.layout, Source::Rules));
    }
}

pub fn extract_fields(cx: &mut Ctx) -> Invoice {
    let mut inv = Invoice::default();

    // Parties first: the buyer's block decides whose identifiers are whose.
    let table = line_items::line_items(cx);
    let names = names::names(cx, &table.lines);
    if let Some(b) = names.buyer.as_ref().and_then(|b| b.toks) {
        cx.zones.mark_under(cx.layout, b.0, b.1);
    }
    if let Some(s) = &names.supplier {
        put(&mut inv, cx, FieldName::SupplierAddress, address::address(cx, s));
    }
    put(&mut inv, cx, FieldName::SupplierName, names.supplier);
    put(&mut inv, cx, FieldName::BuyerName, names.buyer);
    let sv = cx.scan.language == Language::Sv;
    let fskatt = parties::f_skatt(cx).unwrap_or(Cand::flag(false, if sv { 0.7 } else { 0.6 }));
    put(&mut inv, cx, FieldName::SupplierFSkatt, Some(fskatt));

    let number = ids::invoice_number(cx);
    put(&mut inv, cx, FieldName::InvoiceNumber, number.clone());
    let (date, due) = dates::dates(cx);
    // Not printed: the invoice date plus the payment terms.
    let derived_due = match (&due, &date) {
        (None, Some(d)) => dates::due_from_terms(cx, d),
        _ => None,
    };
    put(&mut inv, cx, FieldName::InvoiceDate, date);
    put(&mut inv, cx, FieldName::DueDate, due);
    if let Some(d) = derived_due {
        inv.set(FieldName::DueDate, d.into_field(cx.layout, Source::Derived));
    }
    let order = ids::labelled_text(cx, Kind::OrderNumber, true);
    put(&mut inv, cx, FieldName::OrderNumber, order);
    let buyer_ref = ids::labelled_text(cx, Kind::BuyerReference, false);
    put(&mut inv, cx, FieldName::BuyerReference, buyer_ref);
    let our_ref = ids::labelled_text(cx, Kind::SupplierReference, false);
    put(&mut inv, cx, FieldName::SupplierReference, our_ref);

    let (org, buyer_org) = ids::org_numbers(cx);
    let org_text = org.as_ref().map(|c| c.value.to_string());
    let (vat_no, buyer_vat) = ids::vat_numbers(cx, org_text.as_deref());
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

    totals(cx, &mut inv, &table.lines);
    let words = vat_note::Words::of(cx);
    inv.vat_statement = vat_note::statement(cx, &words).or_else(|| {
        let buyer_vat = buyer_vat.filter(|_| charges_no_vat(&inv) && foreign_eu(&inv))?;
        Some(vat_note::by_buyer_vat(cx, buyer_vat))
    });
    if matches!(inv.get(FieldName::IsCreditNote).map(|f| &f.value), Some(Value::Bool(true))) {
        let own = inv.text(FieldName::InvoiceNumber).map(str::to_string);
        inv.credited_invoice = vat_note::credited_invoice(cx, &words, own.as_deref())
            .map(|c| c.into_field(cx.layout, Source::Rules));
    }
    inv.line_items = table.items;
    if let (Some(net), Some(vat), Some(total)) = (
        inv.amount(FieldName::NetAmount),
        inv.amount(FieldName::VatAmount),
        inv.amount(FieldName::TotalAmount),
    ) {
        line_items::cut_summary_rows(&mut inv.line_items, [net, vat, total]);
    }
    // No table: items listed without a header, when they add up to the net
    // (or, with no net read, to the total: a VAT-free invoice's lines).
    let sum = inv.amount(FieldName::NetAmount).or(inv.amount(FieldName::TotalAmount));
    if inv.line_items.is_empty()
        && let Some(sum) = sum
    {
        inv.line_items = line_items::listed(cx, sum);
    }
    // Lines that do not add up are unsure, with the reason on each.
    invex_domain::service::review::mark_unsure_lines(&mut inv);
    inv
}

/// A total with no VAT: the VAT read as zero, or no VAT and a net equal to the total.
fn charges_no_vat(inv: &Invoice) -> bool {
    match (inv.amount(FieldName::VatAmount), inv.amount(FieldName::TotalAmount)) {
        (Some(vat), Some(_)) => vat.is_zero(),
        (None, Some(total)) => inv.amount(FieldName::NetAmount) == Some(total),
        _ => false,
    }
}

/// A supplier whose VAT number is from another EU country than Sweden.
fn foreign_eu(inv: &Invoice) -> bool {
    inv.text(FieldName::SupplierVat)
        .and_then(country_prefix)
        .is_some_and(|c| c != "SE" && EU.contains(&c))
}

/// Currency, the three totals, the credit-note flag and the VAT breakdown.
fn totals(cx: &Ctx, inv: &mut Invoice, table_lines: &[bool]) {
    let roles = amounts::roles(cx, table_lines);
    let probe = roles.total.best();
    // The supplier's country: its VAT number's prefix, else the first IBAN's
    // (a national tax id such as a Spanish NIF `B36281087` names none),
    // else India for a GSTIN whose check character holds.
    let vat = inv.text(FieldName::SupplierVat);
    let country = vat
        .and_then(country_prefix)
        .or(cx.ibans.first().and_then(|m| country_prefix(&m.value)))
        .or(vat.and_then(invex_domain::validate::gstin).map(|_| "IN"))
        .map(str::to_string);
    let swedish = inv.get(FieldName::Bankgiro).is_some() || inv.get(FieldName::Plusgiro).is_some();
    let total_tok = probe.as_ref().and_then(|c| c.toks.map(|t| t.0));
    let currency = amounts::currency(cx, total_tok, country.as_deref(), swedish);
    let sek = currency.as_ref().is_some_and(|c| c.value.to_string() == "SEK");
    let (nets, vats, tots) = (roles.net.ranked(), roles.vat.ranked(), roles.total.ranked());
    if cx.debug {
        for (role, list) in [("net", &nets), ("vat", &vats), ("total", &tots)] {
            for c in list.iter() {
                eprintln!(
                    "{role} {} score {:.2} conf {:.2} at {:?}",
                    c.value,
                    c.score,
                    c.conf,
                    c.toks.map(|(t, _)| (cx.layout.toks[t].page, cx.layout.toks[t].bbox.y0 as i32))
                );
            }
        }
    }
    let chosen = reconcile::choose(&nets, &vats, &tots, sek);
    put(inv, cx, FieldName::Currency, currency);

    let credit_title = parties::credit_title(cx);
    let negative = chosen
        .total
        .as_ref()
        .is_some_and(|c| matches!(c.cand.value, Value::Amount(a) if a < Decimal::ZERO));
    let credit = credit_title.is_some() || negative;
    for (name, pick) in [
        (FieldName::NetAmount, chosen.net),
        (FieldName::VatAmount, chosen.vat),
        (FieldName::TotalAmount, chosen.total),
    ] {
        let Some(mut ch) = pick else { continue };
        if credit && let Value::Amount(a) = ch.cand.value {
            ch.cand.value = Value::Amount(-a.abs());
        }
        let source = if ch.derived { Source::Derived } else { Source::Rules };
        inv.set(name, ch.cand.into_field(cx.layout, source));
    }
    let flag = credit_title.unwrap_or(Cand::flag(negative, if negative { 0.85 } else { 0.9 }));
    put(inv, cx, FieldName::IsCreditNote, Some(flag));
    inv.vat_breakdown = roles
        .breakdown
        .into_iter()
        .map(|row| {
            let mut v = row.line;
            if credit {
                v.amount = -v.amount.abs();
                v.base = v.base.map(|b| -b.abs());
            }
            v
        })
        .collect();
}
