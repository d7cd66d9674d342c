//! Test support (feature `testing`): [`MotoServer`], a real S3-compatible
//! server (moto) on a free loopback port, for this crate's suite and the
//! root package's end-to-end tests.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{S3BlobStore, S3Config};

/// How to get moto, for the failure messages.
const INSTALL: &str = "install it with `python3 -m venv ~/.cache/invex-moto/venv && \
    ~/.cache/invex-moto/venv/bin/pip install \"moto[server]\"` (scripts/test.sh does this), \
    or point INVEX_MOTO_SERVER at a moto_server executable";

/// How long moto may take to answer after it started.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `moto_server`, killed on drop. It accepts any credentials.
pub struct MotoServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

/// `moto_server`: `$INVEX_MOTO_SERVER`, else the venv that scripts/test.sh
/// creates (`~/.cache/invex-moto/venv`), else the first on `PATH`.
pub fn moto_server_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("INVEX_MOTO_SERVER").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let venv = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".cache/invex-moto/venv/bin/moto_server"));
    if let Some(venv) = venv.filter(|p| p.is_file()) {
        return Some(venv);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("moto_server"))
        .find(|p| p.is_file())
}

impl MotoServer {
    /// Starts moto and waits until it answers HTTP. Panics, failing the
    /// test, when moto is not installed or does not come up; blocks the
    /// calling thread for the second or two moto needs.
    pub fn start() -> MotoServer {
        let Some(program) = moto_server_path() else {
            panic!("moto_server (a local S3 server the S3 tests need) was not found: {INSTALL}");
        };
        let port = free_port();
        let log =
            std::env::temp_dir().join(format!("invex-moto-{}-{port}.log", std::process::id()));
        let log_file = File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("moto log"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}; {INSTALL}", program.display()));
        let mut server = MotoServer { child, port, log };
        server.wait_until_ready(&program);
        server
    }

    fn wait_until_ready(&mut self, program: &std::path::Path) {
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before answering: {}\n{INSTALL}",
                    program.display(),
                    self.log_text()
                );
            }
            if answers(self.port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{} did not answer on port {} within {START_TIMEOUT:?}: {}",
            program.display(),
            self.port,
            self.log_text()
        );
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A config for `s3://bucket/prefix` on this server (path style, dummy
    /// credentials, us-east-1).
    pub fn config(&self, bucket: &str, prefix: &str) -> S3Config {
        S3Config {
            bucket: bucket.into(),
            prefix: prefix.into(),
            endpoint: Some(self.endpoint()),
            region: "us-east-1".into(),
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
            force_path_style: true,
        }
    }

    /// The environment that makes [`S3Config::from_url`] (and so `invex`)
    /// talk to this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("INVEX_S3_FORCE_PATH_STYLE", "true".into()),
        ]
    }

    /// Creates `bucket` and returns a store for `s3://bucket/prefix`.
    pub async fn bucket(&self, bucket: &str, prefix: &str) -> S3BlobStore {
        let store = S3BlobStore::new(&self.config(bucket, prefix));
        store
            .create_bucket()
            .await
            .unwrap_or_else(|e| panic!("creating bucket {bucket} on moto: {e}"));
        store
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Whether an HTTP server answers a request on `port`.
fn answers(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    let mut head = [0u8; 5];
    stream.write_all(request).is_ok() && stream.read_exact(&mut head).is_ok() && &head == b"HTTP/"
}
