//! The upload service's vocabulary: the rows it keeps ([`records`]), the
//! storage traits that `invex-storage` implements ([`store`]), and the rules
//! that decide review and validate corrections ([`review`]).

pub mod records;
pub mod review;
pub mod store;

pub use records::*;
pub use store::{
    AuditLog, BlobStore, InvoiceStore, JobQueue, ModelStore, Repository, StoreError, StoreResult,
    SupplierStore, TenantStore, UiStore, WebhookStore,
};
