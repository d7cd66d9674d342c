//! Amount and date parsers (being written).
