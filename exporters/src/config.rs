//! The tenant configuration: which accounts an invoice is booked on, the
//! supplier numbers of the target system, and the buying company itself.
//!
//! Loaded from TOML ([`TenantConfig::load`]); every key is optional and the
//! defaults follow the BAS kontoplan, so an empty file (or none) works:
//!
//! ```toml
//! voucher_series = "A"            # SIE #VER series
//!
//! [company]                       # the buyer: SIE #FNAMN/#ORGNR, PEPPOL buyer
//! name = "Exempelbolaget AB"
//! org_nr = "556036-0793"
//! vat_nr = "SE556036079301"
//! fiscal_year_start = "01-01"     # MM-DD
//! buyer_reference = "4711"        # PEPPOL BuyerReference when an invoice prints none
//!
//! [accounts]
//! default_cost = 4010             # Inköp material och varor
//! payable = 2440                  # Leverantörsskulder
//! rounding = 3740                 # Öres- och kronutjämning
//! vat = { "25" = 2641, "12" = 2641, "6" = 2641 }   # Debiterad ingående moms
//!
//! [accounts.reverse_charge]       # purchases where the buyer accounts for the VAT
//! rate = "25"                     # the Swedish rate the fictive VAT is computed at
//! eu_goods = 4515                 # Inköp av varor från annat EU-land, 25 %
//! eu_services = 4535              # Inköp av tjänster från annat EU-land, 25 %
//! import_services = 4531          # Inköp av tjänster från ett land utanför EU, 25 %
//! domestic = 4425                 # Inköpta tjänster i Sverige, omvänd skattskyldighet, 25 %
//! offset = 4598                   # Justering, omvänd moms
//! output_foreign = 2614           # Utgående moms omvänd skattskyldighet, 25 %
//! output_domestic = 2617          # Utgående moms omvänd skattskyldighet varor och tjänster i Sverige, 25 %
//! input_foreign = 2645            # Beräknad ingående moms på förvärv från utlandet
//! input_domestic = 2647           # Ingående moms omvänd skattskyldighet varor och tjänster i Sverige
//!
//! [account_names]                 # SIE #KONTO texts beyond the built-in BAS names
//! 6212 = "Mobiltelefon"
//!
//! [exchange_rates]                # SEK per unit, for invoices in other currencies
//! EUR = "11.47"
//!
//! [suppliers."556677-8899"]       # by org nr, any printed form
//! number = "1042"                 # supplier number in the accounting system
//! cost_account = 5460
//! payment_days = 20               # due date when none is printed (default: payment_days below)
//!
//! [[categories]]                  # first match on supplier name or line text
//! name = "telecom"
//! keywords = ["telia", "tele2", "mobilabonnemang"]
//! cost_account = 6212
//!
//! [[categories]]
//! name = "representation"
//! keywords = ["restaurang", "lunch"]
//! cost_account = 6071
//! vat_deductible = "0.5"          # share of the input VAT that may be deducted (also per supplier)
//! ```
//!
//! `payment_days = 30` (top level) gives the due date of an invoice that
//! prints none.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Error;

/// A BAS account number (four digits).
pub type Account = u32;

/// Everything tenant-specific an export needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantConfig {
    /// SIE voucher series for supplier invoices.
    pub voucher_series: String,
    pub company: Company,
    pub accounts: Accounts,
    /// Account names for SIE `#KONTO`, on top of [`bas_account_name`].
    pub account_names: BTreeMap<Account, String>,
    /// SEK per unit of a foreign currency, keyed by ISO 4217 code.
    pub exchange_rates: BTreeMap<String, Decimal>,
    /// Per supplier, keyed by organisationsnummer in any printed form.
    pub suppliers: BTreeMap<String, SupplierConfig>,
    /// Cost-account rules tried in order when the supplier has no own account.
    pub categories: Vec<Category>,
    /// Days from the invoice date to the due date when an invoice prints
    /// neither a due date nor terms (a supplier's own `payment_days` wins).
    pub payment_days: u32,
}

/// The buying company (the tenant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Company {
    pub name: String,
    pub org_nr: Option<String>,
    pub vat_nr: Option<String>,
    /// First day of the fiscal year, `MM-DD`.
    pub fiscal_year_start: String,
    /// The PEPPOL buyer reference (BT-10) of invoices that print none.
    pub buyer_reference: Option<String>,
}

/// The accounts of the booking rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Accounts {
    pub default_cost: Account,
    pub payable: Account,
    pub rounding: Account,
    /// Input-VAT account per rate in percent (`"25"`, `"12"`, `"6"`).
    pub vat: BTreeMap<String, Account>,
    /// Input-VAT account for a rate missing from `vat`.
    pub vat_default: Account,
    pub reverse_charge: ReverseChargeAccounts,
}

/// Where a purchase whose VAT the buyer accounts for is booked (see
/// [`invex_domain::tax`] for which purchases): the base on the account the
/// momsdeklaration reads it from (boxes 20, 21, 22, 24) with its offset on
/// `offset`, the fictive output VAT (box 30) and the input VAT (box 48). The
/// defaults are BAS 2024's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReverseChargeAccounts {
    /// The Swedish VAT rate (percent) the fictive VAT is computed at.
    pub rate: Decimal,
    pub eu_goods: Account,
    pub eu_services: Account,
    pub import_services: Account,
    pub domestic: Account,
    pub offset: Account,
    pub output_foreign: Account,
    pub output_domestic: Account,
    pub input_foreign: Account,
    pub input_domestic: Account,
}

impl Default for ReverseChargeAccounts {
    fn default() -> Self {
        ReverseChargeAccounts {
            rate: Decimal::from(25),
            eu_goods: 4515,
            eu_services: 4535,
            import_services: 4531,
            domestic: 4425,
            offset: 4598,
            output_foreign: 2614,
            output_domestic: 2617,
            input_foreign: 2645,
            input_domestic: 2647,
        }
    }
}

impl ReverseChargeAccounts {
    fn all(&self) -> [Account; 9] {
        [
            self.eu_goods,
            self.eu_services,
            self.import_services,
            self.domestic,
            self.offset,
            self.output_foreign,
            self.output_domestic,
            self.input_foreign,
            self.input_domestic,
        ]
    }
}

/// What the tenant knows about one supplier.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupplierConfig {
    /// The supplier's number in the accounting system.
    pub number: Option<String>,
    pub cost_account: Option<Account>,
    /// The share (0 to 1) of input VAT that may be deducted; the rest is cost.
    pub vat_deductible: Option<Decimal>,
    /// Days to the due date when the invoice prints none.
    pub payment_days: Option<u32>,
}

/// A cost category: invoices whose supplier name or line descriptions contain
/// one of the keywords (case-insensitive) are booked on its account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    pub keywords: Vec<String>,
    pub cost_account: Account,
    /// The share (0 to 1) of input VAT that may be deducted (representation:
    /// only part of it); the rest is cost.
    #[serde(default)]
    pub vat_deductible: Option<Decimal>,
}

impl Default for TenantConfig {
    fn default() -> Self {
        TenantConfig {
            voucher_series: "A".into(),
            company: Company::default(),
            accounts: Accounts::default(),
            account_names: BTreeMap::new(),
            exchange_rates: BTreeMap::new(),
            suppliers: BTreeMap::new(),
            categories: Vec::new(),
            payment_days: 30,
        }
    }
}

impl Default for Company {
    fn default() -> Self {
        Company {
            name: String::new(),
            org_nr: None,
            vat_nr: None,
            fiscal_year_start: "01-01".into(),
            buyer_reference: None,
        }
    }
}

impl Default for Accounts {
    fn default() -> Self {
        let vat = ["25", "12", "6"].into_iter().map(|r| (r.to_string(), 2641)).collect();
        Accounts {
            default_cost: 4010,
            payable: 2440,
            rounding: 3740,
            vat,
            vat_default: 2641,
            reverse_charge: ReverseChargeAccounts::default(),
        }
    }
}

impl TenantConfig {
    /// Reads and checks a TOML file.
    pub fn load(path: &Path) -> Result<TenantConfig, Error> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config { path: name.clone(), detail: e.to_string() })?;
        TenantConfig::from_toml(&text, &name)
    }

    /// Parses and checks TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<TenantConfig, Error> {
        let config: TenantConfig = toml::from_str(text)
            .map_err(|e| Error::ConfigSyntax { path: origin.to_string(), source: Box::new(e) })?;
        config.check().map_err(|detail| Error::Config { path: origin.to_string(), detail })?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        fiscal_start(&self.company.fiscal_year_start)?;
        let accounts = [self.accounts.default_cost, self.accounts.payable, self.accounts.rounding]
            .into_iter()
            .chain([self.accounts.vat_default])
            .chain(self.accounts.vat.values().copied())
            .chain(self.suppliers.values().filter_map(|s| s.cost_account))
            .chain(self.categories.iter().map(|c| c.cost_account))
            .chain(self.accounts.reverse_charge.all());
        for account in accounts {
            if !(1000..=9999).contains(&account) {
                return Err(format!("account {account} is not a four-digit BAS account"));
            }
        }
        let shares = self.suppliers.values().filter_map(|s| s.vat_deductible);
        for share in shares.chain(self.categories.iter().filter_map(|c| c.vat_deductible)) {
            if share < Decimal::ZERO || share > Decimal::ONE {
                return Err(format!("vat_deductible {share} is not a share between 0 and 1"));
            }
        }
        let rate = self.accounts.reverse_charge.rate;
        if rate <= Decimal::ZERO || rate >= Decimal::from(100) {
            return Err(format!("reverse_charge rate {rate} is not a percentage"));
        }
        for rate in self.accounts.vat.keys() {
            rate.parse::<Decimal>().map_err(|_| format!("VAT rate {rate:?} is not a number"))?;
        }
        for org in self.suppliers.keys() {
            if invex_domain::validate::org_nr(org).is_none() {
                return Err(format!("supplier key {org:?} is not a valid organisationsnummer"));
            }
        }
        if let Some(org) = &self.company.org_nr
            && invex_domain::validate::org_nr(org).is_none()
        {
            return Err(format!("company org_nr {org:?} is not a valid organisationsnummer"));
        }
        for (currency, rate) in &self.exchange_rates {
            if *rate <= Decimal::ZERO {
                return Err(format!("exchange rate for {currency} must be positive"));
            }
        }
        Ok(())
    }

    /// The supplier entry for an org nr (any printed form).
    pub fn supplier(&self, org_nr: &str) -> Option<&SupplierConfig> {
        let key = invex_domain::validate::org_nr(org_nr)?;
        self.suppliers
            .iter()
            .find(|(k, _)| invex_domain::validate::org_nr(k).as_deref() == Some(&key))
            .map(|(_, v)| v)
    }

    /// The input-VAT account for a rate in percent.
    pub fn vat_account(&self, rate: Decimal) -> Account {
        self.accounts
            .vat
            .iter()
            .find(|(k, _)| k.parse::<Decimal>().is_ok_and(|r| r == rate))
            .map_or(self.accounts.vat_default, |(_, a)| *a)
    }

    /// SEK per unit of `currency`; 1 for SEK.
    pub fn exchange_rate(&self, currency: &str) -> Option<Decimal> {
        if currency.eq_ignore_ascii_case("SEK") {
            return Some(Decimal::ONE);
        }
        self.exchange_rates.iter().find(|(k, _)| k.eq_ignore_ascii_case(currency)).map(|(_, r)| *r)
    }

    /// The name of an account: the tenant's, else the BAS name, else `Konto N`.
    pub fn account_name(&self, account: Account) -> String {
        self.account_names
            .get(&account)
            .cloned()
            .or_else(|| bas_account_name(account).map(str::to_string))
            .unwrap_or_else(|| format!("Konto {account}"))
    }

    /// The fiscal year (first and last day) that contains `date`.
    pub fn fiscal_year(&self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        let (month, day) = fiscal_start(&self.company.fiscal_year_start).unwrap_or((1, 1));
        let start_in = |year| NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
        let start = if date >= start_in(date.year()) {
            start_in(date.year())
        } else {
            start_in(date.year() - 1)
        };
        let next = start_in(start.year() + 1);
        (start, next.pred_opt().unwrap_or(next))
    }
}

/// Parses `MM-DD`; 29 February is refused (a fiscal year cannot start there).
fn fiscal_start(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("fiscal_year_start {s:?} is not MM-DD");
    let (m, d) = s.split_once('-').ok_or_else(bad)?;
    let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    NaiveDate::from_ymd_opt(2023, m, d).ok_or_else(bad)?;
    Ok((m, d))
}

/// BAS kontoplan names of the accounts the defaults and common mappings use.
pub fn bas_account_name(account: Account) -> Option<&'static str> {
    Some(match account {
        2440 => "Leverantörsskulder",
        2641 => "Debiterad ingående mervärdesskatt",
        2614 => "Utgående moms omvänd skattskyldighet, 25 %",
        2617 => "Utgående moms omvänd skattskyldighet varor och tjänster i Sverige, 25 %",
        2645 => "Beräknad ingående mervärdesskatt på förvärv från utlandet",
        2647 => "Ingående moms omvänd skattskyldighet varor och tjänster i Sverige",
        4425 => "Inköpta tjänster i Sverige, omvänd skattskyldighet, 25 %",
        4515 => "Inköp av varor från annat EU-land, 25 %",
        4531 => "Inköp av tjänster från ett land utanför EU, 25 %",
        4535 => "Inköp av tjänster från annat EU-land, 25 %",
        4598 => "Justering, omvänd moms",
        3740 => "Öres- och kronutjämning",
        4010 => "Inköp material och varor",
        5010 => "Lokalhyra",
        5410 => "Förbrukningsinventarier",
        5460 => "Förbrukningsmaterial",
        5611 => "Drivmedel för personbilar",
        5800 => "Resekostnader",
        6071 => "Representation, avdragsgill",
        6072 => "Representation, ej avdragsgill",
        6110 => "Kontorsmateriel",
        6212 => "Mobiltelefon",
        6230 => "Datakommunikation",
        6540 => "IT-tjänster",
        6550 => "Konsultarvoden",
        _ => return None,
    })
}
