//! exporters (skeleton)
