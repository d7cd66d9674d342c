//! The content of one synthetic invoice: parties, identifiers, lines and
//! consistent amounts. Layouts decide what of it gets printed.

pub mod company;
pub mod ids;
pub mod items;
pub mod money;
pub mod names;

use chrono::{Days, NaiveDate};
use rand::{Rng, RngExt};
use rust_decimal::Decimal;

use crate::error::Error;
pub use company::{Company, Kind};
pub use money::{Line, LineKind, VatSum};

/// Language of the printed labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Sv,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
}

/// Which supplier a family wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplierKind {
    /// Mostly AB, some HB/KB.
    Company,
    /// Enskild firma.
    SoleTrader,
    /// An EU company (EUR) or a US company (USD).
    Foreign,
}

/// What a family asks the content generator for.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub lang: Lang,
    pub currency: &'static str,
    pub supplier: SupplierKind,
    pub public_buyer: bool,
    pub credit: bool,
    pub lines: (usize, usize),
    /// Mix 25/12/6 % (and sometimes 0 %) items.
    pub multi_vat: bool,
    /// Probability of öresavrundning (SEK only).
    pub rounding: f64,
    /// Always give a SEK invoice an OCR number.
    pub force_ocr: bool,
}

impl Profile {
    pub fn new(lang: Lang, lines: (usize, usize)) -> Profile {
        Profile {
            lang,
            currency: "SEK",
            supplier: SupplierKind::Company,
            public_buyer: false,
            credit: false,
            lines,
            multi_vat: false,
            rounding: 0.12,
            force_ocr: false,
        }
    }
}

/// How the supplier gets paid.
#[derive(Debug, Clone, Default)]
pub struct Payment {
    pub bankgiro: Option<String>,
    pub plusgiro: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub bank_name: String,
}

/// Everything one invoice could print.
#[derive(Debug, Clone)]
pub struct InvoiceData {
    pub lang: Lang,
    pub currency: &'static str,
    pub credit: bool,
    pub number: String,
    /// The invoice a credit note credits.
    pub credited: Option<String>,
    pub date: NaiveDate,
    pub due: NaiveDate,
    pub terms_days: u32,
    pub delivery: NaiveDate,
    pub supplier: Company,
    pub buyer: Company,
    pub pay: Payment,
    /// Luhn-valid OCR number (SEK invoices).
    pub ocr: Option<String>,
    /// A non-OCR payment reference (RF creditor reference or similar).
    pub pay_ref: Option<String>,
    pub buyer_ref: Option<String>,
    pub supplier_ref: Option<String>,
    pub order_no: Option<String>,
    pub customer_no: String,
    pub lines: Vec<Line>,
    pub vat: Vec<VatSum>,
    pub net: Decimal,
    pub vat_total: Decimal,
    /// net + VAT before öresavrundning.
    pub gross: Decimal,
    /// Öresavrundning; zero when not applied.
    pub rounding: Decimal,
    pub rounded: bool,
    /// What is to be paid (gross + rounding).
    pub total: Decimal,
    pub reverse_charge: bool,
    /// Dröjsmålsränta in percent.
    pub interest: u32,
}

fn invoice_number<R: Rng>(rngs: &mut Rngs<'_, R>, date: NaiveDate, credit: bool) -> String {
    let y = date.format("%Y").to_string();
    let seq = rngs.v().random_range(1..9999);
    let style = rngs.f().random_range(0..9);
    let rng = rngs.v();
    match style {
        0 | 1 => format!("{}", rng.random_range(1000..99999)),
        2 => format!("{y}-{seq:04}"),
        3 => format!("{y}{seq:04}"),
        4 => format!("{}{}", if credit { "KF" } else { "F" }, rng.random_range(10000..999999)),
        5 => format!("INV-{y}-{seq:04}"),
        6 => format!("{}-{}", if credit { "K" } else { "F" }, rng.random_range(1000..99999)),
        7 => format!("{}", rng.random_range(100000..9999999)),
        _ => format!("{seq}/{}", &y[2..]),
    }
}

fn order_number<R: Rng>(rngs: &mut Rngs<'_, R>) -> String {
    let style = rngs.f().random_range(0..5);
    let rng = rngs.v();
    match style {
        0 => format!("PO-{}", rng.random_range(10000..99999)),
        1 => format!("45{}", ids::digits(rng, 8, false)),
        2 => format!("ORD-{}-{}", rng.random_range(2024..2027), rng.random_range(100..999)),
        3 => format!("{}", rng.random_range(1000..999999)),
        _ => format!("IO{}", rng.random_range(10000..99999)),
    }
}

fn buyer_reference<R: Rng>(rng: &mut R, public: bool) -> String {
    if public || rng.random_bool(0.25) {
        let letters: String =
            (0..3).map(|_| char::from(b'A' + rng.random_range(0..26u8))).collect();
        match rng.random_range(0..4) {
            0 => format!("{}{letters}", rng.random_range(1000..9999)),
            1 => format!("KST {}", rng.random_range(1000..9999)),
            2 => format!("{letters}{}", rng.random_range(100..999)),
            _ => format!("{}-{}", rng.random_range(10..99), rng.random_range(1000..9999)),
        }
    } else {
        company::person(rng)
    }
}

/// RF creditor reference (ISO 11649) around a digit string.
fn rf_reference(body: &str) -> String {
    let mut r: u32 = 0;
    for c in body.chars().chain("RF00".chars()) {
        r = match c {
            '0'..='9' => (r * 10 + c as u32 - '0' as u32) % 97,
            _ => (r * 100 + c as u32 - 'A' as u32 + 10) % 97,
        };
    }
    format!("RF{:02}{body}", 98 - r)
}

/// The randomness of one invoice: what stays the same on all of a recurring
/// supplier's invoices (`fixed`: the parties, payment details, formats of
/// numbers, the layout) and what changes from one to the next (`varying`:
/// dates, numbers, lines, amounts). An independent invoice draws both from
/// one RNG, in one order, so its output does not depend on the split.
pub struct Rngs<'a, R> {
    fixed: &'a mut R,
    varying: Option<&'a mut R>,
}

impl<'a, R: Rng> Rngs<'a, R> {
    pub fn one(rng: &'a mut R) -> Self {
        Rngs { fixed: rng, varying: None }
    }

    pub fn two(fixed: &'a mut R, varying: &'a mut R) -> Self {
        Rngs { fixed, varying: Some(varying) }
    }

    /// For what a recurring supplier keeps.
    pub fn f(&mut self) -> &mut R {
        self.fixed
    }

    /// For what changes from invoice to invoice.
    pub fn v(&mut self) -> &mut R {
        match self.varying.as_deref_mut() {
            Some(r) => r,
            None => self.fixed,
        }
    }
}

/// Builds the content of one invoice for a family's profile.
pub fn build<R: Rng>(rngs: &mut Rngs<'_, R>, p: &Profile) -> Result<InvoiceData, Error> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or_else(|| Error::Layout("date".into()))?;
    let date = start + Days::new(rngs.v().random_range(0..1096));
    let terms_days = [10, 15, 20, 30, 30, 30][rngs.f().random_range(0..6)];
    let due = date + Days::new(u64::from(terms_days));
    let delivery = date - Days::new(rngs.v().random_range(0..20));
    let rng = rngs.f();
    let supplier = match p.supplier {
        SupplierKind::SoleTrader => company::swedish(rng, Kind::Ef)?,
        SupplierKind::Foreign => company::foreign(rng, p.currency == "USD", p.lang == Lang::En)?,
        SupplierKind::Company => {
            let kind = match rng.random_range(0..10) {
                0 => Kind::Hb,
                1 => Kind::Kb,
                _ => Kind::Ab,
            };
            company::swedish(rng, kind)?
        }
    };
    let buyer = if p.public_buyer { company::public_buyer(rng)? } else { company::buyer(rng)? };
    let foreign = p.supplier == SupplierKind::Foreign;
    let pay = payment(rng, &supplier, p)?;
    let number = invoice_number(rngs, date, p.credit);
    let customer_no = format!("{}", rngs.f().random_range(1000..99999));
    let (lines, reverse_charge) = money::lines(rngs.v(), p, &supplier)?;
    let rounding = p.currency == "SEK" && rngs.f().random_bool(p.rounding);
    let m = money::totals(&lines, rounding);
    let rng = rngs.v();
    let ocr =
        if !foreign && !p.credit && p.currency == "SEK" && (p.force_ocr || rng.random_bool(0.75)) {
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            let payload = match rng.random_range(0..3) {
                0 => format!("{customer_no}{digits}"),
                1 => digits,
                _ => {
                    let n = rng.random_range(6..14);
                    ids::digits(rng, n, true)
                }
            };
            let payload: String = payload.chars().take(20).collect();
            let payload = if payload.is_empty() { ids::digits(rng, 8, true) } else { payload };
            Some(ids::ocr(&payload, rng.random_bool(0.3))?)
        } else {
            None
        };
    let pay_ref = (foreign && rng.random_bool(0.5)).then(|| {
        if rng.random_bool(0.6) {
            let n = rng.random_range(6..16);
            rf_reference(&ids::digits(rng, n, true))
        } else {
            format!("{}-{}", rng.random_range(100..999), ids::digits(rng, 6, true))
        }
    });
    let credited = p.credit.then(|| invoice_number(rngs, date - Days::new(40), false));
    let buyer_ref = (p.public_buyer || rngs.f().random_bool(0.75))
        .then(|| buyer_reference(rngs.f(), p.public_buyer));
    let supplier_ref = rngs.f().random_bool(0.7).then(|| supplier.contact.clone());
    let order_no = rngs.f().random_bool(0.5).then(|| order_number(rngs));
    let interest = [8, 8, 10, 12, 2][rngs.f().random_range(0..5)];
    Ok(InvoiceData {
        lang: p.lang,
        currency: p.currency,
        credit: p.credit,
        credited,
        number,
        date,
        due,
        terms_days,
        delivery,
        pay,
        ocr,
        pay_ref,
        buyer_ref,
        supplier_ref,
        order_no,
        customer_no,
        supplier,
        buyer,
        lines,
        vat: m.vat,
        net: m.net,
        vat_total: m.vat_total,
        gross: m.gross,
        rounding: m.rounding,
        rounded: m.rounded,
        total: m.total,
        reverse_charge,
        interest,
    })
}

fn payment<R: Rng>(rng: &mut R, supplier: &Company, p: &Profile) -> Result<Payment, Error> {
    if let Kind::Foreign(cc) = supplier.kind {
        let bics: Vec<&str> =
            names::FOREIGN_BANKS.iter().filter(|b| b.0 == cc).map(|b| b.1).collect();
        let bic = if bics.is_empty() { "DEUTDEFF" } else { *company::pick(rng, &bics) };
        return Ok(Payment {
            iban: Some(ids::foreign_iban(rng, cc)?),
            bic: Some(bic.to_string()),
            ..Payment::default()
        });
    }
    if supplier.kind == Kind::Us {
        // US suppliers are paid to a European collection account.
        return Ok(Payment {
            iban: Some(ids::foreign_iban(rng, "IE")?),
            bic: Some("BOFIIE2D".into()),
            ..Payment::default()
        });
    }
    let (bic, code, bank) = *company::pick(rng, names::BANKS);
    let sole = supplier.kind == Kind::Ef;
    let mut pay = Payment { bank_name: bank.to_string(), ..Payment::default() };
    let r: f64 = rng.random();
    if sole {
        pay.plusgiro = Some(ids::plusgiro(rng)?);
        if rng.random_bool(0.3) {
            pay.bankgiro = Some(ids::bankgiro(rng)?);
        }
    } else {
        pay.bankgiro = Some(ids::bankgiro(rng)?);
        if r < 0.2 {
            pay.plusgiro = Some(ids::plusgiro(rng)?);
        }
    }
    if p.currency != "SEK" || rng.random_bool(0.55) {
        pay.iban = Some(ids::se_iban(rng, code)?);
        pay.bic = Some(bic.to_string());
    }
    Ok(pay)
}
