//! Party zones: which tokens belong to the buyer's block (under
//! "Faktureringsadress", "Bill to", "Rechnungsempfänger", "Client" …) or the
//! delivery address, and which to a supplier block ("Leverantör", "Seller",
//! "Vendeur" …), so that identifiers and names found there are attributed to
//! the right party.

use super::candidates::Scan;
use super::labels::Kind;
use super::layout::Layout;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Buyer,
    Delivery,
    Supplier,
}

#[derive(Debug, Clone, Default)]
pub struct Zones {
    /// Per token: the party block it lies in, if any.
    pub party: Vec<Option<Party>>,
    /// Per token: 0 for the caption line's first value line, 1 for the next …
    pub depth: Vec<u8>,
}

const HEADINGS: [(Kind, Party); 3] = [
    (Kind::BuyerHeading, Party::Buyer),
    (Kind::DeliveryHeading, Party::Delivery),
    (Kind::SupplierHeading, Party::Supplier),
];

/// Whether the line of token `t` carries a payment caption (Bankgiro,
/// Plusgiro, IBAN, account, OCR).
pub fn payment_line(layout: &Layout, scan: &Scan, t: usize) -> bool {
    let line = &layout.lines[layout.toks[t].line];
    (line.start..line.end).any(|u| {
        scan.label_of[u].is_some_and(|h| {
            let hit = &scan.labels[h];
            [Kind::Bankgiro, Kind::Plusgiro, Kind::Iban, Kind::Account, Kind::Ocr]
                .iter()
                .any(|k| hit.has(*k))
        })
    })
}

impl Zones {
    pub fn find(layout: &Layout, scan: &Scan) -> Zones {
        let n = layout.toks.len();
        let mut z = Zones { party: vec![None; n], depth: vec![0; n] };
        for hit in &scan.labels {
            let Some(party) = HEADINGS.iter().find(|(k, _)| hit.has(*k)).map(|&(_, p)| p) else {
                continue;
            };
            let ph = &layout.phrases[layout.toks[hit.start].phrase];
            // A heading is a caption of its own (or followed by a colon, or
            // by a bracketed gloss: `Consignee (Ship to)`).
            let glossed = || {
                let rest = layout.text(hit.end, ph.end);
                rest.starts_with('(') && rest.ends_with(')')
            };
            let alone = hit.start == ph.start && (hit.end == ph.end || hit.colon || glossed());
            if !alone {
                continue;
            }
            // "Mottagare" next to "Bankgiro" on a payment slip is the payee.
            if party == Party::Buyer
                && hit.has(Kind::Payee)
                && payment_line(layout, scan, hit.start)
            {
                continue;
            }
            z.mark_block(layout, scan, hit.start, hit.end, party);
        }
        z
    }

    fn mark_block(&mut self, layout: &Layout, scan: &Scan, start: usize, end: usize, party: Party) {
        let Some(span) = layout.bbox(start, end) else { return };
        let line = layout.toks[start].line;
        let ph = layout.toks[end - 1].phrase;
        // Inline: the rest of the heading's phrase ("Kund: Acme AB").
        for t in end..layout.phrases[ph].end {
            self.set(t, party, 0);
        }
        self.mark_ids_beside(layout, scan, ph, party);
        let mut named_beside = None;
        // "Cliente: | UNITED CARGO COMPANY S.A.C.": a heading ending in a
        // colon names the party in the phrase just beside it.
        if layout.phrases[ph].end == end && layout.toks[end - 1].text.ends_with(':') {
            let beside = layout.phrases_of_line(line).find(|&p| {
                let b = layout.phrases[p].bbox;
                p != ph && b.x0 > span.x1 && b.x0 - span.x1 < 150.0
            });
            if let Some(p) = beside {
                for t in layout.phrases[p].start..layout.phrases[p].end {
                    self.set(t, party, 0);
                }
                named_beside = Some(p);
            }
        }
        // The block runs right up to the next thing on the heading's line;
        // the name beside a colon heading is in it (the lines under such a
        // row are caption | value pairs: "CIF: | B38045340").
        let mut right = span.x0 + 260.0;
        for p in layout.phrases_of_line(line) {
            let b = layout.phrases[p].bbox;
            if p != ph && Some(p) != named_beside && b.x0 > span.x1 {
                right = right.min(b.x0 - 2.0);
            }
        }
        let left = span.x0 - 12.0;
        let value_x0 = named_beside.map(|p| layout.phrases[p].bbox.x0);
        let page = &layout.pages[layout.lines[line].page];
        let mut bottom = layout.lines[line].bbox.y1;
        let mut depth = 0u8;
        for li in line + 1..page.lines.end {
            let l = &layout.lines[li];
            // Phrases left-aligned with the heading (an address block).
            let toks: Vec<usize> = layout
                .phrases_of_line(li)
                .filter(|&p| {
                    let b = layout.phrases[p].bbox;
                    let value_column = value_x0.is_some_and(|x| (b.x0 - x).abs() < 6.0);
                    (b.x0 >= left && b.x0 < (span.x0 + 40.0).min(right)) || value_column
                })
                .flat_map(|p| layout.phrases[p].start..layout.phrases[p].end)
                .filter(|&t| layout.toks[t].bbox.x0 < right)
                .collect();
            if toks.is_empty() {
                if l.bbox.y0 - bottom > 3.0 * l.height {
                    break;
                }
                continue;
            }
            let top = toks.iter().map(|&t| layout.toks[t].bbox.y0).fold(f32::MAX, f32::min);
            if top - bottom > 1.9 * l.height || depth >= 8 {
                break;
            }
            let first = toks[0];
            let starts_heading = scan.label_of[first].is_some_and(|h| {
                let hit = &scan.labels[h];
                let ph = &layout.phrases[layout.toks[first].phrase];
                let alone = hit.end == ph.end || hit.colon;
                alone
                    && (HEADINGS.iter().any(|(k, _)| hit.has(*k)) || hit.has(Kind::PaymentHeading))
            });
            if starts_heading {
                break;
            }
            for &t in &toks {
                self.set(t, party, depth);
            }
            bottom = toks.iter().map(|&t| layout.toks[t].bbox.y1).fold(bottom, f32::max);
            depth += 1;
        }
    }

    /// "Titular: GRUPO OPERATIVO SL   CIF/NIF: B84520394": an identifier
    /// caption on the same row just right of a party's inline name (its
    /// line may be set a few points lower) and the value after it belong
    /// to that party.
    fn mark_ids_beside(&mut self, layout: &Layout, scan: &Scan, ph: usize, party: Party) {
        let name = layout.phrases[ph].bbox;
        let line = layout.toks[layout.phrases[ph].start].line;
        let page = layout.lines[line].page;
        let near = line.saturating_sub(1)..(line + 2).min(layout.lines.len());
        let mut phrases: Vec<usize> = near
            .filter(|&li| layout.lines[li].page == page)
            .flat_map(|li| layout.phrases_of_line(li))
            .filter(|&p| {
                let b = layout.phrases[p].bbox;
                let overlap = b.y1.min(name.y1) - b.y0.max(name.y0);
                p != ph && b.x0 > name.x1 && overlap > 0.5 * name.height().min(b.height())
            })
            .collect();
        phrases.sort_by(|a, b| layout.phrases[*a].bbox.x0.total_cmp(&layout.phrases[*b].bbox.x0));
        let Some(&first) = phrases.first() else { return };
        let f = &layout.phrases[first];
        let Some(hit) = scan.label_of[f.start].map(|h| &scan.labels[h]) else { return };
        let id_caption = hit.start == f.start && (hit.has(Kind::VatNumber) || hit.has(Kind::OrgNr));
        if !id_caption || f.bbox.x0 - name.x1 > 90.0 {
            return;
        }
        // The caption's phrase, and the value's when the caption is alone.
        let n = if hit.end == f.end { 2 } else { 1 };
        for &p in phrases.iter().take(n) {
            for t in layout.phrases[p].start..layout.phrases[p].end {
                self.set(t, party, 0);
            }
        }
    }

    /// Marks the block under a buyer's name found without a caption (the
    /// lines left-aligned with it: address, org.nr, VAT number).
    pub fn mark_under(&mut self, layout: &Layout, start: usize, end: usize) {
        let Some(name) = layout.bbox(start, end) else { return };
        let first = &layout.toks[start];
        for t in start..end {
            self.set(t, Party::Buyer, 0);
        }
        let page = &layout.pages[layout.lines[first.line].page];
        let mut bottom = name.y1;
        let mut depth = 1u8;
        for li in first.line + 1..page.lines.end.min(first.line + 8) {
            let l = &layout.lines[li];
            let near = layout
                .phrases_of_line(li)
                .find(|&p| (layout.phrases[p].bbox.x0 - name.x0).abs() < 6.0);
            let Some(p) = near else { continue };
            let ph = &layout.phrases[p];
            if ph.bbox.y0 - bottom > 2.0 * l.height {
                break;
            }
            for t in ph.start..ph.end {
                self.set(t, Party::Buyer, depth);
            }
            bottom = ph.bbox.y1;
            depth = depth.saturating_add(1);
        }
    }

    fn set(&mut self, t: usize, party: Party, depth: u8) {
        if let Some(slot) = self.party.get_mut(t)
            && slot.is_none()
        {
            *slot = Some(party);
            self.depth[t] = depth;
        }
    }

    /// In the buyer's or the delivery block.
    pub fn is_customer(&self, t: usize) -> bool {
        matches!(self.party.get(t).copied().flatten(), Some(Party::Buyer | Party::Delivery))
    }
}
