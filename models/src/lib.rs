//! models (skeleton)
