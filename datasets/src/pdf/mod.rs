//! PDF output: the shipped fonts, a small top-left-origin drawing API that
//! records every word with its box and label, and the writer.

pub mod canvas;
pub mod fonts;
pub mod write;

pub use canvas::{Doc, Op, PAGE_H, PAGE_W, Rgb, TextStyle, wrap};
pub use fonts::FontId;
pub use write::write_pdf;
