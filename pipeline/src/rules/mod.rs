//! The layout-aware rules extractor: the accuracy floor of the product.
//!
//! 1. `layout`: words → lines (by baseline) → phrases (words close together
//!    on a line); neighbour searches right of a caption and below it in its
//!    column or grid cell.
//! 2. `candidates` + `mentions`: one scan finds caption hits (sv/en/de/fr
//!    dictionaries in `labels`, matched across words, case- and
//!    accent-insensitive), amounts (thousands groups as separate words),
//!    percentages and dates (date order and decimal separator per document).
//! 3. `zones`: the buyer's, delivery and supplier blocks under their
//!    headings (and under the buyer's name once found).
//! 4. Field groups collect candidates beside or below their captions and by
//!    pattern, ranked by the validators (Luhn, mod 97, VAT forms, ISO 11649)
//!    and pooled by value in `confidence`: `ids` (invoice/order numbers,
//!    references, org.nr, VAT), `dates`, `payment` (+ the payment slip's
//!    OCR line in `slip`), `amounts`, `names` (with the signals in
//!    `parties`) and `address`, `line_items`.
//! 5. `reconcile`: net + VAT = total (öresavrundning allowed) decides
//!    between amount candidates and derives a missing one.
//!
//! `fields` runs them in order. No per-supplier rules; dictionaries are
//! compiled once in [`RulesExtractor::new`]. Set `INVEX_RULES_DEBUG` to print
//! lines, captions and candidates to stderr.

mod address;
mod amounts;
mod candidates;
mod confidence;
pub use confidence::cap_by_word_confidence;
mod dates;
mod fields;
mod ids;
mod labels;
mod layout;
mod line_items;
mod mentions;
mod names;
mod parties;
mod payment;
mod reconcile;
mod slip;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_layouts;
mod text;
mod vat_note;
mod zones;

use invex_domain::{Document, Extractor, Invoice};

use candidates::Scan;
use labels::LabelIndex;
use layout::Layout;
use payment::IbanMention;
use zones::Zones;

/// What every field search reads.
pub(crate) struct Ctx<'a> {
    pub layout: &'a Layout,
    pub labels: &'a LabelIndex,
    pub scan: &'a Scan,
    pub zones: Zones,
    pub ibans: Vec<IbanMention>,
    /// Per token: part of an IBAN.
    pub iban_tok: Vec<bool>,
    /// The payment slip's machine-readable line, if printed.
    pub slip: Option<slip::Slip>,
    /// Print candidates to stderr (`INVEX_RULES_DEBUG` set at construction).
    pub debug: bool,
}

/// The layout-aware rules extractor.
#[derive(Debug, Clone)]
pub struct RulesExtractor {
    labels: LabelIndex,
    debug: bool,
}

impl Default for RulesExtractor {
    fn default() -> Self {
        Self::new()
    }
}

impl RulesExtractor {
    pub fn new() -> Self {
        let debug = std::env::var_os("INVEX_RULES_DEBUG").is_some();
        RulesExtractor { labels: LabelIndex::new(), debug }
    }
}

impl Extractor for RulesExtractor {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn extract(&self, document: &Document) -> Invoice {
        let layout = Layout::build(document);
        let scan = Scan::run(&layout, &self.labels);
        let zones = Zones::find(&layout, &scan);
        let ibans = payment::find_ibans(&layout);
        let mut iban_tok = vec![false; layout.toks.len()];
        for m in &ibans {
            if let Some(s) = iban_tok.get_mut(m.start..m.end) {
                s.fill(true);
            }
        }
        if self.debug {
            for line in &layout.lines {
                let phrases: Vec<String> = layout
                    .phrases_of_line(layout.toks[line.start].line)
                    .map(|p| layout.text(layout.phrases[p].start, layout.phrases[p].end))
                    .collect();
                let party = zones.party[line.start..line.end].iter().flatten().next();
                eprintln!(
                    "line p{} y{:.1}: {} {}",
                    line.page,
                    line.bbox.y0,
                    phrases.join(" | "),
                    party.map_or(String::new(), |p| format!("[{p:?}]"))
                );
            }
            for h in &scan.labels {
                let kinds: Vec<_> = h.entries.iter().map(|e| e.kind).collect();
                eprintln!("label {:?} {kinds:?} iso={}", layout.text(h.start, h.end), h.isolated);
            }
        }
        let (labels, debug) = (&self.labels, self.debug);
        let slip = slip::find(&layout);
        let mut cx =
            Ctx { layout: &layout, labels, scan: &scan, zones, ibans, iban_tok, slip, debug };
        let mut invoice = fields::extract_fields(&mut cx);
        cap_by_word_confidence(&mut invoice, document);
        invoice
    }
}
