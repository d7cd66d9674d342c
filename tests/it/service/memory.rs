//! Supplier memory through the API (issue 14): a reviewer corrects one
//! invoice of a supplier whose invoice-number caption the rules do not
//! know; the supplier's next invoices are read right, with source `memory`,
//! for that tenant only; the memory is listed, edited and erased.

use axum::http::{Method, StatusCode};
use invex_datasets::pdf::{Doc, FontId, TextStyle, write_pdf};
use invex_datasets::truth::Tag;
use serde_json::{Value, json};

use super::harness::{Backend, Harness};

/// A supplier's layout: `(x, y, bold, text)`, where the text `{number}`,
/// `{date}`, `{net}`, `{vat}` and `{total}` stand for one invoice's values.
type Layout = &'static [(f32, f32, bool, &'static str)];

/// "Norrlands Kontorsvaror AB" prints its invoice number after the caption
/// "Vårt ID" (no invoice-number caption).
const KONTORSVAROR: Layout = &[
    (50.0, 60.0, true, "Norrlands Kontorsvaror AB"),
    (50.0, 80.0, false, "Storgatan 12, 903 26 Umeå"),
    (380.0, 60.0, true, "FAKTURA"),
    (380.0, 100.0, false, "Vårt ID"),
    (470.0, 100.0, false, "{number}"),
    (380.0, 116.0, false, "Fakturadatum"),
    (470.0, 116.0, false, "{date}"),
    (380.0, 132.0, false, "Betalningsvillkor"),
    (470.0, 132.0, false, "30 dagar"),
    (50.0, 140.0, false, "Umeå kommun"),
    (50.0, 156.0, false, "Box 100, 901 84 Umeå"),
    (50.0, 240.0, false, "Kontorsmaterial enligt avtal"),
    (470.0, 240.0, false, "{net}"),
    (380.0, 400.0, false, "Netto"),
    (470.0, 400.0, false, "{net}"),
    (380.0, 416.0, false, "Moms 25 %"),
    (470.0, 416.0, false, "{vat}"),
    (380.0, 432.0, false, "Att betala SEK"),
    (470.0, 432.0, false, "{total}"),
    (50.0, 760.0, false, "Bankgiro 5050-1055"),
    (200.0, 760.0, false, "Org.nr 556677-8899"),
    (340.0, 760.0, false, "Momsreg.nr SE556677889901"),
];

/// "Kustens Måleri" prints its number and date in a grid under captions
/// of its own ("Löpnummer", "Utställd") and its name without a legal form.
const MALERI: Layout = &[
    (50.0, 50.0, true, "KUSTENS MÅLERI"),
    (50.0, 70.0, false, "Hamngatan 3, 652 24 Karlstad"),
    (50.0, 130.0, false, "Kund"),
    (50.0, 146.0, false, "Karlstads kommun"),
    (300.0, 130.0, false, "Löpnummer"),
    (400.0, 130.0, false, "Utställd"),
    (300.0, 146.0, false, "{number}"),
    (400.0, 146.0, false, "{date}"),
    (50.0, 240.0, false, "Målning av fasad"),
    (470.0, 240.0, false, "{net}"),
    (380.0, 400.0, false, "Summa exkl. moms"),
    (480.0, 400.0, false, "{net}"),
    (380.0, 416.0, false, "Moms"),
    (480.0, 416.0, false, "{vat}"),
    (380.0, 432.0, false, "Totalt"),
    (480.0, 432.0, false, "{total}"),
    (50.0, 760.0, false, "Plusgiro 41 06 55-5"),
    (200.0, 760.0, false, "Momsreg.nr SE556036079301"),
];

fn drawn_pdf(layout: Layout, values: &Invoice) -> Vec<u8> {
    let mut doc = Doc::new();
    let body = TextStyle::new(FontId::Sans, 10.0);
    let bold = TextStyle::new(FontId::SansBold, 14.0);
    for &(x, y, strong, text) in layout {
        let text = text
            .replace("{number}", values.number)
            .replace("{date}", values.date)
            .replace("{net}", values.net)
            .replace("{vat}", values.vat)
            .replace("{total}", values.total);
        doc.text(x, y, if strong { &bold } else { &body }, &text, Tag::O);
    }
    write_pdf(&doc, "Faktura").expect("a PDF")
}

/// One invoice's values as printed, and its file name.
struct Invoice {
    file: &'static str,
    number: &'static str,
    date: &'static str,
    net: &'static str,
    vat: &'static str,
    total: &'static str,
}

const fn inv(
    file: &'static str,
    number: &'static str,
    date: &'static str,
    net: &'static str,
    vat: &'static str,
    total: &'static str,
) -> Invoice {
    Invoice { file, number, date, net, vat, total }
}

/// Kontorsvaror's invoices, in the order they arrive.
const INVOICES: [Invoice; 4] = [
    inv("kv-1.pdf", "KV-24017", "2026-03-02", "1 000,00", "250,00", "1 250,00"),
    inv("kv-2.pdf", "KV-24102", "2026-04-01", "2 400,00", "600,00", "3 000,00"),
    inv("kv-3.pdf", "KV-24188", "2026-05-04", "80,00", "20,00", "100,00"),
    inv("kv-4.pdf", "KV-24250", "2026-06-01", "4 000,00", "1 000,00", "5 000,00"),
];

fn pdf(n: usize) -> Vec<u8> {
    drawn_pdf(KONTORSVAROR, &INVOICES[n])
}

async fn upload_processed(h: &Harness, key: &str, n: usize) -> (String, Value) {
    upload_bytes(h, key, INVOICES[n].file, pdf(n)).await
}

async fn upload_bytes(h: &Harness, key: &str, name: &str, bytes: Vec<u8>) -> (String, Value) {
    let (status, body) = h.upload(key, name, bytes).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["id"].as_str().expect("id").to_string();
    let invoice = h.processed(key, &id).await;
    (id, invoice)
}

fn number(invoice: &Value) -> (&Value, &Value) {
    let f = &invoice["fields"]["invoice_number"];
    (&f["value"], &f["source"])
}

async fn a_correction_teaches_the_tenants_memory_of_that_supplier(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Umeå").await;
    let (_, other) = h.tenant("Luleå").await;

    // The premise: the rules do not read this supplier's invoice number.
    let (first, invoice) = upload_processed(&h, &admin, 0).await;
    assert_ne!(number(&invoice).0, &json!("KV-24017"), "{invoice}");
    assert_eq!(invoice["fields"]["supplier_vat"]["value"], "SE556677889901", "{invoice}");

    let uri = format!("/v1/invoices/{first}");
    let (status, body) = h
        .json(Method::PATCH, &uri, &admin, json!({"fields": {"invoice_number": "KV-24017"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = h.json(Method::POST, &format!("{uri}/approve"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The correction is counted per field, for the tenant and the metrics.
    let (status, counts) = h.get("/v1/corrections", &admin).await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    assert_eq!(counts, json!({"fields": {"invoice_number": 1}, "total": 1}));
    let (_, theirs) = h.get("/v1/corrections", &other).await;
    assert_eq!(theirs, json!({"fields": {}, "total": 0}));
    let (_, _, metrics) = h.call(Method::GET, "/metrics", None, Default::default(), None).await;
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(metrics.contains("invex_corrections{field=\"invoice_number\"} 1"), "{metrics}");

    // The supplier is known by its identifiers, with what it learned.
    let (status, listed) = h.get("/v1/suppliers", &admin).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let suppliers = listed["suppliers"].as_array().expect("suppliers");
    assert_eq!(suppliers.len(), 1, "{listed}");
    let supplier = &suppliers[0];
    let keys = supplier["keys"].to_string();
    for key in ["vat:SE556677889901", "org_nr:556677-8899", "bankgiro:50501055"] {
        assert!(keys.contains(key), "{key} in {keys}");
    }
    assert!(supplier["fields"].to_string().contains("invoice_number"), "{supplier}");
    let supplier_id = supplier["id"].as_str().expect("id").to_string();
    let memory_uri = format!("/v1/suppliers/{supplier_id}/memory");
    let (status, memory) = h.get(&memory_uri, &admin).await;
    assert_eq!(status, StatusCode::OK, "{memory}");
    let learned = memory["memory"]
        .as_array()
        .and_then(|m| m.iter().find(|f| f["field"] == "invoice_number"))
        .unwrap_or_else(|| panic!("invoice_number remembered: {memory}"));
    assert_eq!(learned["placements"][0]["label"], json!(["vårt", "id"]), "{learned}");
    assert_eq!(learned["placements"][0]["direction"], "right", "{learned}");

    // The supplier's next invoices are read with the memory.
    for n in [1, 2] {
        let (_, invoice) = upload_processed(&h, &admin, n).await;
        assert_eq!(number(&invoice), (&json!(INVOICES[n].number), &json!("memory")), "{invoice}");
        let confidence = invoice["fields"]["invoice_number"]["confidence"].as_f64();
        assert!(confidence.is_some_and(|c| c >= 0.9), "{invoice}");
    }

    // Another tenant's uploads do not see it.
    let (_, theirs) = upload_processed(&h, &other, 1).await;
    assert_ne!(number(&theirs).1, &json!("memory"), "{theirs}");
    let (_, their_list) = h.get("/v1/suppliers", &other).await;
    assert_eq!(their_list["suppliers"], json!([]), "{their_list}");
    let (status, _) = h.get(&memory_uri, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Editing: an unknown field is refused; forgetting the field stops it.
    for (query, expected) in [
        ("?field=no_such_field", StatusCode::BAD_REQUEST),
        ("?field=due_date", StatusCode::NOT_FOUND),
        ("?field=invoice_number", StatusCode::NO_CONTENT),
        ("?field=invoice_number", StatusCode::NOT_FOUND),
    ] {
        let (status, body) = h.delete(&format!("{memory_uri}{query}"), &admin).await;
        assert_eq!(status, expected, "{query}: {body}");
    }
    let (fourth, invoice) = upload_processed(&h, &admin, 3).await;
    assert_ne!(number(&invoice).1, &json!("memory"), "{invoice}");

    // Erasing an invoice the memory learned from erases the memory.
    let (status, _) = h
        .json(
            Method::PATCH,
            &format!("/v1/invoices/{fourth}"),
            &admin,
            json!({"fields": {"invoice_number": "KV-24250"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = h.get("/v1/suppliers", &admin).await;
    assert_eq!(listed["suppliers"].as_array().map(Vec::len), Some(1), "{listed}");
    let (status, _) = h.delete(&format!("/v1/invoices/{first}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = h.get("/v1/suppliers", &admin).await;
    assert_eq!(listed["suppliers"], json!([]), "{listed}");
}

/// A recurring supplier of the replay: its layout, its name as the truth
/// has it, and its invoices in the order they arrive.
struct Recurring {
    layout: Layout,
    name: &'static str,
    invoices: [Invoice; 3],
}

const REPLAY: [Recurring; 2] = [
    Recurring {
        layout: KONTORSVAROR,
        name: "Norrlands Kontorsvaror AB",
        invoices: [
            inv("kv-1.pdf", "KV-24017", "2026-03-02", "1 000,00", "250,00", "1 250,00"),
            inv("kv-2.pdf", "KV-24102", "2026-04-01", "2 400,00", "600,00", "3 000,00"),
            inv("kv-3.pdf", "KV-24188", "2026-05-04", "80,00", "20,00", "100,00"),
        ],
    },
    Recurring {
        layout: MALERI,
        name: "Kustens Måleri",
        invoices: [
            inv("km-1.pdf", "7731", "2026-02-11", "12 000,00", "3 000,00", "15 000,00"),
            inv("km-2.pdf", "7745", "2026-03-09", "8 400,00", "2 100,00", "10 500,00"),
            inv("km-3.pdf", "7790", "2026-04-20", "640,00", "160,00", "800,00"),
        ],
    },
];

/// The truth of an invoice: field → value as a correction sends it.
fn truth(supplier: &Recurring, invoice: &Invoice) -> Vec<(&'static str, Value)> {
    let amount = |s: &str| json!(s.replace(' ', "").replace(',', "."));
    vec![
        ("invoice_number", json!(invoice.number)),
        ("invoice_date", json!(invoice.date)),
        ("supplier_name", json!(supplier.name)),
        ("net_amount", amount(invoice.net)),
        ("vat_amount", amount(invoice.vat)),
        ("total_amount", amount(invoice.total)),
    ]
}

/// Whether the extracted field has the truth's value (identifiers up to
/// case and punctuation, amounts as numbers).
fn right(invoice: &Value, field: &str, truth: &Value) -> bool {
    let got = &invoice["fields"][field]["value"];
    let squash = |v: &Value| {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let t: String =
            text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        Some(t.trim_end_matches('0').to_string())
    };
    squash(got).is_some() && squash(got) == squash(truth)
}

/// The replay of issue 14: for each supplier in turn, the first invoice is
/// corrected to the truth and approved on one tenant; its later invoices
/// are then read on that tenant and on one that reviewed nothing. On the
/// corrected fields, the later invoices must be right with memory, and
/// no field may be worse than without it.
async fn a_replay_of_recurring_suppliers_reads_corrected_fields_right(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, taught) = h.tenant("Taught").await;
    let (_, untaught) = h.tenant("Untaught").await;
    // (before right, after right, scored) on the corrected fields, and on all
    let mut corrected_fields = (0, 0, 0);
    let mut all_fields = (0, 0, 0);
    for supplier in &REPLAY {
        let [first, later @ ..] = &supplier.invoices;
        let (id, extracted) =
            upload_bytes(&h, &taught, first.file, drawn_pdf(supplier.layout, first)).await;
        let fix: serde_json::Map<String, Value> = truth(supplier, first)
            .into_iter()
            .filter(|(f, v)| !right(&extracted, f, v))
            .map(|(f, v)| (f.to_string(), v))
            .collect();
        assert!(!fix.is_empty(), "the premise: the rules misread {}: {extracted}", supplier.name);
        let uri = format!("/v1/invoices/{id}");
        let (status, body) =
            h.json(Method::PATCH, &uri, &taught, json!({"fields": fix.clone()})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) =
            h.json(Method::POST, &format!("{uri}/approve"), &taught, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for invoice in later {
            let bytes = drawn_pdf(supplier.layout, invoice);
            let (_, before) = upload_bytes(&h, &untaught, invoice.file, bytes.clone()).await;
            let (_, after) = upload_bytes(&h, &taught, invoice.file, bytes).await;
            for (field, value) in truth(supplier, invoice) {
                let (b, a) = (right(&before, field, &value), right(&after, field, &value));
                assert!(a || !b, "{field} of {} is worse with memory: {after}", invoice.file);
                let tally = |t: &mut (u32, u32, u32)| {
                    *t = (t.0 + u32::from(b), t.1 + u32::from(a), t.2 + 1)
                };
                tally(&mut all_fields);
                if fix.contains_key(field) {
                    tally(&mut corrected_fields);
                }
            }
        }
    }
    let share = |right: u32, scored: u32| f64::from(right) / f64::from(scored.max(1));
    let (b, a, n) = corrected_fields;
    eprintln!(
        "replay: corrected fields {n}: without memory {:.3}, with {:.3}; all fields {}: {:.3} → {:.3}",
        share(b, n),
        share(a, n),
        all_fields.2,
        share(all_fields.0, all_fields.2),
        share(all_fields.1, all_fields.2),
    );
    // The reviewed invoices become training data, labelled with the
    // corrected values (`invex learn export`, CSV to read it here).
    let out = h.dir.path().join("training.csv");
    let exported = std::process::Command::new(env!("CARGO_BIN_EXE_invex"))
        .args(["learn", "export", "--tenant", "Taught", "--database-url", h.database_url()])
        .arg("--data-dir")
        .arg(h.dir.path().join("cli-data"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run invex learn export");
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let table = std::fs::read_to_string(&out).expect("the table");
    let header = table.lines().next().unwrap_or_default();
    assert_eq!(
        header,
        "invoice_id,file,split,page,page_width,page_height,word,text,x0,y0,x1,y1,label"
    );
    let labelled = |text: &str, label: &str| {
        table.lines().any(|l| l.contains(&format!(",{text},")) && l.ends_with(&format!(",{label}")))
    };
    assert!(labelled("KV-24017", "B-INVOICE_NUMBER"), "the corrected number is labelled:\n{table}");
    assert!(labelled("7731", "B-INVOICE_NUMBER"), "{table}");
    assert!(!table.contains("KV-24102"), "only reviewed invoices are exported");
    let files: std::collections::BTreeSet<&str> =
        table.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    assert_eq!(files, ["km-1.pdf", "kv-1.pdf"].into(), "{table}");

    assert!(n >= 4, "enough corrected fields scored ({n})");
    assert!(share(a, n) >= 0.98, "with memory {a}/{n}");
    assert!(share(b, n) < share(a, n), "memory made a difference: {b}/{n} → {a}/{n}");
}

/// Two reviews of one supplier's invoices at the same moment both teach
/// it: one supplier, both fields (the store refuses a save from a stale
/// read, and the loser learns again).
async fn concurrent_reviews_of_one_supplier_both_teach_it(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Concurrent").await;
    for round in 0..3 {
        let (first, _) = upload_processed(&h, &admin, 0).await;
        let (second, _) = upload_processed(&h, &admin, 1).await;
        let (first_uri, second_uri) =
            (format!("/v1/invoices/{first}"), format!("/v1/invoices/{second}"));
        // The supplier exists (a first review), then two race to update it.
        let named = json!({"fields": {"supplier_name": "Norrlands Kontorsvaror AB"}});
        let (status, body) = h.json(Method::PATCH, &first_uri, &admin, named).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (a, b) = tokio::join!(
            h.json(
                Method::PATCH,
                &first_uri,
                &admin,
                json!({"fields": {"invoice_number": "KV-24017"}})
            ),
            h.json(
                Method::PATCH,
                &second_uri,
                &admin,
                json!({"fields": {"invoice_date": "2026-04-01"}})
            ),
        );
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{} {}", a.1, b.1);
        let (_, listed) = h.get("/v1/suppliers", &admin).await;
        let suppliers = listed["suppliers"].as_array().expect("suppliers");
        assert_eq!(suppliers.len(), 1, "round {round}: one supplier: {listed}");
        let fields = suppliers[0]["fields"].to_string();
        for field in ["supplier_name", "invoice_number", "invoice_date"] {
            assert!(fields.contains(field), "round {round}: {field} learned: {listed}");
        }
        // Start again from nothing: erase both invoices (and so the memory).
        for id in [&first, &second] {
            let (status, _) = h.delete(&format!("/v1/invoices/{id}"), &admin).await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        }
    }
}

crate::both_backends!(
    a_correction_teaches_the_tenants_memory_of_that_supplier,
    concurrent_reviews_of_one_supplier_both_teach_it,
    a_replay_of_recurring_suppliers_reads_corrected_fields_right,
);
