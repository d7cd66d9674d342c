//! Parsing with limits, and the few tree helpers the mappings need:
//! child steps by local name (as XPath's `*[local-name()=…]`), normalised
//! text, and a readable path for each value's evidence.

use roxmltree::{Document, Node, ParsingOptions};

use crate::Limits;
use crate::error::Error;

/// Parses `bytes` as XML, refusing DTDs (so no entity expansion and no
/// external entities), oversized input, too many nodes and deep nesting.
pub fn parse<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Document<'a>, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::Unsafe(format!(
            "the XML is {} bytes, above the limit of {} bytes",
            bytes.len(),
            limits.max_bytes
        )));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::Invalid(format!("the XML is not UTF-8: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options =
        ParsingOptions { allow_dtd: false, nodes_limit: limits.max_nodes, ..Default::default() };
    let doc = Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => {
            Error::Unsafe("the XML has a DTD (<!DOCTYPE …>); e-invoices never do, and DTDs can expand entities or fetch external files".into())
        }
        roxmltree::Error::NodesLimitReached => {
            Error::Unsafe(format!("the XML has more than {} nodes", limits.max_nodes))
        }
        roxmltree::Error::EntityReferenceLoop(_) => {
            Error::Unsafe("the XML's entity references loop".into())
        }
        other => Error::Invalid(other.to_string()),
    })?;
    check_depth(doc.root(), limits.max_depth)?;
    Ok(doc)
}

/// Refuses nesting deeper than `max` elements, walking with an explicit stack.
fn check_depth(root: Node, max: usize) -> Result<(), Error> {
    let mut stack = vec![(root, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > max {
            return Err(Error::Unsafe(format!("the XML nests elements deeper than {max} levels")));
        }
        stack.extend(node.children().filter(|c| c.is_element()).map(|c| (c, depth + 1)));
    }
    Ok(())
}

/// The element children of `node` whose local name is `name`.
pub fn children<'a, 'i, 'n>(
    node: Node<'a, 'i>,
    name: &'n str,
) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i, 'n> {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

pub fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// Every element reached from `node` by the child steps of `path`
/// (`"SellerTradeParty/Name"`), in document order.
pub fn select<'a, 'i>(node: Node<'a, 'i>, path: &str) -> Vec<Node<'a, 'i>> {
    let mut current = vec![node];
    for step in path.split('/') {
        current = current.into_iter().flat_map(|n| children(n, step)).collect();
    }
    current
}

/// The first element reached by `path`.
pub fn first<'a, 'i>(node: Node<'a, 'i>, path: &str) -> Option<Node<'a, 'i>> {
    select(node, path).into_iter().next()
}

/// The first descendant element (not `node` itself) with local name `name`.
pub fn descendant<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.descendants().skip(1).find(|d| d.is_element() && d.tag_name().name() == name)
}

/// The element's text (all text below it), trimmed, whitespace runs made
/// one space; `None` when empty.
pub fn text(node: Node) -> Option<String> {
    let raw: String = node.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect();
    let joined = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// A readable absolute path with the document's prefixes and a 1-based
/// index where siblings share a name:
/// `/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[2]`.
pub fn path(node: Node) -> String {
    let mut steps: Vec<String> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| {
            let local = n.tag_name().name();
            let name = match n.tag_name().namespace().and_then(|ns| n.lookup_prefix(ns)) {
                Some(prefix) if !prefix.is_empty() => format!("{prefix}:{local}"),
                _ => local.to_string(),
            };
            let same: Vec<_> = n
                .parent()
                .map(|p| {
                    p.children()
                        .filter(|c| c.is_element() && c.tag_name() == n.tag_name())
                        .collect()
                })
                .unwrap_or_default();
            if same.len() > 1 {
                let index = same.iter().position(|c| *c == n).unwrap_or(0) + 1;
                format!("{name}[{index}]")
            } else {
                name
            }
        })
        .collect();
    steps.reverse();
    format!("/{}", steps.join("/"))
}
