//! Groups positioned characters into words, and words into reading order.
//! Pure geometry, so it is tested without pdfium.

use invex_domain::{BBox, Word};

/// One character as the PDF text layer reports it, in page coordinates with a
/// top-left origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionedChar {
    pub ch: char,
    pub bbox: BBox,
    /// The character's font size in points, used to judge gaps.
    pub font_size: f32,
}

/// Splits a content-ordered character stream into words: at whitespace, at a
/// jump to another line, at a step backwards, and at a horizontal gap wider
/// than a quarter of the font size.
pub fn chars_to_words(chars: &[PositionedChar]) -> Vec<Word> {
    let mut words = Vec::new();
    let mut text = String::new();
    let mut bbox: Option<BBox> = None;
    let mut last: Option<PositionedChar> = None;
    let flush = |text: &mut String, bbox: &mut Option<BBox>, words: &mut Vec<Word>| {
        if let Some(b) = bbox.take()
            && !text.is_empty()
        {
            words.push(Word { text: std::mem::take(text), bbox: b, confidence: 1.0 });
        }
        text.clear();
    };
    for c in chars {
        if c.ch.is_whitespace() || c.ch.is_control() || c.ch == '\u{fffe}' {
            flush(&mut text, &mut bbox, &mut words);
            last = None;
            continue;
        }
        if let Some(prev) = last {
            let size = prev.font_size.max(c.font_size).max(1.0);
            let same_line = prev.bbox.vertical_overlap(&c.bbox) > 0.5;
            let gap = c.bbox.x0 - prev.bbox.x1;
            if !same_line || gap > 0.25 * size || gap < -0.5 * size {
                flush(&mut text, &mut bbox, &mut words);
            }
        }
        text.push(c.ch);
        bbox = Some(bbox.map_or(c.bbox, |b| b.union(&c.bbox)));
        last = Some(*c);
    }
    flush(&mut text, &mut bbox, &mut words);
    words
}

/// Sorts words into reading order: lines from top to bottom, and words from
/// left to right within a line. Two words share a line when their vertical
/// extents overlap by more than half of the smaller height.
pub fn reading_order(mut words: Vec<Word>) -> Vec<Word> {
    words.sort_by(|a, b| a.bbox.center_y().total_cmp(&b.bbox.center_y()));
    let mut lines: Vec<(BBox, Vec<Word>)> = Vec::new();
    for word in words {
        match lines.last_mut() {
            Some((line_box, line)) if line_box.vertical_overlap(&word.bbox) > 0.5 => {
                *line_box = BBox::new(
                    line_box.x0,
                    line_box.y0.min(word.bbox.y0),
                    line_box.x1,
                    line_box.y1.max(word.bbox.y1),
                );
                line.push(word);
            }
            _ => lines.push((word.bbox, vec![word])),
        }
    }
    lines
        .into_iter()
        .flat_map(|(_, mut line)| {
            line.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lays out `text` as 6-pt-wide characters at (x, y) on a 10-pt line.
    fn line(text: &str, x: f32, y: f32) -> Vec<PositionedChar> {
        text.chars()
            .enumerate()
            .map(|(i, ch)| {
                let x0 = x + i as f32 * 6.0;
                PositionedChar { ch, bbox: BBox::new(x0, y, x0 + 5.5, y + 10.0), font_size: 10.0 }
            })
            .collect()
    }

    fn check(chars: Vec<PositionedChar>, expected: &[&str]) {
        let words: Vec<String> = chars_to_words(&chars).into_iter().map(|w| w.text).collect();
        assert_eq!(words, expected);
    }

    #[test]
    fn words_split_at_spaces_gaps_and_lines() {
        check(line("Att betala 1 234,56", 10.0, 10.0), &["Att", "betala", "1", "234,56"]);
        check([line("Moms", 10.0, 10.0), line("25%", 60.0, 10.0)].concat(), &["Moms", "25%"]);
        check([line("Org.nr", 10.0, 10.0), line("556", 10.0, 30.0)].concat(), &["Org.nr", "556"]);
        check([line("ab", 100.0, 10.0), line("cd", 10.0, 10.0)].concat(), &["ab", "cd"]);
        check(line("Förfallodatum", 0.0, 0.0), &["Förfallodatum"]);
        check(vec![], &[]);
    }

    #[test]
    fn reading_order_is_top_down_left_right() {
        let mut words = chars_to_words(
            &[line("right", 300.0, 10.0), line("below", 10.0, 40.0), line("left", 10.0, 11.0)]
                .concat(),
        );
        words.reverse();
        let ordered: Vec<String> = reading_order(words).into_iter().map(|w| w.text).collect();
        assert_eq!(ordered, ["left", "right", "below"]);
    }
}
