//! A small element writer over quick-xml: open, close, leaf elements with
//! attributes, amounts with their currency, two-space indentation.

use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use rust_decimal::Decimal;

pub struct Xml<'w> {
    writer: Writer<&'w mut dyn Write>,
}

impl<'w> Xml<'w> {
    /// Starts a document with the XML declaration.
    pub fn new(out: &'w mut dyn Write) -> io::Result<Xml<'w>> {
        let mut writer = Writer::new_with_indent(out, b' ', 2);
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        Ok(Xml { writer })
    }

    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        let start = BytesStart::new(name).with_attributes(attrs.iter().copied());
        self.writer.write_event(Event::Start(start))
    }

    pub fn close(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name attrs>text</name>`, text escaped.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> io::Result<()> {
        self.open(name, attrs)?;
        self.writer.write_event(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    /// A leaf without attributes.
    pub fn text(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.leaf(name, &[], text)
    }

    /// A leaf only when there is a value.
    pub fn opt(&mut self, name: &str, text: Option<&str>) -> io::Result<()> {
        match text {
            Some(t) if !t.trim().is_empty() => self.text(name, t),
            _ => Ok(()),
        }
    }

    /// An amount with two decimals and its `currencyID`.
    pub fn amount(&mut self, name: &str, currency: &str, value: Decimal) -> io::Result<()> {
        self.leaf(name, &[("currencyID", currency)], &format!("{value:.2}"))
    }

    /// Ends the document with a newline.
    pub fn finish(mut self) -> io::Result<()> {
        self.writer.get_mut().write_all(b"\n")
    }
}
