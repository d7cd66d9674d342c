//! Whole-generator checks: clean layouts, words that match the drawn strings,
//! labels that match the ground truth, valid identifiers, consistent amounts
//! and deterministic output files.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use invex_domain::{FieldName, validate};
use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::format::{DateStyle, Fmt, Minus, NumStyle, PctStyle};
use crate::generate::{GenerateOptions, family_names, generate, render_invoice};
use crate::layout::{self, Ctx};
use crate::record;
use crate::truth::{Label, WordLabel};

const PER_FAMILY: usize = 40;

fn rendered() -> Vec<(&'static str, Ctx)> {
    let mut out = Vec::new();
    for f in layout::families() {
        for i in 0..PER_FAMILY {
            match render_invoice(99, i, f) {
                Ok(c) => out.push((f.name, c)),
                Err(e) => panic!("{} #{i}: {e}", f.name),
            }
        }
    }
    out
}

/// Parses a printed amount in any of our styles.
fn parse_amount(s: &str) -> Option<Decimal> {
    let t: String = s.chars().filter(|c| !matches!(c, ' ' | '$' | '€')).collect();
    let neg = t.starts_with('-') || t.starts_with('\u{2212}');
    let t = t.trim_start_matches(['-', '\u{2212}']);
    let b: Vec<char> = t.chars().collect();
    let n = b.len();
    let dec = n >= 3 && matches!(b[n - 3], ',' | '.');
    let mut digits: String = b.iter().filter(|c| c.is_ascii_digit()).collect();
    if dec {
        digits.insert(digits.len() - 2, '.');
    }
    let d: Decimal = digits.parse().ok()?;
    Some(if neg { -d } else { d })
}

fn alnum(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase()
}

fn date_forms(d: NaiveDate) -> Vec<String> {
    let styles = [
        DateStyle::Iso,
        DateStyle::Dots,
        DateStyle::SvShort,
        DateStyle::SvLong,
        DateStyle::EnLong,
        DateStyle::EnShort,
    ];
    styles
        .iter()
        .map(|&date| {
            Fmt { num: NumStyle::Sv, minus: Minus::Hyphen, date, pct: PctStyle::Spaced }.date(d)
        })
        .collect()
}

/// Entities (label, text) in drawing order; panics on an I- without a B-/I- before it.
fn entities(c: &Ctx, name: &str) -> Vec<(Label, String)> {
    let mut out: Vec<(Label, String)> = Vec::new();
    let mut prev: Option<Label> = None;
    for w in &c.doc.words {
        match w.label {
            WordLabel::O => prev = None,
            WordLabel::B(l) => {
                out.push((l, w.text.clone()));
                prev = Some(l);
            }
            WordLabel::I(l) => {
                assert_eq!(
                    prev,
                    Some(l),
                    "{name}: I-{} without B- before {:?}",
                    l.as_str(),
                    w.text
                );
                if let Some(last) = out.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(&w.text);
                }
            }
        }
    }
    out
}

fn check_entity(name: &str, l: Label, text: &str, f: &record::Fields) {
    let Some(field) = l.field() else { return };
    let gold = f.get(field);
    let g = gold.as_str().map(str::to_string).unwrap_or_else(|| gold.to_string());
    // Values inside sentences keep the sentence's full stop.
    let text = if g.ends_with('.') { text } else { text.trim_end_matches(['.', ',']) };
    let ok = match field {
        FieldName::NetAmount | FieldName::VatAmount | FieldName::TotalAmount => {
            let want: Option<Decimal> = gold.as_f64().and_then(|v| Decimal::try_from(v).ok());
            parse_amount(text).map(|d| d.round_dp(2)) == want.map(|d| d.round_dp(2))
        }
        FieldName::InvoiceDate | FieldName::DueDate => NaiveDate::parse_from_str(&g, "%Y-%m-%d")
            .map(|d| date_forms(d).contains(&text.to_string()))
            .unwrap_or(false),
        FieldName::Bankgiro
        | FieldName::Plusgiro
        | FieldName::SupplierOrgNr
        | FieldName::BuyerOrgNr => {
            text.chars().filter(char::is_ascii_digit).collect::<String>() == g.replace('-', "")
        }
        FieldName::Iban | FieldName::SupplierVat | FieldName::PaymentReference => {
            alnum(text) == alnum(&g)
        }
        FieldName::SupplierAddress => text.replace(',', "") == g.replace(',', ""),
        _ => text == g,
    };
    assert!(ok, "{name}: {} printed {text:?} but truth says {g:?}", l.as_str());
}

#[test]
fn every_family_renders_and_labels_match_truth() {
    let all = rendered();
    let mut pages: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (fam, c)) in all.iter().enumerate() {
        let name = format!("{fam}#{}", i % PER_FAMILY);
        *pages.entry(fam).or_default() += c.doc.page_count();
        // Words are exactly the whitespace-split drawn strings, page by page.
        for p in 0..c.doc.page_count() {
            let drawn: Vec<&str> = c
                .doc
                .strings(p)
                .iter()
                .flat_map(|s| s.split(' '))
                .filter(|w| !w.is_empty())
                .collect();
            let words: Vec<&str> = c
                .doc
                .words
                .iter()
                .filter(|w| w.page as usize == p + 1)
                .map(|w| w.text.as_str())
                .collect();
            assert_eq!(drawn, words, "{name} page {}", p + 1);
        }
        let f = record::fields(c);
        for (l, text) in entities(c, &name) {
            check_entity(&name, l, &text, &f);
        }
        // Line items: printed amounts are the truth's, in order.
        let items = record::line_items(c);
        let printed: Vec<Decimal> = entities(c, &name)
            .iter()
            .filter(|e| e.0 == Label::LineAmount)
            .filter_map(|e| parse_amount(&e.1))
            .collect();
        let truth: Vec<Decimal> = items
            .iter()
            .filter_map(|l| l.amount.as_f64())
            .filter_map(|v| Decimal::try_from(v).ok())
            .collect();
        assert_eq!(printed, truth, "{name}: line amounts");
        let descs: Vec<String> = entities(c, &name)
            .into_iter()
            .filter(|e| e.0 == Label::LineDescription)
            .map(|e| e.1)
            .collect();
        let want: Vec<String> =
            items.iter().filter_map(|l| l.description.as_str().map(str::to_string)).collect();
        assert_eq!(descs, want, "{name}: descriptions");
        // The scored fields are mostly present.
        assert!(
            !f.invoice_number.is_null() && !f.total_amount.is_null(),
            "{name}: no number/total"
        );
        assert!(!f.supplier_name.is_null(), "{name}: no supplier name");
    }
    let multi = pages.get("multipage_items").copied().unwrap_or(0);
    assert!(multi >= 2 * PER_FAMILY, "multipage_items has only {multi} pages");
}

#[test]
fn identifiers_are_valid_and_amounts_add_up() {
    for (fam, c) in rendered() {
        let f = record::fields(&c);
        let text = |j: &Json| j.as_str().map(str::to_string);
        if let Some(bg) = text(&f.bankgiro) {
            assert_eq!(validate::bankgiro(&bg), Some(bg.clone()), "{fam}");
        }
        if let Some(pg) = text(&f.plusgiro) {
            assert_eq!(validate::plusgiro(&pg), Some(pg.clone()), "{fam}");
        }
        for o in [text(&f.supplier_org_nr), text(&f.buyer_org_nr)].into_iter().flatten() {
            assert_eq!(validate::org_nr(&o), Some(o.clone()), "{fam}");
        }
        if let Some(v) = text(&f.supplier_vat) {
            assert_eq!(validate::vat_number(&v), Some(v.clone()), "{fam}");
        }
        if let Some(i) = text(&f.iban) {
            assert_eq!(validate::iban(&i), Some(i.clone()), "{fam}");
        }
        if let Some(b) = text(&f.bic) {
            assert_eq!(validate::bic(&b), Some(b.clone()), "{fam}");
        }
        if let Some(o) = c.inv.ocr.clone() {
            assert_eq!(validate::ocr_reference(&o), Some(o.clone()), "{fam}");
        }
        let inv = &c.inv;
        for l in &inv.lines {
            if let (Some(q), Some(p)) = (l.qty, l.price) {
                assert_eq!(l.amount, crate::format::round(q * p, 2), "{fam}");
            }
        }
        let net: Decimal = inv.lines.iter().map(|l| l.amount).sum();
        assert_eq!(net, inv.net);
        let vat: Decimal = inv.vat.iter().map(|v| v.amount).sum();
        assert_eq!(vat, inv.vat_total);
        for v in &inv.vat {
            assert_eq!(v.amount, crate::format::round(v.base * v.rate / Decimal::from(100), 2));
        }
        assert_eq!(inv.total, inv.net + inv.vat_total + inv.rounding);
        assert!(inv.rounding.abs() <= Decimal::new(50, 2));
        assert_eq!(inv.credit, inv.total.is_sign_negative(), "{fam}");
        assert!(inv.due >= inv.date);
    }
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("invex-ds-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn generate_is_deterministic_and_writes_all_files() {
    let names = family_names();
    assert!(names.len() >= 12, "{names:?}");
    let (a, b) = (temp_dir("a"), temp_dir("b"));
    let n = 2 * names.len() + 3;
    let opts = |d: &std::path::PathBuf| GenerateOptions {
        count: n,
        seed: 7,
        out_dir: d.clone(),
        families: None,
        per_supplier: None,
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    let progress = |_: usize| {
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let sa = generate(&opts(&a), &progress).unwrap_or_default();
    let sb = generate(&opts(&b), &|_| {}).unwrap_or_default();
    assert_eq!(sa.written, n);
    assert_eq!(done.into_inner(), n);
    assert_eq!(sa, sb);
    assert_eq!(sa.families.len(), names.len());
    let mut files: Vec<String> = std::fs::read_dir(&a)
        .map(|r| {
            r.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().to_string()).collect()
        })
        .unwrap_or_default();
    files.sort();
    assert_eq!(files.len(), 2 * n + 2);
    for f in &files {
        let x = std::fs::read(a.join(f)).unwrap_or_default();
        let y = std::fs::read(b.join(f)).unwrap_or_default();
        assert!(!x.is_empty() && x == y, "{f} differs");
        if f.ends_with(".pdf") {
            assert!(x.starts_with(b"%PDF-1.7"), "{f}");
            assert!(x.ends_with(b"%%EOF") || x.ends_with(b"%%EOF\n"), "{f}");
        }
    }
    let gt = std::fs::read_to_string(a.join("groundtruth.jsonl")).unwrap_or_default();
    let lines: Vec<Json> = gt.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(lines.len(), n);
    assert_eq!(lines[3]["file"], "inv-00003.pdf");
    for k in crate::eval::FIELDS.iter().copied().chain(["family", "language"]) {
        assert!(lines[0].get(k).is_some(), "missing {k}");
    }
    let truth: Json =
        serde_json::from_slice(&std::fs::read(a.join("inv-00000.truth.json")).unwrap_or_default())
            .unwrap_or_default();
    assert!(truth["words"].as_array().is_some_and(|w| w.len() > 40));
    let only = GenerateOptions {
        count: 3,
        seed: 1,
        out_dir: temp_dir("c"),
        families: Some(vec!["credit_note".into()]),
        per_supplier: None,
    };
    let s = generate(&only, &|_| {}).unwrap_or_default();
    assert_eq!(s.families.get("credit_note"), Some(&3));
    let bad = GenerateOptions { families: Some(vec!["nope".into()]), ..only.clone() };
    assert!(generate(&bad, &|_| {}).is_err());
    for d in [a, b, only.out_dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}
