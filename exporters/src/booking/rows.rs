//! The ledger rows of a booking: cost per VAT rate, input VAT per rate (a
//! foreign supplier's VAT is not deductible in Sweden and is booked as part of
//! the cost, as is the share a tenant may not deduct), the payable, and an
//! öresavrundning row when the total is rounded or the conversion to SEK
//! leaves öre over. A purchase whose VAT the buyer accounts for (reverse
//! charge, intra-community goods) adds four rows: its base on the account the
//! momsdeklaration reads (4515/4535/4531/4425) and the same amount back on
//! 4598, the fictive output VAT (2614/2617) and the input VAT (2645/2647).
//! Both amount columns sum to exactly zero.

use rust_decimal::Decimal;
use serde::Serialize;

use invex_domain::tax::VatTreatment;

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
    /// The taxable value of a reverse-charge purchase, for the VAT return
    /// (debit 4515/4535/4531/4425).
    ReverseBase,
    /// Its counter-entry (credit 4598), so it is not cost twice.
    ReverseOffset,
    /// The fictive output VAT the buyer owes (credit 2614/2617).
    ReverseOutputVat,
    /// The fictive VAT the buyer deducts (debit 2645/2647).
    ReverseInputVat,
}

impl RowKind {
    /// Whether the row is one of a reverse charge's four.
    pub fn is_reverse_charge(self) -> bool {
        matches!(
            self,
            RowKind::ReverseBase
                | RowKind::ReverseOffset
                | RowKind::ReverseOutputVat
                | RowKind::ReverseInputVat
        )
    }
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
    // VAT that may not be deducted (another country's, or the share a
    // tenant may not deduct) is part of the cost.
    let reverse = b.reverse_charge_vat(config);
    let reverse_deductible = round2(reverse * b.vat_deductible);
    for (i, part) in b.vat.iter().enumerate() {
        let mut cost = part.base + part.amount - b.deductible_part(part.amount);
        if i == 0 {
            cost += reverse - reverse_deductible; // the fictive VAT not deducted
        }
        if !cost.is_zero() {
            rows.push(row(b.cost_account, RowKind::Cost, Some(part.rate), cost));
        }
    }
    for part in b.vat.iter() {
        let input = b.deductible_part(part.amount);
        if !input.is_zero() {
            let account = config.vat_account(part.rate);
            rows.push(row(account, RowKind::InputVat, Some(part.rate), input));
        }
    }
    if !reverse.is_zero() {
        let a = &config.accounts.reverse_charge;
        let rate = Some(a.rate);
        let (base, output, input) = match b.vat_treatment {
            VatTreatment::DomesticReverseCharge => {
                (a.domestic, a.output_domestic, a.input_domestic)
            }
            VatTreatment::EuGoods => (a.eu_goods, a.output_foreign, a.input_foreign),
            VatTreatment::ImportServices => (a.import_services, a.output_foreign, a.input_foreign),
            _ => (a.eu_services, a.output_foreign, a.input_foreign),
        };
        rows.push(row(base, RowKind::ReverseBase, rate, b.net));
        rows.push(row(a.offset, RowKind::ReverseOffset, rate, -b.net));
        rows.push(row(output, RowKind::ReverseOutputVat, rate, -reverse));
        if !reverse_deductible.is_zero() {
            rows.push(row(input, RowKind::ReverseInputVat, rate, reverse_deductible));
        }
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
