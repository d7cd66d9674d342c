//! Supplier memory, the cascade's third stage: what reviewers taught about
//! one supplier's invoices, kept per tenant.
//!
//! When a reviewer corrects or approves an invoice, each confirmed field's
//! **placement** is learned: the caption printed before or above the value,
//! the value's direction and distance from it, the value's shape (its
//! pattern), and its zone on the page. The supplier's next invoice tries the
//! placements first ([`MemoryStage::recall`]); a value they find must still
//! pass the field's validator and is given source `memory`.
//!
//! A supplier is known by its identifiers ([`supplier_keys`]): VAT number,
//! org.nr, IBAN, Bankgiro, Plusgiro, and its name as the last resort.
//!
//! Invariants:
//! - A placement that a later correction contradicts is weakened (its values
//!   go to review), and forgotten after [`FORGET_AFTER_MISSES`].
//! - Memory never leaves its tenant (the storage traits are tenant-scoped),
//!   and it is erased with any invoice it was learned from.

use serde::{Deserialize, Serialize};

use crate::geometry::Document;
use crate::invoice::{FieldName, Invoice, Value};
use crate::validate::{bankgiro, iban, org_nr, plusgiro, vat_number};

/// A placement contradicted this many times is forgotten.
pub const FORGET_AFTER_MISSES: u32 = 2;

/// How a supplier is recognised, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    Vat,
    OrgNr,
    Iban,
    Bankgiro,
    Plusgiro,
    Name,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Vat => "vat",
            KeyKind::OrgNr => "org_nr",
            KeyKind::Iban => "iban",
            KeyKind::Bankgiro => "bankgiro",
            KeyKind::Plusgiro => "plusgiro",
            KeyKind::Name => "name",
        }
    }
}

/// One identifier of a supplier, in normal form: `vat:SE556677889901`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SupplierKey {
    pub kind: KeyKind,
    pub value: String,
}

impl SupplierKey {
    /// The form the store indexes: `kind:value`.
    pub fn as_key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.value)
    }
}

impl std::fmt::Display for SupplierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_key())
    }
}

/// The supplier's identifiers on `invoice` that pass their validators,
/// strongest first, then its name (lower-cased letters and digits) when it
/// has at least four of them. Empty when nothing identifies the supplier.
pub fn supplier_keys(invoice: &Invoice) -> Vec<SupplierKey> {
    let text = |name: FieldName| match invoice.get(name).map(|f| &f.value) {
        Some(Value::Text(t)) => Some(t.as_str()),
        _ => None,
    };
    let mut keys = Vec::new();
    let mut push = |kind: KeyKind, value: Option<String>| {
        if let Some(value) = value {
            keys.push(SupplierKey { kind, value });
        }
    };
    push(KeyKind::Vat, text(FieldName::SupplierVat).and_then(vat_number));
    push(KeyKind::OrgNr, text(FieldName::SupplierOrgNr).and_then(org_nr));
    push(KeyKind::Iban, text(FieldName::Iban).and_then(iban));
    push(KeyKind::Bankgiro, text(FieldName::Bankgiro).and_then(bankgiro));
    push(KeyKind::Plusgiro, text(FieldName::Plusgiro).and_then(plusgiro));
    let name = text(FieldName::SupplierName).map(|n| {
        n.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>()
    });
    push(KeyKind::Name, name.filter(|n| n.chars().count() >= 4));
    keys
}

/// Where a value stands relative to its caption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// On the caption's line, to its right.
    Right,
    /// On a line below the caption, under it.
    Below,
    /// No caption: found by the supplier's own value (a name, an identifier)
    /// or by pattern within its zone.
    Zone,
}

/// How one field's value was found on one of the supplier's invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// The caption's words, lower-cased, without trailing `:`/`#`/`.`.
    pub label: Vec<String>,
    pub direction: Direction,
    /// The value's top-left minus the caption's top-left, in points.
    pub offset: [f32; 2],
    /// The printed value's shape: digits `9`, letters `A`, other characters
    /// kept, runs collapsed (`INV-2026-0012` → `A-9-9`).
    pub pattern: String,
    /// How many words the printed value spans.
    pub words: usize,
    /// 1-based page.
    pub page: u32,
    /// The value's box as fractions of the page: x0, y0, x1, y1.
    pub zone: [f32; 4],
    /// For a field that is the same on all of a supplier's invoices (its
    /// name, identifiers, currency): the value itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Later reviews that confirmed what this placement finds.
    pub hits: u32,
    /// Later reviews that contradicted it.
    pub misses: u32,
    /// Learned or confirmed by a correction (the page reading was wrong
    /// there): what it finds replaces a different page reading. A placement
    /// learned from an approval alone only confirms the page reading and
    /// fills in a field the reading missed.
    #[serde(default)]
    pub overrides: bool,
}

impl Placement {
    /// Contradicted at least once: what it finds still goes to review.
    pub fn is_weak(&self) -> bool {
        self.misses > 0 && self.misses >= self.hits
    }
}

/// Everything remembered for one field of one supplier, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMemory {
    pub field: FieldName,
    pub placements: Vec<Placement>,
}

/// What a review confirmed about one field: its value, or `None` when the
/// reviewer removed it (the invoice does not print it).
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    pub field: FieldName,
    pub value: Option<Value>,
    /// A person set the value (a correction), rather than approving what
    /// was extracted.
    pub corrected: bool,
}

/// The memory stage: learns placements from reviewed invoices and finds
/// values with them on the next invoice. Synchronous and CPU-bound, like
/// the other stages; `invex-memory` implements it.
pub trait MemoryStage: Send + Sync {
    /// `invoice` with what `memory` finds on `document`: a found value that
    /// passes its validator fills in a missing field, confirms an equal one,
    /// and replaces a different page reading when its placement
    /// [`Placement::overrides`] (never an e-invoice's or a person's value,
    /// and never amounts that then no longer add up when the page
    /// reading's did); a weak placement's value gets a confidence that sends
    /// the invoice to review.
    fn recall(&self, document: &Document, memory: &[FieldMemory], invoice: Invoice) -> Invoice;

    /// `memory` updated with a review of `document`: placements that find a
    /// confirmed value gain a hit, those that find another value a miss
    /// (and are forgotten after [`FORGET_AFTER_MISSES`]), and a confirmed
    /// value no placement finds is learned where the page prints it.
    fn learn(
        &self,
        document: &Document,
        memory: Vec<FieldMemory>,
        confirmed: &[Confirmed],
    ) -> Vec<FieldMemory>;
}
