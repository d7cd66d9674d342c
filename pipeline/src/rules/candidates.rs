//! One pass over the layout that finds what every field search needs: label
//! hits here, amounts, percentages and dates in [`super::mentions`]; and
//! the value runs ([`Slot`]s) next to a label.

use chrono::NaiveDate;
use invex_domain::parse::{Language, detect_language};
use rust_decimal::Decimal;

use super::labels::{Entry, Kind, LabelIndex};
use super::layout::{Layout, Place, Run};
use super::mentions::decimal_separator;

#[derive(Debug, Clone)]
pub struct LabelHit {
    pub start: usize,
    pub end: usize,
    pub entries: Vec<Entry>,
    /// The caption starts its phrase or ends with a colon: a real caption,
    /// not a word inside a sentence.
    pub isolated: bool,
    pub colon: bool,
    /// Other words precede it in its phrase.
    pub qualified: bool,
}

impl LabelHit {
    pub fn weight(&self, kind: Kind) -> Option<f32> {
        let w = self.entries.iter().find(|e| e.kind == kind)?.weight;
        // A caption opening its phrase is plain; one after other words is
        // qualified ("Krediterar faktura nr:"), or a word in a sentence.
        Some(if self.isolated && !self.qualified {
            w
        } else if self.isolated {
            w * 0.7
        } else {
            w * 0.5
        })
    }
    pub fn has(&self, kind: Kind) -> bool {
        self.entries.iter().any(|e| e.kind == kind)
    }
}

#[derive(Debug, Clone)]
pub struct AmountMention {
    pub start: usize,
    pub end: usize,
    pub value: Decimal,
    /// Printed with decimals (`12,50`), not a bare integer.
    pub decimals: bool,
    pub currency: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct PercentMention {
    pub start: usize,
    pub end: usize,
    pub value: Decimal,
}

#[derive(Debug, Clone)]
pub struct DateMention {
    pub start: usize,
    pub end: usize,
    pub date: NaiveDate,
    /// The other reading of an ambiguous numeric date (`04/02/2025`).
    pub alt: Option<NaiveDate>,
}

/// Everything found in one pass.
#[derive(Debug, Clone)]
pub struct Scan {
    pub labels: Vec<LabelHit>,
    /// For each token, the label hit it belongs to.
    pub label_of: Vec<Option<usize>>,
    pub amounts: Vec<AmountMention>,
    pub amount_of: Vec<Option<usize>>,
    pub percents: Vec<PercentMention>,
    pub percent_of: Vec<Option<usize>>,
    pub dates: Vec<DateMention>,
    pub date_of: Vec<Option<usize>>,
    pub language: Language,
    pub decimal_sep: Option<char>,
}

/// A value run found next to a label.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub label: usize,
    pub place: Place,
    pub run: Run,
    /// Label weight times the placement factor.
    pub weight: f32,
}

impl Scan {
    pub fn run(layout: &Layout, index: &LabelIndex) -> Scan {
        let n = layout.toks.len();
        // The first page or so tells the language.
        let language = detect_language(layout.toks.iter().take(600).map(|t| t.text.as_str()));
        let mut scan = Scan {
            labels: Vec::new(),
            label_of: vec![None; n],
            amounts: Vec::new(),
            amount_of: vec![None; n],
            percents: Vec::new(),
            percent_of: vec![None; n],
            dates: Vec::new(),
            date_of: vec![None; n],
            language,
            decimal_sep: decimal_separator(layout),
        };
        scan.find_labels(layout, index);
        scan.find_dates(layout);
        scan.find_numbers(layout);
        scan
    }

    fn find_labels(&mut self, layout: &Layout, index: &LabelIndex) {
        for (pi, ph) in layout.phrases.iter().enumerate() {
            let mut i = ph.start;
            while i < ph.end {
                let mut key = String::new();
                let mut best: Option<(usize, &[Entry])> = None;
                for j in i..ph.end.min(i + index.max_words) {
                    key.push_str(&layout.toks[j].key);
                    if key.is_empty() || key.len() > index.max_key {
                        break;
                    }
                    if let Some(e) = index.lookup(&key) {
                        best = Some((j + 1, e));
                    }
                }
                // `OCR/Fakturanr`: a word holding two captions.
                let split;
                if best.is_none() && layout.toks[i].text.contains('/') {
                    split = split_caption(&layout.toks[i].text, index);
                    if !split.is_empty() {
                        best = Some((i + 1, &split));
                    }
                }
                let Some((end, entries)) = best else {
                    i += 1;
                    continue;
                };
                let last = &layout.toks[end - 1].text;
                let next_colon =
                    layout.toks.get(end).is_some_and(|t| t.text == ":" && t.phrase == pi);
                let colon = last.ends_with(':') || next_colon;
                // Marks before it (an OCR'd `~`, a bullet, a bracket) do
                // not qualify a caption: it still opens its phrase.
                let opens = (ph.start..i).all(|t| layout.toks[t].key.is_empty());
                let isolated = colon || opens;
                let hi = self.labels.len();
                for t in i..end {
                    self.label_of[t] = Some(hi);
                }
                self.labels.push(LabelHit {
                    start: i,
                    end,
                    entries: entries.to_vec(),
                    isolated,
                    colon,
                    qualified: !opens,
                });
                i = end;
            }
        }
    }

    /// The value runs next to every label of `kind`: the rest of its phrase,
    /// the later phrases of its line, and up to `below` lines under it in its
    /// column. A run stops where another caption starts.
    pub fn slots(&self, layout: &Layout, kind: Kind, below: usize) -> Vec<Slot> {
        self.slots_with(layout, kind, below, false)
    }

    /// As [`Scan::slots`], for a caption in a grid of captions: the value
    /// under it may be a row or two further down, past rows of the grid
    /// that leave its column empty (a VAT summary's unused rate rows).
    pub fn grid_slots(&self, layout: &Layout, kind: Kind, below: usize) -> Vec<Slot> {
        self.slots_with(layout, kind, below, true)
    }

    fn slots_with(&self, layout: &Layout, kind: Kind, below: usize, grid: bool) -> Vec<Slot> {
        let mut out = Vec::new();
        for (li, hit) in self.labels.iter().enumerate() {
            let Some(w) = hit.weight(kind) else { continue };
            for (place, mut run) in layout.right_runs(hit.end) {
                // A bracketed qualifier of the caption is not its value:
                // `Förfallodatum (15 dagar netto)  2020-12-16`.
                if place == Place::Inline && layout.toks[run.start].text.starts_with('(') {
                    let close = (run.start..run.end).find(|&t| layout.toks[t].text.ends_with(')'));
                    match close {
                        Some(c) if c + 1 == run.end => continue,
                        Some(c) => run.start = c + 1,
                        None => {}
                    }
                }
                // Up to the next caption: `Nr. UK-44552 Datum: 03. April`.
                let Some(run) = self.cut_at_label(run) else { break };
                // `REF APPEL D'OFFRES : X`: the caption goes on past the label.
                let colon_inside = (run.start + 1..run.end).any(|t| {
                    let w = &layout.toks[t].text;
                    w == ":" || (w.ends_with(':') && t + 1 < run.end)
                }) || (layout.toks[run.start].text.ends_with(':')
                    && layout.toks[run.start].text.len() > 1);
                if place == Place::Inline && !hit.colon && colon_inside {
                    break;
                }
                let f = match place {
                    Place::Inline => 1.0,
                    Place::Right(k) => 0.95 - 0.08 * k as f32,
                    Place::Below(_) => 0.8,
                };
                out.push(Slot { label: li, place, run, weight: w * f });
                if run.end < layout.phrases[layout.toks[run.start].phrase].end {
                    break;
                }
            }
            if below == 0 {
                continue;
            }
            for (place, run) in layout.below_runs(hit.start, hit.end, below, grid) {
                let Some(run) = self.cut_at_label(run) else { break };
                let k = match place {
                    Place::Below(k) => k as f32,
                    _ => 0.0,
                };
                out.push(Slot { label: li, place, run, weight: w * (0.85 - 0.25 * k) });
            }
        }
        out
    }

    /// `run` up to the first caption in it; `None` if it starts with one.
    fn cut_at_label(&self, run: Run) -> Option<Run> {
        let end = (run.start..run.end).find(|&t| self.label_of[t].is_some()).unwrap_or(run.end);
        (end > run.start).then_some(Run { start: run.start, end })
    }

    /// The amounts that start inside `run`, or whose currency marker the
    /// caption before `run` took (`Brutto: £` + `3.840,60`).
    pub fn amounts_in(&self, run: Run) -> impl Iterator<Item = &AmountMention> {
        self.amounts.iter().filter(move |a| {
            a.start < run.end
                && (a.start >= run.start || (a.currency.is_some() && a.end > run.start))
        })
    }

    /// Whether a caption of `kind` starts inside `run` (a line, a phrase).
    pub fn captions(&self, run: Run, kind: Kind) -> bool {
        (run.start..run.end).any(|t| self.label_of[t].is_some_and(|h| self.labels[h].has(kind)))
    }

    /// The first date in `run`.
    pub fn date_in(&self, run: Run) -> Option<&DateMention> {
        (run.start..run.end).find_map(|t| self.date_of[t].and_then(|d| self.dates.get(d)))
    }
}

/// The captions of the parts of a word like `OCR/Fakturanr` (all parts must
/// be captions).
fn split_caption(text: &str, index: &LabelIndex) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for part in text.split('/') {
        let Some(entries) = index.lookup(&super::text::word_key(part)) else { return Vec::new() };
        for e in entries {
            if !out.iter().any(|o| o.kind == e.kind) {
                out.push(*e);
            }
        }
    }
    out
}
