//! The ledger rows of a booking: cost per VAT rate, input VAT per rate (a
//! foreign supplier's VAT is not deductible in Sweden and is booked as part of
//! the cost), the payable, and an öresavrundning row when the total is rounded or the
//! conversion to SEK leaves öre over. Both amount columns sum to exactly zero.

use rust_decimal::Decimal;
use serde::Serialize;

use super::Booking;
use super::vat::round2;
use crate::config::{Account, TenantConfig};

/// What a row books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// The net cost of one VAT rate.
    Cost,
    /// Deductible input VAT of one rate.
    InputVat,
    /// The accounts-payable total (leverantörsskuld).
    Payable,
    /// Öresavrundning and SEK conversion differences.
    Rounding,
}

/// One ledger row: debit positive, credit negative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub account: Account,
    pub kind: RowKind,
    /// The VAT rate of a cost or input-VAT row.
    pub vat_rate: Option<Decimal>,
    /// In SEK.
    pub amount: Decimal,
    /// In the invoice currency (equal to `amount` for SEK).
    pub amount_currency: Decimal,
}

pub(super) fn build(b: &Booking, config: &TenantConfig) -> Vec<Row> {
    let row = |account, kind, vat_rate, doc: Decimal| {
        let amount_currency = b.signed(doc);
        Row {
            account,
            kind,
            vat_rate,
            amount: round2(amount_currency * b.currency_rate),
            amount_currency,
        }
    };
    let mut rows = Vec::new();
    // Another country's VAT is not Swedish input VAT: it is part of the cost.
    let deductible = b.vat_deductible();
    for part in b.vat.iter() {
        let cost = if deductible { part.base } else { part.base + part.amount };
        if !cost.is_zero() {
            rows.push(row(b.cost_account, RowKind::Cost, Some(part.rate), cost));
        }
    }
    for part in b.vat.iter().filter(|p| deductible && !p.amount.is_zero()) {
        let account = config.vat_account(part.rate);
        rows.push(row(account, RowKind::InputVat, Some(part.rate), part.amount));
    }
    rows.push(row(config.accounts.payable, RowKind::Payable, None, -b.total));
    let left: Decimal = -rows.iter().map(|r| r.amount).sum::<Decimal>();
    let left_currency: Decimal = -rows.iter().map(|r| r.amount_currency).sum::<Decimal>();
    if !left.is_zero() || !left_currency.is_zero() {
        rows.push(Row {
            account: config.accounts.rounding,
            kind: RowKind::Rounding,
            vat_rate: None,
            amount: left,
            amount_currency: left_currency,
        });
    }
    rows
}
