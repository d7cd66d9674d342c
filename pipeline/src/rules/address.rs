//! The supplier's postal address: the lines under (or after) one of the
//! places its name is printed, up to and including the postcode line and an
//! optional country line, joined with ", ".

use invex_domain::{BBox, Value};

use super::Ctx;
use super::confidence::Cand;
use super::layout::Run;
use super::text::{fold, has_digit};

fn digits(s: &str, n: std::ops::RangeInclusive<usize>) -> bool {
    n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// How surely a line is a postcode line: 2 for `123 45 Stad`, `SE-123 45
/// Stad` and `San Francisco, CA 94107`; 1 for `12345 Stadt` and `2855
/// Amsterdam` (a US street number looks the same); 0 otherwise.
pub fn postcode_strength(words: &[&str]) -> u8 {
    let w0 = words.first().map_or("", |w| w.trim_start_matches("SE-").trim_start_matches("S-"));
    let w0 = w0.trim_start_matches("D-").trim_start_matches("F-").trim_start_matches("FR-");
    let letters_after = |i: usize| words.get(i).is_some_and(|w| w.chars().any(char::is_alphabetic));
    if digits(w0, 3..=3) && words.get(1).is_some_and(|w| digits(w.trim_end_matches(','), 2..=2)) {
        return if letters_after(2) { 2 } else { 0 };
    }
    // US style: state code then ZIP.
    let us = words.windows(2).any(|p| {
        let st = p[0].trim_end_matches(',');
        let zip = p[1].trim_end_matches(',');
        st.len() == 2
            && st.chars().all(|c| c.is_ascii_uppercase())
            && (digits(zip, 5..=5) || zip.len() == 10)
    });
    if us {
        return 2;
    }
    u8::from(digits(w0.trim_end_matches(','), 4..=5) && letters_after(1))
}

pub fn is_postcode_line(words: &[&str]) -> bool {
    postcode_strength(words) > 0
}

/// One address part: not a caption, phone, e-mail or web address.
fn plain(cx: &Ctx, run: Run) -> bool {
    (run.start..run.end).all(|t| {
        let w = &cx.layout.toks[t].text;
        cx.scan.label_of[t].is_none() && !w.contains('@') && !fold(w).starts_with("www.")
    }) && !looks_like_phone(&cx.layout.text(run.start, run.end))
}

fn looks_like_phone(s: &str) -> bool {
    let d = s.chars().filter(char::is_ascii_digit).count();
    let other = s.chars().filter(|c| c.is_alphabetic()).count();
    (s.starts_with('+') || s.starts_with('0')) && d >= 7 && other == 0
}

/// Splits a phrase at `·`, `|` and `•` into runs.
fn segments(cx: &Ctx, run: Run) -> Vec<Run> {
    let mut out = Vec::new();
    let mut start = run.start;
    for t in run.start..run.end {
        if matches!(cx.layout.toks[t].text.as_str(), "·" | "|" | "•") {
            if t > start {
                out.push(Run { start, end: t });
            }
            start = t + 1;
        }
    }
    if start < run.end {
        out.push(Run { start, end: run.end });
    }
    out
}

/// Collects address parts from `runs` (in reading order) until a postcode
/// part, plus a trailing country; `None` without a postcode.
fn collect(cx: &Ctx, runs: &[Run]) -> Option<(Vec<String>, Option<BBox>)> {
    let mut parts = Vec::new();
    let mut bbox: Option<BBox> = None;
    let mut done = false;
    for (i, &r) in runs.iter().enumerate() {
        let words: Vec<&str> = (r.start..r.end).map(|t| cx.layout.toks[t].text.as_str()).collect();
        if !plain(cx, r) || words.is_empty() {
            break;
        }
        if done {
            // A country line after the postcode.
            let country = words.len() <= 2 && !words.iter().any(|w| has_digit(w));
            if country {
                parts.push(cx.layout.text(r.start, r.end));
            }
            break;
        }
        // `Street 1, 123 45 Stad` on one line: any comma-separated part.
        let postcode = is_postcode_line(&words)
            || words.split_inclusive(|w| w.ends_with(',')).skip(1).any(is_postcode_line);
        parts.push(cx.layout.text(r.start, r.end).trim_end_matches(',').to_string());
        if let Some(b) = cx.layout.bbox(r.start, r.end) {
            bbox = Some(bbox.map_or(b, |x| x.union(&b)));
        }
        // `1201 Third Avenue` followed by `Seattle, WA 98104`.
        let stronger_next = runs.get(i + 1).is_some_and(|n| {
            let w: Vec<&str> = (n.start..n.end).map(|t| cx.layout.toks[t].text.as_str()).collect();
            postcode_strength(&w) > postcode_strength(&words)
        });
        if postcode && !stronger_next {
            done = true;
        }
        if parts.len() > 4 {
            return None;
        }
    }
    done.then_some((parts, bbox))
}

/// Address parts after a name phrase: the rest of its line, or the lines
/// under it in the same column.
pub fn after(cx: &Ctx, name: Run) -> Option<(Vec<String>, Option<BBox>)> {
    let l = cx.layout;
    let first = &l.toks[name.start];
    let ph = &l.phrases[first.phrase];
    // Same line: `Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld`, in
    // its phrase or in the next phrases of a footer line (`Acme AB | …`).
    let line_end = l.lines[first.line].end;
    if name.end < line_end {
        let mut runs = segments(cx, Run { start: name.end, end: ph.end });
        let mut prev = ph.bbox;
        for p in first.phrase + 1..l.phrases.len() {
            let q = &l.phrases[p];
            if q.start >= line_end || q.bbox.x0 - prev.x1 > 4.0 * l.lines[first.line].height {
                break;
            }
            runs.extend(segments(cx, Run { start: q.start, end: q.end }));
            prev = q.bbox;
        }
        if let Some(found) = collect(cx, &runs) {
            return Some(found);
        }
    }
    let x0 = l.toks[name.start].bbox.x0;
    let name_box = l.bbox(name.start, name.end).unwrap_or(ph.bbox);
    let cx0 = name_box.center_x();
    let gap_limit = 2.0 * l.lines[first.line].height;
    let mut runs = Vec::new();
    let mut bottom = ph.bbox.y1;
    let page = &l.pages[l.lines[first.line].page];
    for li in first.line + 1..page.lines.end.min(first.line + 7) {
        let line = &l.lines[li];
        // Left-aligned under the name, or centred under it (letterheads).
        let near = l.phrases_of_line(li).find(|&p| {
            let b = l.phrases[p].bbox;
            (b.x0 - x0).abs() < 15.0 || (b.center_x() - cx0).abs() < 15.0
        });
        let limit = gap_limit.max(2.0 * line.height);
        let Some(p) = near else {
            if line.bbox.y0 - bottom > limit {
                break;
            }
            continue;
        };
        let q = &l.phrases[p];
        if q.bbox.y0 - bottom > limit {
            break;
        }
        runs.extend(segments(cx, Run { start: q.start, end: q.end }));
        bottom = q.bbox.y1;
    }
    collect(cx, &runs)
}

/// The address printed with the supplier's name (tried at every place the
/// name is printed, the chosen one first).
pub fn address(cx: &Ctx, name: &Cand) -> Option<Cand> {
    let (s, e) = name.toks?;
    let key = fold(&cx.layout.text(s, e));
    let mut places = vec![Run { start: s, end: e }];
    // Other places the name is printed (a phrase holding it, or held by it).
    for ph in &cx.layout.phrases {
        if ph.start == s {
            continue;
        }
        let text = fold(&cx.layout.text(ph.start, ph.end));
        if text.len() >= 6 && (text == key || key.ends_with(&text) || text.starts_with(&key)) {
            let n = (e - s).min(ph.end - ph.start);
            let end = if text.starts_with(&key) { ph.start + n } else { ph.end };
            places.push(Run { start: ph.start, end });
        }
    }
    for place in places {
        if let Some((parts, bbox)) = after(cx, place) {
            let page = cx.layout.toks[place.start].page;
            let conf = (name.conf * 0.9).min(0.85);
            let value = Value::Text(parts.join(", "));
            return Some(Cand { value, score: 1.0, conf, page, bbox, toks: None });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::is_postcode_line;

    #[test]
    fn postcode_lines() {
        let cases: &[(&str, bool)] = &[
            ("123 45 Stockholm", true),
            ("SE-123 45 Stockholm", true),
            ("80786 München", true),
            ("2855 Amsterdam", true),
            ("San Francisco, CA 94107", true),
            ("Götgatan 105", false),
            ("Box 287", false),
            ("031-71 20 31", false),
        ];
        for &(line, expected) in cases {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(is_postcode_line(&words), expected, "{line:?}");
        }
    }
}
