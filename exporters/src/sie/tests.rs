use rust_decimal::Decimal;

use super::parse::{parse, parse_bytes};
use super::{SieExporter, quote};
use crate::FileExporter;
use crate::fixtures::{bookings, config, date, dec};

fn exporter(config: &crate::TenantConfig) -> SieExporter<'_> {
    SieExporter { config, generated: date(2026, 3, 22), program: ("invex", "0.1.0") }
}

#[test]
fn snapshot_of_the_nine_cases() {
    let config = config();
    insta::assert_snapshot!(exporter(&config).render(&bookings()));
}

/// An independent reader agrees: the published `sie-parser` crate (MIT,
/// not ours) reads the nine cases' file without an error, with the
/// company's name and org nr, every `#KONTO`, and every voucher and row as
/// written, each voucher balanced.
#[test]
fn an_independent_reader_reads_every_voucher() {
    use sie_parser::{Severity, parse as read};
    let config = config();
    let bookings = bookings();
    let mut bytes = Vec::new();
    exporter(&config).write(&bookings, &mut bytes).expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.se");
    std::fs::write(&path, &bytes).expect("write");
    let text = sie_parser::read_file(&path).expect("sie-parser reads the file");
    let theirs = read(&text);
    let errors: Vec<_> =
        theirs.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let field = |item: &sie_parser::Item, i: usize| {
        item.fields.get(i).and_then(|f| f.value.as_str()).map(str::to_string)
    };
    let ours = parse_bytes(&bytes).expect("our reader");
    let label = |l: &'static str| theirs.items.iter().filter(move |i| i.label == l);
    assert_eq!(label("#FNAMN").next().and_then(|i| field(i, 0)), ours.fnamn);
    assert_eq!(label("#ORGNR").next().and_then(|i| field(i, 0)), ours.orgnr);
    let kontos: Vec<(u32, String)> = label("#KONTO")
        .map(|i| {
            (field(i, 0).and_then(|a| a.parse().ok()).unwrap_or(0), field(i, 1).unwrap_or_default())
        })
        .collect();
    assert_eq!(kontos, ours.konto.clone().into_iter().collect::<Vec<_>>());
    let vouchers: Vec<_> = label("#VER").collect();
    assert_eq!(vouchers.len(), bookings.len());
    for ((ver, voucher), booking) in vouchers.iter().zip(&ours.vouchers).zip(&bookings) {
        assert_eq!(field(ver, 3).as_deref(), Some(voucher.text.as_str()), "{}", booking.label());
        let rows: Vec<(u32, Decimal, String)> = ver
            .children
            .iter()
            .filter(|t| t.label == "#TRANS")
            .map(|t| {
                let account = field(t, 0).and_then(|a| a.parse().ok()).unwrap_or(0);
                let amount = field(t, 2).and_then(|a| a.parse().ok()).unwrap_or_default();
                (account, amount, field(t, 4).unwrap_or_default())
            })
            .collect();
        let expected: Vec<(u32, Decimal, String)> = booking
            .rows
            .iter()
            .zip(&voucher.transactions)
            .map(|(r, t)| (r.account, r.amount, t.text.clone()))
            .collect();
        assert_eq!(rows, expected, "{}", booking.label());
        let sum: Decimal = rows.iter().map(|r| r.1).sum();
        assert_eq!(sum, Decimal::ZERO, "{} balances", booking.label());
    }
}

/// A tenant config without the company's name is refused: `#FNAMN` is
/// mandatory.
#[test]
fn a_file_without_the_company_name_is_refused() {
    let mut config = config();
    config.company.name = "  ".into();
    let err = exporter(&config).write(&bookings(), &mut Vec::new()).expect_err("no name");
    assert!(err.to_string().contains("[company] name"), "{err}");
}

/// Writes the cases as CP437 bytes, reads them back and compares every
/// voucher and row with the bookings.
#[test]
fn output_reads_back_balanced_and_complete() {
    let config = config();
    let bookings = bookings();
    let mut bytes = Vec::new();
    exporter(&config).write(&bookings, &mut bytes).expect("write");
    assert!(std::str::from_utf8(&bytes).is_err(), "CP437, not UTF-8");
    for (c, cp437) in
        [('å', 0x86u8), ('ä', 0x84), ('ö', 0x94), ('Å', 0x8F), ('Ö', 0x99), ('é', 0x82)]
    {
        assert!(bytes.contains(&cp437), "{c} is written as CP437 {cp437:#x}");
    }
    assert!(bytes.windows(2).all(|w| w[1] != b'\n' || w[0] == b'\r'), "CRLF line ends");

    let file = parse_bytes(&bytes).expect("parses");
    assert_eq!(file.flagga.as_deref(), Some("0"));
    assert_eq!(file.format.as_deref(), Some("PC8"));
    assert_eq!(file.sietyp.as_deref(), Some("4"));
    assert_eq!(file.program, ["invex", "0.1.0"]);
    assert_eq!(file.generated, Some(date(2026, 3, 22)));
    assert_eq!(file.fnamn.as_deref(), Some("Köpare & Söner AB"));
    assert_eq!(file.orgnr.as_deref(), Some("556677-8899"));
    assert_eq!(file.rar.get(&0), Some(&(date(2026, 1, 1), date(2026, 12, 31))));
    assert_eq!(file.vouchers.len(), bookings.len());
    for (v, b) in file.vouchers.iter().zip(&bookings) {
        assert_eq!(v.balance(), Decimal::ZERO, "{} balances", v.text);
        assert_eq!((v.series.as_str(), v.number.as_str()), ("A", ""));
        assert_eq!(v.date, b.invoice_date);
        assert!(v.text.starts_with(&b.text()), "{} / {}", v.text, b.text());
        let got: Vec<(u32, Decimal)> =
            v.transactions.iter().map(|t| (t.account, t.amount)).collect();
        let want: Vec<(u32, Decimal)> = b.rows.iter().map(|r| (r.account, r.amount)).collect();
        assert_eq!(got, want, "{}", b.label());
        for t in &v.transactions {
            assert!(file.konto.contains_key(&t.account), "#KONTO {}", t.account);
        }
    }
    assert_eq!(file.konto.get(&2440).map(String::as_str), Some("Leverantörsskulder"));
    assert_eq!(
        file.vouchers[3].text,
        "Nordic Tools Oy Faktura INV-2026-0042 (EUR 100.01 à 11.4825)"
    );
}

#[test]
fn texts_survive_quoting_and_cp437() {
    let check = |input: &str, expected_quoted: &str, expected_back: &str| {
        let quoted = quote(input);
        assert_eq!(quoted, expected_quoted, "quote({input:?})");
        let line = format!("#FNAMN {quoted}\r\n");
        let file = parse_bytes(&super::cp437::encode(&line)).expect("parses");
        assert_eq!(file.fnamn.as_deref(), Some(expected_back), "{input:?}");
    };
    let cases = [
        ("Åhléns AB", "\"Åhléns AB\"", "Åhléns AB"),
        ("", "\"\"", ""),
        ("Bygg \"Nya\" AB", "\"Bygg \\\"Nya\\\" AB\"", "Bygg \"Nya\" AB"),
        // The 4B description defines no escape for `\`: it is written `/`.
        ("C:\\temp", "\"C:/temp\"", "C:/temp"),
        ("tab\there", "\"tab here\"", "tab here"),
        ("ÄÖÜ äöü éÉ", "\"ÄÖÜ äöü éÉ\"", "ÄÖÜ äöü éÉ"),
        ("A – B ’x’", "\"A – B ’x’\"", "A - B 'x'"),
        ("Price in €", "\"Price in €\"", "Price in EUR"),
        ("Ωmega 日本", "\"Ωmega 日本\"", "Ωmega ??"),
    ];
    for (input, quoted, back) in cases {
        check(input, quoted, back);
    }
}

#[test]
fn parser_reads_items_and_refuses_broken_files() {
    let good = "#FLAGGA 0\n#KONTO 1930 \"Företagskonto\"\n#VER B 12 20260101 \"Test\"\n{\n#TRANS 1930 {1 \"Stockholm\"} -10.5\n#TRANS 6570 {} 10.50 20260102 \"Avgift\"\n}\n#UNKNOWN x\n";
    let file = parse(good).expect("parses");
    let v = &file.vouchers[0];
    assert_eq!((v.series.as_str(), v.number.as_str(), v.reg_date), ("B", "12", None));
    assert_eq!(v.transactions[0].objects, "1 \"Stockholm\"");
    assert_eq!(v.transactions[1].amount, dec("10.50"));
    assert_eq!(v.balance(), Decimal::ZERO);
    assert_eq!(file.other, [vec!["#UNKNOWN".to_string(), "x".into()]]);

    let check = |input: &str, expected: &str| {
        let got = parse(input).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(got, Err(expected.to_string()), "{input:?}");
    };
    let cases = [
        ("#VER A 1 20260101\n#TRANS 1930 {} 1", "SIE line 2: #TRANS outside a #VER block"),
        ("#VER A 1 20260101\n{\n#TRANS 1930 {} 1\n", "SIE line 3: a #VER is not closed"),
        ("#VER A 1 2026-01-01", "SIE line 1: \"2026-01-01\" is not a YYYYMMDD date"),
        ("#VER A 1 20260101\n{\n#TRANS 1930 {} 1,5\n}", "SIE line 3: \"1,5\" is not an amount"),
        ("#FNAMN \"open", "SIE line 1: a quoted field is not closed"),
        ("}", "SIE line 1: `}` without an open #VER"),
        ("{", "SIE line 1: `{` without a #VER before it"),
        ("#VER A 1 20260101\n{\n#KONTO 1930 x\n}", "SIE line 3: #KONTO inside a #VER block"),
        ("#TRANS", "SIE line 1: #TRANS outside a #VER block"),
        ("FLAGGA 0", "SIE line 1: \"FLAGGA\" is not a SIE item"),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}
