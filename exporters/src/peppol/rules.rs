//! Business rules checked on a PEPPOL BIS 3 UBL document (parsed back with
//! roxmltree): the Swedish national rules SE-R-001..013 as the PEPPOL
//! schematron states them, and the EN 16931 rules an extraction can break:
//! mandatory elements (BR-01..BR-16), totals (BR-CO-10..16), allowance and
//! charge reasons (BR-33/38), VAT per category (BR-S-02/08/09, BR-Z-02/08,
//! BR-E/AE/IC/G-08/09/10) and the electronic addresses PEPPOL
//! requires (PEPPOL-EN16931-R003/R010/R020).

use std::collections::BTreeMap;

use invex_domain::validate::luhn_valid;
use roxmltree::{Document, Node};
use rust_decimal::Decimal;

/// How serious a violation is, as the rule's schematron flags it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Fatal,
    Warning,
}

/// A broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    pub flag: Flag,
    pub message: String,
}

const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/// Children by `cac:Name`/`cbc:Name` path.
fn all<'a, 'i>(node: Node<'a, 'i>, path: &str) -> Vec<Node<'a, 'i>> {
    let mut nodes = vec![node];
    for step in path.split('/') {
        let (ns, name) = match step.split_once(':') {
            Some(("cac", n)) => (CAC, n),
            Some((_, n)) => (CBC, n),
            None => (CBC, step),
        };
        nodes = nodes
            .iter()
            .flat_map(|n| n.children())
            .filter(|c| {
                c.is_element()
                    && c.tag_name().name() == name
                    && c.tag_name().namespace() == Some(ns)
            })
            .collect();
    }
    nodes
}

fn one<'a, 'i>(node: Node<'a, 'i>, path: &str) -> Option<Node<'a, 'i>> {
    all(node, path).into_iter().next()
}

fn text<'a>(node: Node<'a, '_>, path: &str) -> Option<&'a str> {
    one(node, path).and_then(|n| n.text()).map(str::trim)
}

/// A party's country code.
fn country<'a>(party: Option<Node<'a, '_>>) -> Option<&'a str> {
    party.and_then(|p| text(p, "cac:PostalAddress/cac:Country/IdentificationCode"))
}

fn amount(node: Node, path: &str) -> Option<Decimal> {
    text(node, path).and_then(|t| t.parse().ok())
}

/// Checks a document; an unparsable one is a single `XML` violation.
pub fn check_xml(xml: &str) -> Vec<Violation> {
    let doc = match Document::parse(xml) {
        Ok(doc) => doc,
        Err(e) => {
            return vec![Violation { rule: "XML", flag: Flag::Fatal, message: e.to_string() }];
        }
    };
    let mut checks = Checks(Vec::new());
    let root = doc.root_element();
    let credit = root.tag_name().name() == "CreditNote";
    let seller = one(root, "cac:AccountingSupplierParty/cac:Party");
    let buyer = one(root, "cac:AccountingCustomerParty/cac:Party");
    let fatal = Flag::Fatal;

    // Mandatory elements.
    checks.fail(
        "BR-01",
        fatal,
        text(root, "CustomizationID").is_some(),
        "no specification identifier".into(),
    );
    checks.fail(
        "BR-02",
        fatal,
        text(root, "ID").is_some_and(|t| !t.is_empty()),
        "no invoice number".into(),
    );
    checks.fail("BR-03", fatal, text(root, "IssueDate").is_some(), "no issue date".into());
    let type_code = text(root, if credit { "CreditNoteTypeCode" } else { "InvoiceTypeCode" });
    checks.fail("BR-04", fatal, type_code.is_some(), "no invoice type code".into());
    checks.fail(
        "BR-05",
        fatal,
        text(root, "DocumentCurrencyCode").is_some(),
        "no currency code".into(),
    );
    let name = |p: Option<Node<'_, '_>>| {
        p.and_then(|p| text(p, "cac:PartyLegalEntity/RegistrationName").map(str::to_string))
    };
    checks.fail(
        "BR-06",
        fatal,
        name(seller).is_some_and(|n| !n.is_empty()),
        "no seller name".into(),
    );
    checks.fail("BR-07", fatal, name(buyer).is_some_and(|n| !n.is_empty()), "no buyer name".into());
    checks.fail("BR-09", fatal, country(seller).is_some(), "no seller country code".into());
    checks.fail("BR-11", fatal, country(buyer).is_some(), "no buyer country code".into());
    let line_tag = if credit { "cac:CreditNoteLine" } else { "cac:InvoiceLine" };
    let lines = all(root, line_tag);
    checks.fail("BR-16", fatal, !lines.is_empty(), "no invoice line".into());
    let reference =
        text(root, "BuyerReference").is_some() || text(root, "cac:OrderReference/ID").is_some();
    checks.fail(
        "PEPPOL-EN16931-R003",
        fatal,
        reference,
        "neither a buyer reference nor an order reference".into(),
    );
    let endpoint =
        |p: Option<Node>| p.and_then(|p| text(p, "EndpointID")).is_some_and(|e| !e.is_empty());
    checks.fail(
        "PEPPOL-EN16931-R010",
        fatal,
        endpoint(buyer),
        "no buyer electronic address".into(),
    );
    checks.fail(
        "PEPPOL-EN16931-R020",
        fatal,
        endpoint(seller),
        "no seller electronic address".into(),
    );

    // Totals.
    let cur = text(root, "DocumentCurrencyCode").unwrap_or_default();
    let total = one(root, "cac:LegalMonetaryTotal");
    let t = |path: &str| total.and_then(|n| amount(n, path));
    let line_sum: Decimal = lines.iter().filter_map(|l| amount(*l, "LineExtensionAmount")).sum();
    let tax_total = all(root, "cac:TaxTotal")
        .into_iter()
        .find(|n| one(*n, "TaxAmount").and_then(|a| a.attribute("currencyID")) == Some(cur));
    let tax = tax_total.and_then(|n| amount(n, "TaxAmount")).unwrap_or_default();
    let (lines_total, exclusive, inclusive) =
        (t("LineExtensionAmount"), t("TaxExclusiveAmount"), t("TaxInclusiveAmount"));
    let (payable, rounding, prepaid) =
        (t("PayableAmount"), t("PayableRoundingAmount"), t("PrepaidAmount"));
    let z = Decimal::ZERO;
    let allowances = t("AllowanceTotalAmount").unwrap_or(z);
    let charges = t("ChargeTotalAmount").unwrap_or(z);
    checks.fail(
        "BR-CO-10",
        fatal,
        lines_total == Some(line_sum),
        format!("sum of line net amounts {line_sum} ≠ LineExtensionAmount {lines_total:?}"),
    );
    checks.fail(
        "BR-CO-13",
        fatal,
        exclusive == lines_total.map(|l| l - allowances + charges),
        format!("TaxExclusiveAmount {exclusive:?} ≠ lines {lines_total:?} − allowances + charges"),
    );
    let subtotals = tax_total.map(|n| all(n, "cac:TaxSubtotal")).unwrap_or_default();
    let sub_sum: Decimal = subtotals.iter().filter_map(|s| amount(*s, "TaxAmount")).sum();
    checks.fail(
        "BR-CO-14",
        fatal,
        tax == sub_sum,
        format!("VAT total {tax} ≠ sum of subtotals {sub_sum}"),
    );
    checks.fail(
        "BR-CO-15",
        fatal,
        inclusive == exclusive.map(|e| e + tax),
        format!("TaxInclusiveAmount {inclusive:?} ≠ TaxExclusiveAmount {exclusive:?} + VAT {tax}"),
    );
    checks.fail(
        "BR-CO-16",
        fatal,
        payable == inclusive.map(|i| i - prepaid.unwrap_or(z) + rounding.unwrap_or(z)),
        format!(
            "PayableAmount {payable:?} ≠ TaxInclusiveAmount {inclusive:?} − prepaid + rounding"
        ),
    );
    if !credit && payable.is_some_and(|p| p > z) {
        let due = text(root, "DueDate").is_some() || text(root, "cac:PaymentTerms/Note").is_some();
        checks.fail(
            "BR-CO-25",
            fatal,
            due,
            "a positive amount due needs a due date or payment terms".into(),
        );
    }

    // BR-S-02/BR-Z-02: standard or zero rated VAT needs the seller's VAT number.
    let seller_vat = seller.is_some_and(|p| {
        all(p, "cac:PartyTaxScheme").iter().any(|n| text(*n, "cac:TaxScheme/ID") == Some("VAT"))
    });
    let used: Vec<&str> =
        lines.iter().filter_map(|l| text(*l, "cac:Item/cac:ClassifiedTaxCategory/ID")).collect();
    for (id, rule) in [("S", "BR-S-02"), ("Z", "BR-Z-02")] {
        let ok = seller_vat || !used.contains(&id);
        checks.fail(rule, fatal, ok, format!("VAT category {id} without the seller's VAT number"));
    }

    // VAT per category and rate: BR-S-08/09, BR-Z-08.
    let mut line_bases: BTreeMap<(String, Decimal), Decimal> = BTreeMap::new();
    for l in &lines {
        let cat = one(*l, "cac:Item/cac:ClassifiedTaxCategory");
        let key = (
            cat.and_then(|c| text(c, "ID")).unwrap_or_default().to_string(),
            cat.and_then(|c| amount(c, "Percent")).unwrap_or(z),
        );
        *line_bases.entry(key).or_default() += amount(*l, "LineExtensionAmount").unwrap_or(z);
    }
    // Document-level allowances and charges move their category's base
    // (BR-S-08: lines − allowances + charges); BR-CO-11/12: their totals.
    let (mut allowance_sum, mut charge_sum) = (z, z);
    for ac in root.children().filter(|n| n.tag_name().name() == "AllowanceCharge") {
        let charge = text(ac, "ChargeIndicator") == Some("true");
        let value = amount(ac, "Amount").unwrap_or(z);
        let cat = one(ac, "cac:TaxCategory");
        let key = (
            cat.and_then(|c| text(c, "ID")).unwrap_or_default().to_string(),
            cat.and_then(|c| amount(c, "Percent")).unwrap_or(z),
        );
        *line_bases.entry(key).or_default() += if charge { value } else { -value };
        *(if charge { &mut charge_sum } else { &mut allowance_sum }) += value;
        let reason = text(ac, "AllowanceChargeReason").is_some()
            || text(ac, "AllowanceChargeReasonCode").is_some();
        let rule = if charge { "BR-38" } else { "BR-33" };
        checks.fail(rule, fatal, reason, "an allowance or charge without a reason".into());
    }
    checks.fail(
        "BR-CO-11",
        fatal,
        allowance_sum == allowances,
        format!("AllowanceTotalAmount {allowances} ≠ sum of allowances {allowance_sum}"),
    );
    checks.fail(
        "BR-CO-12",
        fatal,
        charge_sum == charges,
        format!("ChargeTotalAmount {charges} ≠ sum of charges {charge_sum}"),
    );
    for s in &subtotals {
        let cat = one(*s, "cac:TaxCategory");
        let id = cat.and_then(|c| text(c, "ID")).unwrap_or_default();
        let rate = cat.and_then(|c| amount(c, "Percent")).unwrap_or(z);
        let (base, vat) =
            (amount(*s, "TaxableAmount").unwrap_or(z), amount(*s, "TaxAmount").unwrap_or(z));
        let lines_base = line_bases.get(&(id.to_string(), rate)).copied().unwrap_or(z);
        let (rule, rule9) = match id {
            "S" => ("BR-S-08", Some("BR-S-09")),
            "Z" => ("BR-Z-08", None),
            "E" => ("BR-E-08", None),
            "AE" => ("BR-AE-08", None),
            "K" => ("BR-IC-08", None),
            "G" => ("BR-G-08", None),
            _ => continue,
        };
        // BR-E-10, BR-AE-10, BR-IC-10, BR-G-10: an exemption reason (text or
        // code); BR-x-09 for these: no VAT.
        if id != "S" && id != "Z" {
            let why = cat.is_some_and(|c| {
                text(c, "TaxExemptionReason").is_some()
                    || text(c, "TaxExemptionReasonCode").is_some()
            });
            let reason_rule = match id {
                "E" => "BR-E-10",
                "AE" => "BR-AE-10",
                "K" => "BR-IC-10",
                _ => "BR-G-10",
            };
            checks.fail(reason_rule, fatal, why, format!("{id}: no exemption reason"));
            let no_vat = match id {
                "E" => "BR-E-09",
                "AE" => "BR-AE-09",
                "K" => "BR-IC-09",
                _ => "BR-G-09",
            };
            checks.fail(no_vat, fatal, vat.is_zero(), format!("{id}: VAT {vat}, must be 0"));
        }
        checks.fail(
            rule,
            fatal,
            base == lines_base,
            format!("{id} {rate} %: taxable {base} ≠ lines {lines_base}"),
        );
        if let Some(rule9) = rule9 {
            let expected = (base * rate / Decimal::ONE_HUNDRED).round_dp(2);
            let ok = (vat - expected).abs() < Decimal::ONE;
            checks.fail(rule9, fatal, ok, format!("{id} {rate} %: VAT {vat}, expected {expected}"));
        }
    }

    // Swedish national rules, for Swedish sellers.
    if let Some(seller) = seller.filter(|s| country(Some(*s)) == Some("SE")) {
        swedish(&mut checks, root, seller, buyer, &lines);
    }
    checks.0
}

/// SE-R-001..013.
fn swedish(checks: &mut Checks, root: Node, seller: Node, buyer: Option<Node>, lines: &[Node]) {
    let (fatal, warning, z) = (Flag::Fatal, Flag::Warning, Decimal::ZERO);
    let schemes = all(seller, "cac:PartyTaxScheme");
    let scheme_id = |n: &Node| text(*n, "cac:TaxScheme/ID").unwrap_or_default().to_uppercase();
    let vat = schemes.iter().find(|n| scheme_id(n) == "VAT").and_then(|n| text(*n, "CompanyID"));
    let se_vat = vat.filter(|v| v.starts_with("SE"));
    if let Some(vat) = se_vat {
        checks.fail(
            "SE-R-001",
            fatal,
            vat.chars().count() == 14,
            format!("VAT number {vat} is not 14 characters"),
        );
        let tail = vat.get(2..).unwrap_or_default();
        let numeric = tail.len() == 12 && tail.chars().all(|c| c.is_ascii_digit());
        checks.fail(
            "SE-R-002",
            fatal,
            numeric,
            format!("VAT number {vat} does not end in 12 digits"),
        );
    }
    let org = text(seller, "cac:PartyLegalEntity/CompanyID");
    if let Some(org) = org {
        let numeric = !org.is_empty() && org.chars().all(|c| c.is_ascii_digit());
        checks.fail("SE-R-003", warning, numeric, format!("org nr {org} is not numeric"));
        checks.fail(
            "SE-R-004",
            warning,
            org.chars().count() == 10,
            format!("org nr {org} is not 10 characters"),
        );
        checks.fail(
            "SE-R-013",
            warning,
            numeric && luhn_valid(org),
            format!("org nr {org} fails the Luhn check"),
        );
        for n in schemes.iter().filter(|n| scheme_id(n) != "VAT") {
            let id = text(*n, "CompanyID").unwrap_or_default();
            let ok = id.to_uppercase() == "GODKÄND FÖR F-SKATT";
            checks.fail(
                "SE-R-005",
                fatal,
                ok,
                format!("tax registration {id:?} is not 'Godkänd för F-skatt'"),
            );
        }
    }
    if se_vat.is_some() {
        let categories = all(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory")
            .into_iter()
            .chain(lines.iter().filter_map(|l| one(*l, "cac:Item/cac:ClassifiedTaxCategory")));
        for c in categories.filter(|c| text(*c, "ID") == Some("S")) {
            let rate = amount(c, "Percent").unwrap_or(z);
            let ok = [25, 12, 6].into_iter().any(|r| rate == Decimal::from(r));
            checks.fail(
                "SE-R-006",
                fatal,
                ok,
                format!("standard rate {rate} % is not 25, 12 or 6"),
            );
        }
    }
    let buyer_se = country(buyer) == Some("SE");
    for pm in all(root, "cac:PaymentMeans") {
        let code = text(pm, "PaymentMeansCode").unwrap_or_default();
        let branch = text(pm, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/ID");
        let account = text(pm, "cac:PayeeFinancialAccount/ID").unwrap_or_default();
        let numeric = !account.is_empty() && account.chars().all(|c| c.is_ascii_digit());
        let len = account.chars().count();
        match (code, branch) {
            ("30", Some("SE:PLUSGIRO")) => {
                checks.fail(
                    "SE-R-007",
                    warning,
                    numeric,
                    format!("Plusgiro {account} is not numeric"),
                );
                checks.fail(
                    "SE-R-010",
                    warning,
                    (2..=8).contains(&len),
                    format!("Plusgiro {account} is not 2-8 characters"),
                );
            }
            ("30", Some("SE:BANKGIRO")) => {
                checks.fail(
                    "SE-R-008",
                    warning,
                    numeric,
                    format!("Bankgiro {account} is not numeric"),
                );
                checks.fail(
                    "SE-R-009",
                    warning,
                    (7..=8).contains(&len),
                    format!("Bankgiro {account} is not 7-8 characters"),
                );
            }
            ("50" | "56", _) => checks.fail(
                "SE-R-011",
                warning,
                false,
                format!("payment means {code}: use 30 with SE:BANKGIRO or SE:PLUSGIRO"),
            ),
            ("31", _) if buyer_se => checks.fail(
                "SE-R-012",
                warning,
                false,
                "domestic credit transfer should be payment means 30, not 31".into(),
            ),
            _ => {}
        }
    }
}

/// The violations found so far.
struct Checks(Vec<Violation>);

impl Checks {
    fn fail(&mut self, rule: &'static str, flag: Flag, ok: bool, message: String) {
        if !ok {
            self.0.push(Violation { rule, flag, message });
        }
    }
}
