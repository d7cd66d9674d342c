//! SIE 4I: the Swedish import file for vouchers ("verifikationer"), read by
//! Fortnox, Visma, BL, Bokio and nearly every Swedish bookkeeping program.
//!
//! One file holds many invoices, one `#VER` each, written as the SIE 4B format
//! description asks: CP437 text (`#FORMAT PC8`), CRLF line ends, the header
//! items in the order the description lists them (`#FLAGGA`, `#PROGRAM`,
//! `#FORMAT`, `#GEN`, `#SIETYP`, `#ORGNR`, `#FNAMN`, `#RAR`, `#VALUTA`),
//! `#KONTO` for every account used, then the vouchers:
//!
//! ```text
//! #VER A "" 20260302 "Leverantör AB Faktura F1" 20260322
//! {
//!    #TRANS 4010 {} 1000.00 20260302 "Leverantör AB F1"
//!    #TRANS 2641 {} 250.00 20260302 "Ingående moms 25 %"
//!    #TRANS 2440 {} -1250.00 20260302 "Leverantör AB F1"
//! }
//! ```
//!
//! Voucher numbers are left empty (`""`): in an import file the receiving
//! program numbers the vouchers in its own series. Amounts are in SEK (a
//! foreign-currency invoice is converted at the booking's rate, and the
//! voucher text names the original amount). Texts are always quoted, with
//! `"` and `\` escaped by a backslash; characters CP437 lacks are replaced by
//! their nearest ASCII form or `?`. [`parse`] reads such files back.

mod cp437;
pub mod parse;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::io::Write;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{Booking, Error, FileExporter, RowKind, TenantConfig};

pub use parse::{SieFile, Transaction, Voucher};

/// Writes bookings as one SIE 4I file.
#[derive(Debug, Clone)]
pub struct SieExporter<'a> {
    pub config: &'a TenantConfig,
    /// The `#GEN` date and every voucher's registration date.
    pub generated: NaiveDate,
    /// `#PROGRAM`: name and version of the writer.
    pub program: (&'a str, &'a str),
}

impl FileExporter for SieExporter<'_> {
    fn name(&self) -> &'static str {
        "SIE 4I"
    }

    /// Refuses a tenant config without the company's name: `#FNAMN` is
    /// mandatory in SIE 4 (section 8.3 of the 4B description).
    fn write(&self, bookings: &[Booking], out: &mut dyn Write) -> Result<(), Error> {
        if self.config.company.name.trim().is_empty() {
            return Err(Error::Config {
                path: "(tenant config)".into(),
                detail: "SIE needs the company's name for #FNAMN, which is mandatory: set [company] name (--config)".into(),
            });
        }
        let text = self.render(bookings);
        out.write_all(&cp437::encode(&text))
            .map_err(|cause| Error::Write { format: "SIE 4I", cause })
    }
}

impl SieExporter<'_> {
    /// The file as text, before CP437 encoding.
    pub fn render(&self, bookings: &[Booking]) -> String {
        let c = self.config;
        let mut lines = vec![
            "#FLAGGA 0".to_string(),
            format!("#PROGRAM {} {}", quote(self.program.0), quote(self.program.1)),
            "#FORMAT PC8".into(),
            format!("#GEN {}", date(self.generated)),
            "#SIETYP 4".into(),
        ];
        if let Some(org) = c.company.org_nr.as_deref().and_then(invex_domain::validate::org_nr) {
            lines.push(format!("#ORGNR {org}"));
        }
        lines.push(format!("#FNAMN {}", quote(&c.company.name)));
        for (index, (start, end)) in fiscal_years(c, bookings) {
            lines.push(format!("#RAR {index} {} {}", date(start), date(end)));
        }
        lines.push("#VALUTA SEK".into());
        let accounts: BTreeSet<u32> =
            bookings.iter().flat_map(|b| b.rows.iter().map(|r| r.account)).collect();
        for account in accounts {
            lines.push(format!("#KONTO {account} {}", quote(&c.account_name(account))));
        }
        for b in bookings {
            lines.push(format!(
                "#VER {} \"\" {} {} {}",
                quote(&c.voucher_series),
                date(b.invoice_date),
                quote(&voucher_text(b)),
                date(self.generated),
            ));
            lines.push("{".into());
            for row in &b.rows {
                lines.push(format!(
                    "   #TRANS {} {{}} {:.2} {} {}",
                    row.account,
                    row.amount,
                    date(b.invoice_date),
                    quote(&row_text(b, row.kind, row.vat_rate)),
                ));
            }
            lines.push("}".into());
        }
        let mut text = lines.join("\r\n");
        text.push_str("\r\n");
        text
    }
}

/// The fiscal years the vouchers fall in, numbered as `#RAR` does: 0 for the
/// latest, -1 for the one before, and so on.
fn fiscal_years(c: &TenantConfig, bookings: &[Booking]) -> Vec<(i64, (NaiveDate, NaiveDate))> {
    let years: BTreeSet<(NaiveDate, NaiveDate)> =
        bookings.iter().map(|b| c.fiscal_year(b.invoice_date)).collect();
    years.into_iter().rev().enumerate().map(|(i, y)| (-(i as i64), y)).collect()
}

fn voucher_text(b: &Booking) -> String {
    if b.currency == "SEK" {
        b.text()
    } else {
        format!("{} ({} {:.2} à {})", b.text(), b.currency, b.total, b.currency_rate.normalize())
    }
}

fn row_text(b: &Booking, kind: RowKind, rate: Option<Decimal>) -> String {
    let rate = rate.map_or(String::new(), |r| format!(" {} %", r.normalize()));
    match kind {
        RowKind::Cost | RowKind::Payable => {
            format!("{} {}", b.supplier.name, b.invoice_number).trim().to_string()
        }
        RowKind::InputVat => format!("Ingående moms{rate}"),
        RowKind::Rounding => "Öresavrundning".into(),
        RowKind::ReverseBase => format!("Omvänd skattskyldighet, underlag{rate}"),
        RowKind::ReverseOffset => "Justering, omvänd moms".into(),
        RowKind::ReverseOutputVat => format!("Utgående moms, omvänd skattskyldighet{rate}"),
        RowKind::ReverseInputVat => format!("Ingående moms, omvänd skattskyldighet{rate}"),
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// A SIE text field: quoted, `"` escaped by a backslash (the one escape the
/// SIE 4B description defines, section 5.7), control characters blanked. A
/// backslash in the text is written as `/`: the description gives it no
/// escape, and `\"` at the end of a text would read as an escaped quote.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push('/'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
