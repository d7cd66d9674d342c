//! [`TestDatabase`]: a throwaway database for tests. SQLite is a file in a
//! folder the test owns; PostgreSQL is a fresh `invex_test_<random>` database
//! on the server at `INVEX_TEST_POSTGRES_URL` (default
//! `postgres://root@127.0.0.1:5432/postgres`), dropped when the value is.

use std::path::Path;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The PostgreSQL server tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("INVEX_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".into())
}

pub struct TestDatabase {
    url: String,
    /// `(admin url, database name)` to drop on drop, for PostgreSQL.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub fn sqlite(dir: &Path) -> TestDatabase {
        TestDatabase { url: format!("sqlite://{}", dir.join("invex.db").display()), postgres: None }
    }

    /// Creates a fresh database; panics with the reason when the server is unreachable.
    pub async fn postgres() -> TestDatabase {
        let admin = postgres_admin_url();
        let name = format!("invex_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is needed at {admin} (set INVEX_TEST_POSTGRES_URL): {e}")
        });
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        TestDatabase { url: with_database(&admin, &name), postgres: Some((admin.clone(), name)) }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// `server` (a postgres:// URL) pointing at database `name` instead, query kept.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else { return };
        // Drop runs inside or outside a runtime; a thread of its own works in both.
        let _ = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&admin).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
                .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_urls() {
        let check = |server: &str, expected: &str| assert_eq!(with_database(server, "x"), expected);
        check("postgres://root@127.0.0.1:5432/postgres", "postgres://root@127.0.0.1:5432/x");
        check("postgres://root@localhost", "postgres://root@localhost/x");
        check("postgres://u:p@h/db?sslmode=disable", "postgres://u:p@h/x?sslmode=disable");
    }
}
