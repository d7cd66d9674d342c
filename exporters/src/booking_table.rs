//! The accounting tables of `invex export --to csv|parquet`: one row per
//! invoice ([`invoice_frame`]) or one per line item ([`line_frame`]), written
//! in the CSV dialect of [`crate::table`] or as Parquet.
//!
//! Amounts are Float64 in the invoice currency and **signed as booked**:
//! negative for a credit note. Dates are Date (ISO `YYYY-MM-DD` in CSV).
//!
//! Invoice columns, in order:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `source` | String | the input file |
//! | `invoice_number` | String | |
//! | `document_type` | String | `invoice` or `credit_note` |
//! | `invoice_date`, `due_date` | Date | |
//! | `currency` | String | ISO 4217 |
//! | `currency_rate` | Float64 | SEK per unit (1 for SEK) |
//! | `supplier_name`, `supplier_org_nr`, `supplier_vat_nr`, `supplier_number` | String | org nr as `NNNNNN-NNNN`; number from the tenant config |
//! | `bankgiro`, `plusgiro`, `iban`, `bic` | String | normalised |
//! | `f_skatt` | Boolean | "Godkänd för F-skatt" printed |
//! | `ocr`, `payment_reference` | String | OCR only when its check digit holds |
//! | `buyer_reference`, `supplier_reference`, `order_number` | String | |
//! | `net_amount`, `vat_amount`, `rounding`, `total_amount` | Float64 | net + VAT + rounding = total |
//! | `net_25`, `vat_25`, `net_12`, `vat_12`, `net_6`, `vat_6`, `net_0` | Float64 | per Swedish rate, null when absent |
//! | `net_other`, `vat_other` | Float64 | any other rate |
//! | `total_sek` | Float64 | the payable in SEK |
//! | `cost_account` | Int64 | BAS account of the cost rows |
//! | `rows` | String | the ledger rows in SEK, `account:amount` joined by `;` |
//!
//! Line columns: `source`, `invoice_number`, `document_type`,
//! `invoice_date`, `currency`, `supplier_name`, `supplier_org_nr`, `line_no`
//! (Int64, 1-based; null for an invoice without line items, which still gets
//! one row), `line_kind` (`item`, `allowance` or `charge`), `description`,
//! `quantity` (signed), `unit`, `unit_price`,
//! `vat_rate`, `amount` (net, signed), `cost_account`.

use std::path::Path;

use polars::prelude::*;
use rust_decimal::Decimal;

use crate::table::{TableFormat, write_frame};
use crate::{Booking, Error};

fn f64_of(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

fn text<'a>(name: &str, values: impl Iterator<Item = Option<&'a str>>) -> Column {
    Column::new(name.into(), values.collect::<Vec<_>>())
}

fn num(name: &str, values: impl Iterator<Item = Option<Decimal>>) -> Column {
    Column::new(name.into(), values.map(|v| v.map(f64_of)).collect::<Vec<_>>())
}

fn dates(name: &str, values: impl Iterator<Item = Option<chrono::NaiveDate>>) -> Column {
    let days = values.map(|d| d.map(|d| d.to_epoch_days()));
    Int32Chunked::from_iter_options(name.into(), days).into_date().into_series().into()
}

fn kind(b: &Booking) -> Option<&'static str> {
    Some(if b.credit_note { "credit_note" } else { "invoice" })
}

/// One row per invoice, columns as the module documentation lists them.
pub fn invoice_frame(bookings: &[Booking]) -> Result<DataFrame, Error> {
    let bs = || bookings.iter();
    let s = |f: fn(&Booking) -> Option<&str>| bs().map(f);
    let signed = |f: fn(&Booking) -> Decimal| bs().map(move |b| Some(b.signed(f(b))));
    let rate = |r: i64, base: bool| {
        bs().map(move |b| {
            let part = b.vat.iter().find(|p| p.rate == Decimal::from(r))?;
            Some(b.signed(if base { part.base } else { part.amount }))
        })
    };
    let other = |base: bool| {
        bs().map(move |b| {
            let parts = b
                .vat
                .iter()
                .filter(|p| ![25, 12, 6, 0].iter().any(|r| p.rate == Decimal::from(*r)));
            let sum: Option<Decimal> =
                parts.map(|p| if base { p.base } else { p.amount }).reduce(|a, x| a + x);
            sum.map(|v| b.signed(v))
        })
    };
    let columns = vec![
        text("source", s(|b| Some(&b.source))),
        text("invoice_number", s(|b| Some(&b.invoice_number))),
        text("document_type", bs().map(kind)),
        dates("invoice_date", bs().map(|b| Some(b.invoice_date))),
        dates("due_date", bs().map(|b| b.due_date)),
        text("currency", s(|b| Some(&b.currency))),
        num("currency_rate", bs().map(|b| Some(b.currency_rate))),
        text("supplier_name", s(|b| Some(&b.supplier.name))),
        text("supplier_org_nr", s(|b| b.supplier.org_nr.as_deref())),
        text("supplier_vat_nr", s(|b| b.supplier.vat_nr.as_deref())),
        text("supplier_number", s(|b| b.supplier.number.as_deref())),
        text("bankgiro", s(|b| b.supplier.bankgiro.as_deref())),
        text("plusgiro", s(|b| b.supplier.plusgiro.as_deref())),
        text("iban", s(|b| b.supplier.iban.as_deref())),
        text("bic", s(|b| b.supplier.bic.as_deref())),
        Column::new("f_skatt".into(), bs().map(|b| b.supplier.f_skatt).collect::<Vec<_>>()),
        text("ocr", s(|b| b.ocr.as_deref())),
        text("payment_reference", s(|b| b.payment_reference.as_deref())),
        text("buyer_reference", s(|b| b.buyer_reference.as_deref())),
        text("supplier_reference", s(|b| b.supplier_reference.as_deref())),
        text("order_number", s(|b| b.order_number.as_deref())),
        num("net_amount", signed(|b| b.net)),
        num("vat_amount", signed(|b| b.vat_total)),
        num("rounding", signed(|b| b.rounding)),
        num("total_amount", signed(|b| b.total)),
        num("net_25", rate(25, true)),
        num("vat_25", rate(25, false)),
        num("net_12", rate(12, true)),
        num("vat_12", rate(12, false)),
        num("net_6", rate(6, true)),
        num("vat_6", rate(6, false)),
        num("net_0", rate(0, true)),
        num("net_other", other(true)),
        num("vat_other", other(false)),
        num(
            "total_sek",
            bs().map(|b| {
                b.rows.iter().find(|r| r.kind == crate::RowKind::Payable).map(|r| -r.amount)
            }),
        ),
        Column::new(
            "cost_account".into(),
            bs().map(|b| i64::from(b.cost_account)).collect::<Vec<_>>(),
        ),
        Column::new(
            "rows".into(),
            bs().map(|b| {
                b.rows
                    .iter()
                    .map(|r| format!("{}:{:.2}", r.account, r.amount))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .collect::<Vec<_>>(),
        ),
    ];
    Ok(DataFrame::new(bookings.len(), columns)?)
}

/// One row per line item (an invoice without any gets one row with null
/// line columns).
pub fn line_frame(bookings: &[Booking]) -> Result<DataFrame, Error> {
    let rows: Vec<(&Booking, Option<(usize, &crate::Line)>)> = bookings
        .iter()
        .flat_map(|b| {
            let lines: Vec<_> =
                b.lines.iter().enumerate().map(|(i, l)| (b, Some((i + 1, l)))).collect();
            if lines.is_empty() { vec![(b, None)] } else { lines }
        })
        .collect();
    let rs = || rows.iter();
    let line =
        |f: fn(&crate::Line) -> Option<Decimal>| rs().map(move |(_, l)| l.and_then(|(_, l)| f(l)));
    let columns = vec![
        text("source", rs().map(|(b, _)| Some(b.source.as_str()))),
        text("invoice_number", rs().map(|(b, _)| Some(b.invoice_number.as_str()))),
        text("document_type", rs().map(|(b, _)| kind(b))),
        dates("invoice_date", rs().map(|(b, _)| Some(b.invoice_date))),
        text("currency", rs().map(|(b, _)| Some(b.currency.as_str()))),
        text("supplier_name", rs().map(|(b, _)| Some(b.supplier.name.as_str()))),
        text("supplier_org_nr", rs().map(|(b, _)| b.supplier.org_nr.as_deref())),
        Column::new(
            "line_no".into(),
            rs().map(|(_, l)| l.map(|(i, _)| i as i64)).collect::<Vec<_>>(),
        ),
        text("line_kind", rs().map(|(_, l)| l.map(|(_, l)| line_kind(l.kind)))),
        text("description", rs().map(|(_, l)| l.and_then(|(_, l)| l.description.as_deref()))),
        num("quantity", rs().map(|(b, l)| l.and_then(|(_, l)| l.quantity).map(|q| b.signed(q)))),
        text("unit", rs().map(|(_, l)| l.and_then(|(_, l)| l.unit.as_deref()))),
        num("unit_price", line(|l| l.unit_price)),
        num("vat_rate", line(|l| l.vat_rate)),
        num("amount", rs().map(|(b, l)| l.and_then(|(_, l)| l.amount).map(|a| b.signed(a)))),
        Column::new(
            "cost_account".into(),
            rs().map(|(b, _)| i64::from(b.cost_account)).collect::<Vec<_>>(),
        ),
    ];
    Ok(DataFrame::new(rows.len(), columns)?)
}

fn line_kind(kind: invex_domain::LineKind) -> &'static str {
    match kind {
        invex_domain::LineKind::Item => "item",
        invex_domain::LineKind::Allowance => "allowance",
        invex_domain::LineKind::Charge => "charge",
    }
}

/// Writes the invoice table, or the line table with `lines`, atomically.
pub fn write_bookings(
    bookings: &[Booking],
    path: &Path,
    format: TableFormat,
    lines: bool,
) -> Result<(), Error> {
    let mut frame = if lines { line_frame(bookings)? } else { invoice_frame(bookings)? };
    write_frame(&mut frame, path, format)
}

#[cfg(test)]
#[path = "booking_table_tests.rs"]
mod tests;
