//! Tesseract's TSV output (`GetTSVText`) → words with pixel boxes and confidence.
//!
//! Columns: `level page_num block_num par_num line_num word_num left top width
//! height conf text`. Level 5 rows are words; `conf` is 0–100 (−1 on the
//! structural rows of levels 1–4). There is no header row from the API.

/// One recognised word, in the pixels of the image Tesseract was given.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrWord {
    pub text: String,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// 0–1 (Tesseract's 0–100 divided by 100).
    pub confidence: f32,
    /// The top and height of the word's text line (its level-4 row), which
    /// spans ascenders and descenders; the word's own box when missing.
    pub line_top: u32,
    pub line_height: u32,
}

/// The level-5 (word) rows with non-blank text, each with its line's
/// extent; malformed rows are skipped.
pub fn parse_tsv(tsv: &str) -> Vec<OcrWord> {
    let mut words = Vec::new();
    let mut line: Option<(u32, u32)> = None;
    for row in tsv.lines() {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<u32>().ok();
        match cols[0] {
            "4" => line = num(7).zip(num(9)),
            "5" => {
                let text = cols[11].trim();
                let conf = cols[10].trim().parse::<f32>().ok();
                let (Some(left), Some(top), Some(width), Some(height), Some(conf)) =
                    (num(6), num(7), num(8), num(9), conf)
                else {
                    continue;
                };
                if text.is_empty() {
                    continue;
                }
                let (line_top, line_height) = line.unwrap_or((top, height));
                words.push(OcrWord {
                    text: text.to_string(),
                    left,
                    top,
                    width,
                    height,
                    confidence: (conf / 100.0).clamp(0.0, 1.0),
                    line_top,
                    line_height,
                });
            }
            _ => {}
        }
    }
    words
}

/// A word taller than this many times the page's median word height is not
/// text: Tesseract boxes a column of faded print, a barcode or a stamp as one
/// tall "word" ("©", "OO", "DOS", 14× the text's height on a receipt). The
/// largest real print seen on the corpus's scans is a logo at 4×.
const BLOB_HEIGHT: u32 = 5;
/// A text line more than this many times the median word height tall is a
/// merged block, not a line: its words keep their own boxes.
const BLOCK_LINE_HEIGHT: u32 = 3;

/// Drops the tall non-text "words" of a page read and gives words whose
/// "line" is a merged block their own extent, so that neither joins a real
/// text line (a receipt's "ZU ZAHLEN 8,83" was read as the caption beside a
/// 170 pt column of noise). Pages with fewer than 8 words are kept as read.
pub fn drop_blobs(mut words: Vec<OcrWord>) -> Vec<OcrWord> {
    let mut heights: Vec<u32> = words
        .iter()
        .filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .map(|w| w.height)
        .collect();
    if heights.len() < 8 {
        return words;
    }
    let mid = heights.len() / 2;
    let median = *heights.select_nth_unstable(mid).1;
    words.retain(|w| w.height <= BLOB_HEIGHT * median.max(1));
    for w in &mut words {
        if w.line_height > BLOCK_LINE_HEIGHT * median.max(1) {
            (w.line_top, w.line_height) = (w.top, w.height);
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &[(&str, [u32; 4], f32)]) {
        let got = parse_tsv(input);
        let got: Vec<(&str, [u32; 4], f32)> = got
            .iter()
            .map(|w| (w.text.as_str(), [w.left, w.top, w.width, w.height], w.confidence))
            .collect();
        assert_eq!(got, expected, "input: {input:?}");
    }

    #[test]
    fn word_rows_become_words() {
        check(
            "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n\
             2\t1\t1\t0\t0\t0\t236\t236\t900\t60\t-1\t\n\
             5\t1\t1\t1\t1\t1\t236\t236\t300\t60\t96.5\tFaktura\n\
             5\t1\t1\t1\t1\t2\t560\t236\t200\t60\t40\tnr:\n",
            &[("Faktura", [236, 236, 300, 60], 0.965), ("nr:", [560, 236, 200, 60], 0.4)],
        );
    }

    #[test]
    fn words_carry_their_line_extent() {
        let words = parse_tsv(
            "4\t1\t1\t1\t1\t0\t200\t100\t500\t44\t-1\t\n\
             5\t1\t1\t1\t1\t1\t200\t108\t20\t30\t91\t1\n\
             5\t1\t1\t1\t1\t2\t240\t106\t90\t38\t93\t178,75\n\
             4\t1\t1\t1\t2\t0\t200\t160\t300\t40\t-1\t\n\
             5\t1\t1\t1\t2\t1\t200\t161\t80\t39\t96\tTotal\n",
        );
        let got: Vec<(&str, u32, u32)> =
            words.iter().map(|w| (w.text.as_str(), w.line_top, w.line_height)).collect();
        assert_eq!(got, [("1", 100, 44), ("178,75", 100, 44), ("Total", 160, 40)]);
        let alone = parse_tsv("5\t1\t1\t1\t1\t1\t10\t20\t5\t7\t95\tx\n");
        assert_eq!((alone[0].line_top, alone[0].line_height), (20, 7));
    }

    fn ocr(text: &str, top: u32, height: u32, line: (u32, u32)) -> OcrWord {
        OcrWord {
            text: text.into(),
            left: 0,
            top,
            width: 10,
            height,
            confidence: 0.9,
            line_top: line.0,
            line_height: line.1,
        }
    }

    #[test]
    fn tall_blobs_are_dropped_and_block_lines_are_not_lines() {
        let mut page: Vec<OcrWord> =
            (0..10).map(|i| ocr("Brot", i * 20, 10, (i * 20, 12))).collect();
        // (text, top, height, line) → kept?, line extent after
        let table = [
            (ocr("©", 0, 170, (0, 170)), None),                  // a 17× blob
            (ocr("LOGO", 0, 40, (0, 42)), Some((0, 40))),        // 4× print stays
            (ocr("8,83", 250, 11, (80, 180)), Some((250, 11))),  // a block "line"
            (ocr("Summe", 250, 11, (249, 13)), Some((249, 13))), // a real line
        ];
        page.extend(table.iter().map(|(w, _)| w.clone()));
        let kept = drop_blobs(page);
        for (w, want) in &table {
            let got = kept.iter().find(|k| k.text == w.text).map(|k| (k.line_top, k.line_height));
            assert_eq!(got, *want, "{}", w.text);
        }
        let few = vec![ocr("©", 0, 170, (0, 170)), ocr("ab", 0, 10, (0, 10))];
        assert_eq!(drop_blobs(few.clone()), few, "too few words to judge");
    }

    #[test]
    fn blank_and_malformed_rows_are_skipped() {
        check("5\t1\t1\t1\t1\t1\t10\t10\t5\t5\t95\t \n", &[]);
        check("5\t1\t1\t1\t1\t1\t10\t10\t5\n", &[]);
        check("5\t1\t1\t1\t1\t1\tx\t10\t5\t5\t95\tord\n", &[]);
        check("", &[]);
        check("4\t1\t1\t1\t1\t0\t10\t10\t5\t5\t-1\t\n", &[]);
    }

    #[test]
    fn text_keeps_inner_characters_and_confidence_is_clamped() {
        check(
            "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t100.0\tSöderström\n\
             5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t-1\t1\u{a0}234,56\n",
            &[("Söderström", [0, 0, 1, 1], 1.0), ("1\u{a0}234,56", [0, 0, 1, 1], 0.0)],
        );
    }
}
