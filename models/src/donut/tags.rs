//! Donut's output language: `<s_name>value</s_name>`, nested for groups,
//! `<sep/>` between the items of a list. [`lex`] cuts a decoded string into
//! [`Piece`]s (the runner builds the same pieces from token ids, with each
//! token's probability), and [`parse`] turns pieces into [`Node`]s.
//!
//! A model's output is not always well formed, and parsing never fails:
//! - a closing tag with no open element of its name is ignored;
//! - a closing tag that skips open elements closes them: their own text is
//!   dropped (it was never terminated), their finished children are kept;
//! - elements still open at the end are treated the same way, so a sequence
//!   cut by the length limit keeps every field it finished;
//! - text outside any element is ignored.

/// One piece of an output sequence.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// `<s_name>`
    Open(String),
    /// `</s_name>`
    Close(String),
    /// `<sep/>`
    Sep,
    /// Text between tags, with the probability of each token that spelled
    /// it (empty when it was read from a string).
    Text { text: String, probabilities: Vec<f32> },
}

impl Piece {
    pub fn text(text: impl Into<String>) -> Piece {
        Piece::Text { text: text.into(), probabilities: Vec::new() }
    }
}

/// The text of an element (one item of a `<sep/>` list).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextValue {
    pub text: String,
    pub probabilities: Vec<f32>,
}

impl TextValue {
    /// The mean probability of the tokens that spelled the value, if known.
    pub fn mean_probability(&self) -> Option<f32> {
        let n = self.probabilities.len();
        (n > 0).then(|| self.probabilities.iter().sum::<f32>() / n as f32)
    }
}

/// A closed `<s_name>…</s_name>` element.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    pub name: String,
    /// Its own text, trimmed, one value per `<sep/>`-separated item; empty
    /// items are dropped.
    pub values: Vec<TextValue>,
    pub children: Vec<Node>,
}

/// Cuts `s` into tags and text.
pub fn lex(s: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('<') {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        match tag_at(rest) {
            Some((piece, len)) => {
                if !text.is_empty() {
                    pieces.push(Piece::text(std::mem::take(&mut text)));
                }
                pieces.push(piece);
                rest = &rest[len..];
            }
            None => {
                text.push('<');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::text(text));
    }
    pieces
}

/// The tag that `s` starts with, and its length in bytes.
pub fn tag_at(s: &str) -> Option<(Piece, usize)> {
    if s.starts_with("<sep/>") {
        return Some((Piece::Sep, "<sep/>".len()));
    }
    let (close, name_start) = if s.starts_with("</s_") {
        (true, 4)
    } else if s.starts_with("<s_") {
        (false, 3)
    } else {
        return None;
    };
    let end = s.find('>')?;
    let name = &s[name_start..end];
    let plain = !name.is_empty() && !name.contains(|c: char| c == '<' || c.is_whitespace());
    if !plain {
        return None;
    }
    let piece = if close { Piece::Close(name.into()) } else { Piece::Open(name.into()) };
    Some((piece, end + 1))
}

/// Whether a token is exactly one tag (`<s_x>`, `</s_x>` or `<sep/>`).
pub fn is_tag(token: &str) -> bool {
    tag_at(token).is_some_and(|(_, len)| len == token.len())
}

/// The elements that `pieces` spell, top level first.
pub fn parse(pieces: &[Piece]) -> Vec<Node> {
    // stack[0] is the root: it collects top-level elements, never text.
    let mut stack = vec![Node::default()];
    for piece in pieces {
        match piece {
            Piece::Open(name) => stack.push(Node { name: name.clone(), ..Node::default() }),
            Piece::Close(name) => {
                let Some(at) = stack.iter().skip(1).rposition(|n| &n.name == name) else {
                    continue;
                };
                let at = at + 1;
                while stack.len() > at + 1 {
                    abandon(&mut stack);
                }
                let mut node = stack.pop().expect("the element being closed");
                finish(&mut node);
                stack.last_mut().expect("the root").children.push(node);
            }
            Piece::Sep if stack.len() > 1 => {
                stack.last_mut().expect("an element").values.push(TextValue::default());
            }
            Piece::Text { text, probabilities } if stack.len() > 1 => {
                let node = stack.last_mut().expect("an element");
                if node.values.is_empty() {
                    node.values.push(TextValue::default());
                }
                let value = node.values.last_mut().expect("a value");
                value.text.push_str(text);
                value.probabilities.extend_from_slice(probabilities);
            }
            Piece::Sep | Piece::Text { .. } => {}
        }
    }
    while stack.len() > 1 {
        abandon(&mut stack);
    }
    stack.pop().map(|root| root.children).unwrap_or_default()
}

/// Drops the unterminated element on top of the stack, handing its
/// finished children to its parent.
fn abandon(stack: &mut Vec<Node>) {
    let node = stack.pop().expect("an open element");
    stack.last_mut().expect("a parent").children.extend(node.children);
}

fn finish(node: &mut Node) {
    for value in &mut node.values {
        let trimmed = value.text.trim();
        if trimmed.len() != value.text.len() {
            value.text = trimmed.to_string();
        }
    }
    node.values.retain(|v| !v.text.is_empty());
}

/// A compact rendering for tests and logs: `name=value` for leaves (items
/// joined with `|`), `name{...}` for groups, elements joined with `; `.
pub fn render(nodes: &[Node]) -> String {
    nodes
        .iter()
        .map(|n| {
            let values: Vec<&str> = n.values.iter().map(|v| v.text.as_str()).collect();
            let mut out = n.name.clone();
            if !values.is_empty() {
                out.push('=');
                out.push_str(&values.join("|"));
            }
            if !n.children.is_empty() {
                out.push('{');
                out.push_str(&render(&n.children));
                out.push('}');
            }
            out
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(render(&parse(&lex(input))), expected, "{input}");
    }

    #[test]
    fn well_formed_sequences() {
        check("", "");
        check("<s_invoice_number>F-1043</s_invoice_number>", "invoice_number=F-1043");
        check(
            "<s_invoice_number> F-1043</s_invoice_number><s_total_amount> 1 234,56 </s_total_amount>",
            "invoice_number=F-1043; total_amount=1 234,56",
        );
        check("<s_a></s_a>", "a");
        check("<s_a>  </s_a>", "a");
        check("<s_a>x<sep/>y<sep/></s_a>", "a=x|y");
        check("<s_a>x<sep/><sep/> y</s_a>", "a=x|y");
        check("<s_group><s_a>1</s_a><s_b>2</s_b></s_group>", "group{a=1; b=2}");
        check("<s_a>1</s_a><s_a>2</s_a>", "a=1; a=2");
        check("<s_items><s_d>x</s_d><sep/><s_d>y</s_d></s_items>", "items{d=x; d=y}");
    }

    #[test]
    fn text_that_only_looks_like_tags() {
        check("<s_a>a < b</s_a>", "a=a < b");
        check("<s_a><s x></s_a>", "a=<s x>");
        check("<s_a>1<2></s_a>", "a=1<2>");
        check("<s_a>x</s>", "");
        check("<s_a>x</s_a></s>", "a=x");
    }

    #[test]
    fn malformed_sequences_give_partial_results() {
        // Text outside any element.
        check("hello <s_a>1</s_a> world", "a=1");
        // A stray closing tag.
        check("</s_b><s_a>1</s_a></s_a>", "a=1");
        check("<s_a>1</s_b></s_a>", "a=1");
        // Cut short by the length limit: the unfinished value is dropped.
        check("<s_a>1</s_a><s_b>23", "a=1");
        check("<s_group><s_a>1</s_a><s_b>2", "a=1");
        // A closing tag that skips an open element closes it.
        check("<s_group><s_a>1</s_a><s_b>2</s_group>", "group{a=1}");
        check("<s_a>1<s_b>2</s_b>", "b=2");
        // Open and close crossed.
        check("<s_a><s_b>1</s_a></s_b>", "a");
        // Nothing closed at all.
        check("<s_a><s_b><s_c>", "");
    }

    #[test]
    fn probabilities_follow_the_text() {
        let pieces = vec![
            Piece::Open("a".into()),
            Piece::Text { text: " 12".into(), probabilities: vec![0.5, 1.0] },
            Piece::Text { text: "3".into(), probabilities: vec![0.75] },
            Piece::Close("a".into()),
        ];
        let nodes = parse(&pieces);
        assert_eq!(nodes[0].values[0].text, "123");
        assert_eq!(nodes[0].values[0].mean_probability(), Some(0.75));
    }

    #[test]
    fn tags_are_recognised_exactly() {
        let check = |token: &str, expected: bool| assert_eq!(is_tag(token), expected, "{token}");
        check("<s_invoice_number>", true);
        check("</s_total_amount>", true);
        check("<sep/>", true);
        check("<s_invex>", true);
        check("</s>", false);
        check("<s>", false);
        check("<pad>", false);
        check("<s_a>x", false);
        check("▁F", false);
    }
}
