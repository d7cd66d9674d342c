//! [`SqlRepository`]: the service's database, SQLite or PostgreSQL.
// Filled in by the storage work: connection, migrations, and the Repository impl.

pub struct SqlRepository;
