//! What is sent: a versioned system prompt, the page's words in reading order
//! with their positions, and a strict JSON schema generated from our field
//! types.

use invex_domain::geometry::line_ranges;
use invex_domain::{Document, FieldName, ValueKind};
use serde_json::{Map, Value as Json, json};

/// Changes whenever [`SYSTEM_PROMPT`], [`ASKED`] or the schema change, so
/// cached answers of another prompt are not reused.
pub const PROMPT_VERSION: &str = "invex-llm-1";

/// The system prompt, in full. Versioned by [`PROMPT_VERSION`].
pub const SYSTEM_PROMPT: &str = "You read supplier invoices for an accounting system. \
You get the words printed on an invoice's pages, one printed line per row. Each row starts \
with its position in points from the page's top left corner (y, then x), then the line's \
words. Return the invoice's fields as JSON matching the schema. Rules: copy identifiers \
(invoice number, VAT number, IBAN, Bankgiro, payment reference) exactly as printed; write \
amounts as plain decimals with a point and no thousands separator (1234.56); write dates as \
YYYY-MM-DD; write the currency as its ISO 4217 code, only when a code or symbol is printed. \
The supplier is the party that issued the invoice and is paid, never the buyer or addressee. \
The total is the amount to pay including VAT; the net amount excludes VAT. Use null for any \
field that is not printed on the page. Never compute, infer or invent a value.";

/// The fields asked for: the ones a booking needs, plus the identifiers
/// that make a supplier known. Booleans are not asked (a yes/no cannot be
/// found on the page).
pub const ASKED: [FieldName; 15] = [
    FieldName::InvoiceNumber,
    FieldName::InvoiceDate,
    FieldName::DueDate,
    FieldName::Currency,
    FieldName::NetAmount,
    FieldName::VatAmount,
    FieldName::TotalAmount,
    FieldName::SupplierName,
    FieldName::SupplierVat,
    FieldName::SupplierOrgNr,
    FieldName::Iban,
    FieldName::Bic,
    FieldName::Bankgiro,
    FieldName::Plusgiro,
    FieldName::PaymentReference,
];

/// The most words sent per page; a longer page is cut (its end is usually
/// terms and conditions).
pub const MAX_WORDS_PER_PAGE: usize = 1200;

/// The JSON schema of the answer, for `response_format: json_schema` with
/// `strict: true`: every field is required and nullable, nothing else is
/// allowed (OpenAI's structured outputs need exactly that form).
pub fn answer_schema() -> Json {
    let mut properties = Map::new();
    for name in ASKED {
        let description = match name.kind() {
            ValueKind::Amount => "amount as a plain decimal, e.g. 1234.56",
            ValueKind::Date => "date as YYYY-MM-DD",
            _ if name == FieldName::Currency => "ISO 4217 code, e.g. EUR",
            _ => "exactly as printed",
        };
        properties.insert(
            name.as_str().to_string(),
            json!({"type": ["string", "null"], "description": description}),
        );
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": ASKED.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
        "additionalProperties": false,
    })
}

/// The pages sent: the first, and the last when there are more (where
/// totals and payment details usually are).
pub fn pages_sent(document: &Document) -> Vec<usize> {
    match document.pages.len() {
        0 => Vec::new(),
        1 => vec![0],
        n => vec![0, n - 1],
    }
}

/// The user message: the document's content hash (what the answer is
/// cached under; it tells the model nothing), then each page sent as
/// `y x: words` rows, positions rounded to whole points.
pub fn user_message(content_hash: &str, document: &Document) -> String {
    let mut out = format!("document {content_hash}\n");
    for index in pages_sent(document) {
        let page = &document.pages[index];
        let words = &page.words[..page.words.len().min(MAX_WORDS_PER_PAGE)];
        out.push_str(&format!(
            "page {} of {} ({:.0}x{:.0})\n",
            page.number,
            document.pages.len(),
            page.width,
            page.height
        ));
        for line in line_ranges(words) {
            let first = &words[line.start].bbox;
            out.push_str(&format!("{:.0} {:.0}:", first.y0, first.x0));
            for word in &words[line] {
                out.push(' ');
                out.push_str(&word.text);
            }
            out.push('\n');
        }
    }
    out
}

/// The content hash a [`user_message`] names (for the test server and logs).
pub fn content_hash_of(user_message: &str) -> Option<&str> {
    user_message.lines().next()?.strip_prefix("document ").map(str::trim)
}
