//! api (skeleton)
