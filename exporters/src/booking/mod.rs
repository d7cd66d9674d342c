//! The [`Booking`]: the accounting view of one invoice, what every exporter
//! maps from.
//!
//! [`Booking::from_invoice`] reads an extracted [`Invoice`] with a
//! [`TenantConfig`] and refuses, naming the invoice and the cause, whatever an
//! accountant could not book: no total, no invoice number or date, amounts
//! that do not add up, a VAT rate that cannot be told, a foreign currency
//! without an exchange rate.
//!
//! Amount conventions:
//! - Document amounts (`total`, `net`, `vat_total`, [`VatPart`]s, lines) are
//!   in the invoice currency and positive for an ordinary invoice *and* for a
//!   credit note (as UBL writes them); a credit note printed with negative
//!   amounts has them flipped, `credit_note` says which it is.
//! - Ledger [`Row`]s are signed, debit positive and credit negative: cost and
//!   input VAT on the debit side, the payable on the credit side, all flipped
//!   for a credit note. `amount` is in SEK, `amount_currency` in the invoice
//!   currency; both columns sum to exactly zero (see [`rows`]).

mod rows;
mod vat;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use invex_domain::tax::VatTreatment;
use invex_domain::{FieldName, Invoice, validate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::Error;
use crate::config::{Account, TenantConfig};

pub use rows::{Row, RowKind};
pub use vat::{VatPart, round2};

/// The supplier as the accounting system needs it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Supplier {
    pub name: String,
    /// `NNNNNN-NNNN`, when printed and valid.
    pub org_nr: Option<String>,
    /// Normalised VAT number (`SE556036079301`), when printed and valid.
    pub vat_nr: Option<String>,
    pub address: Option<String>,
    /// Digits only.
    pub bankgiro: Option<String>,
    /// Digits only.
    pub plusgiro: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// "Godkänd för F-skatt" printed on the invoice.
    pub f_skatt: bool,
    /// The supplier number in the accounting system, from the tenant config.
    pub number: Option<String>,
}

impl Supplier {
    /// The supplier's country (ISO 3166): its VAT number's (`EL` is `GR`),
    /// else its IBAN's, else Sweden's when it has an org nr or a giro number.
    pub fn country(&self) -> Option<String> {
        let prefix = |id: &Option<String>| {
            id.as_deref().and_then(invex_domain::tax::country_prefix).map(str::to_string)
        };
        let swedish = self.org_nr.is_some() || self.bankgiro.is_some() || self.plusgiro.is_some();
        prefix(&self.vat_nr)
            .map(|c| if c == "EL" { "GR".to_string() } else { c })
            .or_else(|| prefix(&self.iban))
            .or_else(|| swedish.then(|| "SE".to_string()))
    }
}

/// One line item, in document amounts (see the module docs).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Line {
    /// An item, or an allowance or charge printed among the items.
    pub kind: invex_domain::LineKind,
    pub description: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit: Option<String>,
    pub unit_price: Option<Decimal>,
    /// Percent.
    pub vat_rate: Option<Decimal>,
    /// Net amount of the line.
    pub amount: Option<Decimal>,
}

/// The accounting view of one invoice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Booking {
    /// Where the invoice came from: the input file of `invex extract`.
    pub source: String,
    pub supplier: Supplier,
    pub buyer_name: Option<String>,
    pub buyer_org_nr: Option<String>,
    pub invoice_number: String,
    pub invoice_date: NaiveDate,
    /// As printed (or derived from printed terms by extraction).
    pub due_date: Option<NaiveDate>,
    /// `due_date`, else the invoice date plus the supplier's or the tenant's
    /// `payment_days`: what a target that needs a due date gets.
    pub pay_by: NaiveDate,
    /// ISO 4217, upper case.
    pub currency: String,
    /// SEK per unit of `currency` (1 for SEK).
    pub currency_rate: Decimal,
    pub credit_note: bool,
    /// The invoice a credit note credits, when printed or in the XML.
    pub credited_invoice: Option<String>,
    /// How the VAT is accounted for ([`VatTreatment::of`]), and why when it
    /// is not standard.
    pub vat_treatment: VatTreatment,
    pub vat_treatment_reason: Option<String>,
    /// The share (0 to 1) of the input VAT that may be deducted; the rest
    /// is booked as cost (representation). 1 unless configured.
    pub vat_deductible: Decimal,
    /// Amount payable, document amount.
    pub total: Decimal,
    /// Sum of the VAT parts' bases.
    pub net: Decimal,
    /// Sum of the VAT parts' amounts.
    pub vat_total: Decimal,
    /// `total - net - vat_total`: öresavrundning printed on the invoice.
    pub rounding: Decimal,
    /// VAT per rate, highest rate first.
    pub vat: Vec<VatPart>,
    /// The OCR reference, when the payment reference passes the OCR check.
    pub ocr: Option<String>,
    /// The payment reference as printed (OCR or free text).
    pub payment_reference: Option<String>,
    /// Er referens.
    pub buyer_reference: Option<String>,
    /// Vår referens.
    pub supplier_reference: Option<String>,
    pub order_number: Option<String>,
    pub lines: Vec<Line>,
    /// The cost account the cost rows use.
    pub cost_account: Account,
    /// Balanced ledger rows (see the module docs).
    pub rows: Vec<Row>,
}

impl Booking {
    /// Books one extracted invoice; `source` is its file name or id.
    pub fn from_invoice(
        source: &str,
        invoice: &Invoice,
        config: &TenantConfig,
    ) -> Result<Booking, Error> {
        let text = |name| invoice.text(name).map(str::trim).filter(|s| !s.is_empty());
        let label = match text(FieldName::InvoiceNumber) {
            Some(n) => format!("{source} (invoice {n})"),
            None => source.to_string(),
        };
        let missing = |field| Error::MissingField { invoice: label.clone(), field };
        let invoice_number =
            text(FieldName::InvoiceNumber).ok_or_else(|| missing(FieldName::InvoiceNumber))?;
        let invoice_date =
            invoice.date(FieldName::InvoiceDate).ok_or_else(|| missing(FieldName::InvoiceDate))?;
        let total = invoice
            .amount(FieldName::TotalAmount)
            .ok_or_else(|| missing(FieldName::TotalAmount))?;
        let currency = text(FieldName::Currency)
            .map(|c| {
                invex_domain::parse::normalize_currency(c).map_or(c.to_uppercase(), str::to_string)
            })
            .unwrap_or_else(|| "SEK".to_string());
        let currency_rate = config.exchange_rate(&currency).ok_or_else(|| {
            Error::NoExchangeRate { invoice: label.clone(), currency: currency.clone() }
        })?;

        // A negative total means a credit note printed with negative amounts:
        // every document amount is flipped so that it reads as UBL writes it.
        let sign = if total < Decimal::ZERO { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
        let flagged = matches!(
            invoice.get(FieldName::IsCreditNote).map(|f| &f.value),
            Some(invex_domain::Value::Bool(true))
        );
        let credit_note = flagged || total < Decimal::ZERO;
        let lines: Vec<Line> = invoice
            .line_items
            .iter()
            .map(|li| Line {
                kind: li.kind,
                description: li.description.clone(),
                quantity: li.quantity.map(|q| q * sign),
                unit: li.unit.clone(),
                unit_price: li.unit_price,
                vat_rate: li.vat_rate,
                amount: li.amount.map(|a| a * sign),
            })
            .collect();
        let mut split = vat::split(invoice, sign, &lines, &label)?;
        let (vat_treatment, vat_treatment_reason) = VatTreatment::of(invoice);
        vat::categorise(&mut split.parts, vat_treatment, invoice);
        let payment_reference = text(FieldName::PaymentReference).map(str::to_string);
        let supplier = supplier(invoice, config);
        let rule = cost_rule(config, &supplier, &lines);
        let supplier_config = supplier.org_nr.as_deref().and_then(|o| config.supplier(o));
        let due_date = invoice.date(FieldName::DueDate);
        let days = supplier_config.and_then(|s| s.payment_days).unwrap_or(config.payment_days);
        let pay_by = due_date.unwrap_or_else(|| {
            invoice_date
                .checked_add_days(chrono::Days::new(u64::from(days)))
                .unwrap_or(invoice_date)
        });
        let credited_invoice = invoice
            .credited_invoice
            .as_ref()
            .map(|f| f.value.to_string().trim().to_string())
            .filter(|c| credit_note && !c.is_empty());
        let mut booking = Booking {
            source: source.to_string(),
            supplier,
            buyer_name: text(FieldName::BuyerName).map(str::to_string),
            buyer_org_nr: text(FieldName::BuyerOrgNr).and_then(validate::org_nr),
            invoice_number: invoice_number.to_string(),
            invoice_date,
            due_date,
            pay_by,
            currency,
            currency_rate,
            credit_note,
            credited_invoice,
            vat_treatment,
            vat_treatment_reason,
            vat_deductible: rule.vat_deductible,
            total: split.total,
            net: split.net(),
            vat_total: split.vat_total(),
            rounding: split.total - split.net() - split.vat_total(),
            vat: split.parts,
            ocr: payment_reference.as_deref().and_then(validate::ocr_reference),
            payment_reference,
            buyer_reference: text(FieldName::BuyerReference).map(str::to_string),
            supplier_reference: text(FieldName::SupplierReference).map(str::to_string),
            order_number: text(FieldName::OrderNumber).map(str::to_string),
            lines,
            cost_account: rule.account,
            rows: Vec::new(),
        };
        booking.rows = rows::build(&booking, config);
        Ok(booking)
    }

    /// Whether the VAT is Swedish input VAT: the supplier's VAT number is
    /// Swedish, or the invoice prints none. Another country's VAT cannot be
    /// deducted in the Swedish VAT return (it is reclaimed, if at all, through
    /// the EU refund procedure), so it is booked as cost.
    pub fn vat_deductible(&self) -> bool {
        self.supplier.vat_nr.as_deref().is_none_or(|v| v.starts_with("SE"))
    }

    /// The input VAT of one VAT part that may be deducted: its share
    /// ([`Booking::vat_deductible`] and the configured share), in document
    /// amounts. The rest of the part's VAT is cost.
    pub fn deductible_part(&self, vat: Decimal) -> Decimal {
        if self.vat_deductible() { round2(vat * self.vat_deductible) } else { Decimal::ZERO }
    }

    /// The VAT to book as Swedish input VAT, in document amounts: the
    /// deductible share of each part, none for a foreign supplier.
    pub fn input_vat(&self) -> Decimal {
        self.vat.iter().map(|p| self.deductible_part(p.amount)).sum()
    }

    /// The fictive VAT of a reverse-charge purchase, in document amounts:
    /// the configured Swedish rate on the net; zero otherwise.
    pub fn reverse_charge_vat(&self, config: &TenantConfig) -> Decimal {
        if !self.vat_treatment.is_reverse_charge() {
            return Decimal::ZERO;
        }
        round2(self.net * config.accounts.reverse_charge.rate / Decimal::from(100))
    }

    /// How errors and reports name this invoice: `file (invoice N)`.
    pub fn label(&self) -> String {
        format!("{} (invoice {})", self.source, self.invoice_number)
    }

    /// The document amounts with the ledger sign: negative for a credit note.
    pub fn signed(&self, amount: Decimal) -> Decimal {
        if self.credit_note && !amount.is_zero() { -amount } else { amount }
    }

    /// The voucher text: supplier and invoice number, and the invoice a
    /// credit note credits.
    pub fn text(&self) -> String {
        let kind = if self.credit_note { "Kreditfaktura" } else { "Faktura" };
        let mut text = format!("{} {} {}", self.supplier.name, kind, self.invoice_number);
        if let Some(credited) = &self.credited_invoice {
            text.push_str(&format!(" avser faktura {credited}"));
        }
        text.trim().to_string()
    }
}

fn supplier(invoice: &Invoice, config: &TenantConfig) -> Supplier {
    let text = |name| invoice.text(name).map(str::trim).filter(|s| !s.is_empty());
    let org_nr = text(FieldName::SupplierOrgNr).and_then(validate::org_nr);
    let number = org_nr.as_deref().and_then(|o| config.supplier(o)).and_then(|s| s.number.clone());
    Supplier {
        name: text(FieldName::SupplierName).unwrap_or_default().to_string(),
        vat_nr: text(FieldName::SupplierVat).and_then(validate::vat_number),
        address: text(FieldName::SupplierAddress).map(str::to_string),
        bankgiro: text(FieldName::Bankgiro).and_then(validate::bankgiro),
        plusgiro: text(FieldName::Plusgiro).and_then(validate::plusgiro),
        iban: text(FieldName::Iban).and_then(validate::iban),
        bic: text(FieldName::Bic).and_then(validate::bic),
        f_skatt: matches!(
            invoice.get(FieldName::SupplierFSkatt).map(|f| &f.value),
            Some(invex_domain::Value::Bool(true))
        ),
        org_nr,
        number,
    }
}

/// Where the cost goes and how much of the VAT may be deducted.
struct CostRule {
    account: Account,
    vat_deductible: Decimal,
}

/// The supplier's own account and share, else the first matching
/// category's, else the default account with all VAT deductible.
fn cost_rule(config: &TenantConfig, supplier: &Supplier, lines: &[Line]) -> CostRule {
    let own = supplier.org_nr.as_deref().and_then(|o| config.supplier(o));
    let mut haystack = supplier.name.to_lowercase();
    for line in lines {
        haystack.push('\n');
        haystack.push_str(&line.description.as_deref().unwrap_or_default().to_lowercase());
    }
    let category = config
        .categories
        .iter()
        .find(|c| c.keywords.iter().any(|k| !k.is_empty() && haystack.contains(&k.to_lowercase())));
    let account = own
        .and_then(|s| s.cost_account)
        .or(category.map(|c| c.cost_account))
        .unwrap_or(config.accounts.default_cost);
    let vat_deductible = own
        .and_then(|s| s.vat_deductible)
        .or(category.and_then(|c| c.vat_deductible))
        .unwrap_or(Decimal::ONE);
    CostRule { account, vat_deductible }
}
