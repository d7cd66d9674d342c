//! datasets (skeleton)
