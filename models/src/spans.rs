//! Word-level BIO tags to spans: runs of words that the model gave the same
//! target. `B-X` starts a span; `I-X` continues a span of `X` and starts one
//! after anything else; `O` and a page break end a span.

use crate::labels::{Tag, Target};

/// Consecutive words (indices into the document's words) with one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub target: Target,
    pub words: Vec<usize>,
    /// The tag of the first word (`Inside` marks a continuation, such as an
    /// address's or description's next line).
    pub first_tag: Tag,
    /// The mean of the words' probabilities.
    pub confidence: f32,
}

/// One word as span decoding sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaggedWord {
    pub tag: Tag,
    pub probability: f32,
    pub page: u32,
}

pub fn decode_spans(words: &[TaggedWord]) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let mut open = false;
    for (i, w) in words.iter().enumerate() {
        let Some(target) = w.tag.target() else {
            open = false;
            continue;
        };
        let continues = open
            && matches!(w.tag, Tag::Inside(_))
            && spans.last().is_some_and(|s| {
                s.target == target && s.words.last().is_some_and(|&j| words[j].page == w.page)
            });
        match spans.last_mut() {
            Some(span) if continues => span.words.push(i),
            _ => spans.push(Span { target, words: vec![i], first_tag: w.tag, confidence: 0.0 }),
        }
        open = true;
    }
    for span in &mut spans {
        let sum: f32 = span.words.iter().map(|&i| words[i].probability).sum();
        span.confidence = sum / span.words.len() as f32;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::LineColumn;
    use invex_domain::FieldName;

    const TOTAL: Target = Target::Field(FieldName::TotalAmount);
    const NUMBER: Target = Target::Field(FieldName::InvoiceNumber);
    const QTY: Target = Target::Line(LineColumn::Quantity);

    fn check(tags: &[(Tag, u32)], expected: &[(Target, &[usize])]) {
        let words: Vec<TaggedWord> =
            tags.iter().map(|&(tag, page)| TaggedWord { tag, probability: 0.5, page }).collect();
        let got: Vec<(Target, Vec<usize>)> =
            decode_spans(&words).into_iter().map(|s| (s.target, s.words)).collect();
        let expected: Vec<(Target, Vec<usize>)> =
            expected.iter().map(|(t, w)| (*t, w.to_vec())).collect();
        assert_eq!(got, expected, "{tags:?}");
    }

    #[test]
    fn bio_table() {
        use Tag::*;
        check(&[(Outside, 1), (Begin(TOTAL), 1), (Inside(TOTAL), 1)], &[(TOTAL, &[1, 2])]);
        // I- without a B- starts a span.
        check(&[(Inside(TOTAL), 1), (Inside(TOTAL), 1)], &[(TOTAL, &[0, 1])]);
        // B- after B- of the same target: two spans.
        check(&[(Begin(TOTAL), 1), (Begin(TOTAL), 1)], &[(TOTAL, &[0]), (TOTAL, &[1])]);
        // I- of another target: a new span.
        check(&[(Begin(NUMBER), 1), (Inside(TOTAL), 1)], &[(NUMBER, &[0]), (TOTAL, &[1])]);
        // O breaks, and a later I- starts again.
        check(
            &[(Begin(TOTAL), 1), (Outside, 1), (Inside(TOTAL), 1)],
            &[(TOTAL, &[0]), (TOTAL, &[2])],
        );
        // A page break ends a span.
        check(&[(Begin(QTY), 1), (Inside(QTY), 2)], &[(QTY, &[0]), (QTY, &[1])]);
        check(&[(Outside, 1), (Outside, 1)], &[]);
        check(&[], &[]);
    }

    #[test]
    fn confidence_is_the_mean_probability() {
        let word = |tag, probability| TaggedWord { tag, probability, page: 1 };
        let spans = decode_spans(&[word(Tag::Begin(TOTAL), 0.9), word(Tag::Inside(TOTAL), 0.5)]);
        assert!((spans[0].confidence - 0.7).abs() < 1e-6);
        assert_eq!(spans[0].first_tag, Tag::Begin(TOTAL));
    }
}
