//! Document reading in helper processes, so that a crash or hang in native
//! code (pdfium, Tesseract, the image decoders) on a hostile file costs that
//! file only, never the batch or the server.
//!
//! [`IsolatedReader`] is a [`DocumentReader`] that sends each file to a pool
//! of helpers: the `invex` binary re-executed as `invex reader`, which reads
//! with the in-process reader and answers. The messages on the helper's
//! stdin and stdout are length-prefixed: a request is one byte (`1` read,
//! `2` attachments, `3` both, `4` draw a page), a little-endian `u32` length
//! and the file's bytes (for `4`, the page and the width as two `u32`s
//! first); an answer is a `u32` length and the JSON of `Result<Document,
//! DocumentError>` (or of the attachments, of both, or of the page's PNG).
//! [`serve`] is the helper's side. The review UI's page images
//! ([`PageRenderer`]) are drawn here too, so the API process never opens an
//! uploaded file with native code.
//!
//! Limits: each helper starts under `ulimit -v` (address space) and `ulimit
//! -t` (CPU seconds over its life, so a helper retires after
//! [`HelperLimits::reads_per_helper`] files), and each file has a wall-clock
//! limit, after which the helper is killed. A helper that dies or is killed
//! is dropped and the next file gets a fresh one; the file fails with
//! `reader_crashed` or `reader_timeout`. Helpers are started on demand and
//! kept idle between files, one per concurrent caller at most.

use std::cell::RefCell;
use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use invex_domain::{Attachment, Document, DocumentError, DocumentReader, PageRenderer};

/// Requests larger than this are refused by the helper (the upload limits
/// are far below).
pub const MAX_MESSAGE: usize = 1 << 30;

const OP_READ: u8 = 1;
const OP_ATTACHMENTS: u8 = 2;
/// Attachments and the page in one round trip: the pipeline reads the page
/// right after it lists the attachments (unless it trusts the XML alone).
const OP_BOTH: u8 = 3;
/// A page drawn as PNG, for the review UI.
const OP_RENDER: u8 = 4;

/// What a helper may use.
#[derive(Debug, Clone)]
pub struct HelperLimits {
    /// Wall-clock time for one file.
    pub timeout: Duration,
    /// Address space of a helper, bytes (`ulimit -v`).
    pub memory_bytes: u64,
    /// Files a helper reads before it retires; its CPU limit is this many
    /// times `timeout`.
    pub reads_per_helper: u32,
}

impl Default for HelperLimits {
    fn default() -> Self {
        HelperLimits {
            timeout: Duration::from_secs(120),
            memory_bytes: 4 << 30,
            reads_per_helper: 200,
        }
    }
}

struct Helper {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    reads: u32,
    /// Arms (`Some(deadline)`) and disarms the helper's watchdog thread.
    watchdog: Sender<Option<Instant>>,
    /// Set by the watchdog when it killed the helper.
    killed: Arc<AtomicBool>,
}

/// Kills process `pid` when an armed deadline passes; exits when the helper
/// is dropped (the sender closes).
fn watchdog(pid: u32, arm: Receiver<Option<Instant>>, killed: Arc<AtomicBool>) {
    let mut deadline: Option<Instant> = None;
    loop {
        let message = match deadline {
            None => arm.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(d) => arm.recv_timeout(d.saturating_duration_since(Instant::now())),
        };
        match message {
            Ok(next) => deadline = next,
            Err(RecvTimeoutError::Timeout) => {
                killed.store(true, Ordering::SeqCst);
                let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
                deadline = None;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

thread_local! {
    /// The page read with the attachments of the file this thread is on
    /// ([`OP_BOTH`]), for the `read` that follows.
    static PREFETCHED: RefCell<Option<(Key, Result<Document, DocumentError>)>> =
        const { RefCell::new(None) };
}

/// Where a file's bytes are, how many, and a hash of their first and last
/// 4 KiB: which file [`PREFETCHED`] holds.
type Key = (usize, usize, u64);

fn key(bytes: &[u8]) -> Key {
    let ends = bytes.iter().take(4096).chain(bytes.iter().rev().take(4096));
    let hash = ends
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    (bytes.as_ptr() as usize, bytes.len(), hash)
}

/// Reads documents in helper processes (see the module docs).
pub struct IsolatedReader {
    /// The `invex` binary.
    exe: PathBuf,
    /// Extra environment for the helpers.
    env: Vec<(String, String)>,
    limits: HelperLimits,
    idle: Mutex<Vec<Helper>>,
    /// Read the page along with the attachments ([`OP_BOTH`]).
    prefetch: bool,
}

impl IsolatedReader {
    /// Helpers are `exe reader`, started when first needed.
    pub fn new(exe: PathBuf, limits: HelperLimits) -> Self {
        let idle = Mutex::new(Vec::new());
        IsolatedReader { exe, env: Vec::new(), limits, idle, prefetch: true }
    }

    /// Whether listing a PDF's attachments also reads its page, for the
    /// `read` the pipeline makes next (one round trip instead of two). Off
    /// when the XML alone is trusted, since the page is then not read.
    pub fn with_prefetch(mut self, prefetch: bool) -> Self {
        self.prefetch = prefetch;
        self
    }

    /// Sets an environment variable for the helpers.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    fn spawn(&self) -> Result<Helper, DocumentError> {
        let kib = (self.limits.memory_bytes / 1024).max(1);
        let cpu = self.limits.timeout.as_secs().max(1) * u64::from(self.limits.reads_per_helper);
        // The shell sets the limits and is replaced by the helper.
        let script = format!("ulimit -v {kib} && ulimit -t {cpu} && exec \"$0\" reader");
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(script)
            .arg(&self.exe)
            // One thread per helper: callers run helpers side by side.
            .env("RAYON_NUM_THREADS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let mut child = command.spawn().map_err(|e| {
            DocumentError::Io(format!("cannot start the reader {}: {e}", self.exe.display()))
        })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(DocumentError::Io("the reader's pipes are missing".into()));
        };
        let (arm, wait) = channel();
        let killed = Arc::new(AtomicBool::new(false));
        let (pid, flag) = (child.id(), killed.clone());
        std::thread::spawn(move || watchdog(pid, wait, flag));
        let stdout = BufReader::new(stdout);
        Ok(Helper { child, stdin, stdout, reads: 0, watchdog: arm, killed })
    }

    /// Sends one request to an idle (or new) helper and returns its answer.
    fn call(&self, op: u8, bytes: &[u8]) -> Result<Vec<u8>, DocumentError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut helper = match idle {
            Some(h) => h,
            None => self.spawn()?,
        };
        // The watchdog kills the helper when the file takes too long.
        let timeout = self.limits.timeout;
        let _ = helper.watchdog.send(Some(Instant::now() + timeout));
        let answer = exchange(&mut helper, op, bytes);
        let _ = helper.watchdog.send(None);
        match answer {
            Ok(answer) if !helper.killed.load(Ordering::SeqCst) => {
                helper.reads += 1;
                if helper.reads < self.limits.reads_per_helper {
                    self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(helper);
                } else {
                    retire(helper);
                }
                Ok(answer)
            }
            _ => {
                let _ = helper.child.kill();
                let status = helper.child.wait().map(|s| s.to_string()).unwrap_or_default();
                if helper.killed.load(Ordering::SeqCst) {
                    Err(DocumentError::ReaderTimeout { seconds: timeout.as_secs() })
                } else {
                    Err(DocumentError::ReaderCrashed(status))
                }
            }
        }
    }
}

/// Closes a helper's stdin (it exits at end of input) and reaps it.
fn retire(helper: Helper) {
    let Helper { mut child, stdin, watchdog, .. } = helper;
    drop(watchdog);
    drop(stdin);
    let _ = child.wait();
}

impl Drop for IsolatedReader {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        idle.into_iter().for_each(retire);
    }
}

fn exchange(helper: &mut Helper, op: u8, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
    helper.stdin.write_all(&[op])?;
    helper.stdin.write_all(&len.to_le_bytes())?;
    helper.stdin.write_all(bytes)?;
    helper.stdin.flush()?;
    let mut head = [0u8; 4];
    helper.stdout.read_exact(&mut head)?;
    let len = u32::from_le_bytes(head) as usize;
    if len > MAX_MESSAGE {
        return Err(std::io::Error::other("an answer above the message limit"));
    }
    let mut answer = vec![0u8; len];
    helper.stdout.read_exact(&mut answer)?;
    Ok(answer)
}

fn garbled(e: serde_json::Error) -> DocumentError {
    DocumentError::ReaderCrashed(format!("an answer that is not JSON: {e}"))
}

type Both = (Result<Vec<Attachment>, DocumentError>, Result<Document, DocumentError>);

impl DocumentReader for IsolatedReader {
    fn read(&self, bytes: &[u8]) -> Result<Document, DocumentError> {
        let k = key(bytes);
        let prefetched = PREFETCHED.with(|p| p.borrow_mut().take_if(|(at, _)| *at == k));
        if let Some((_, document)) = prefetched {
            return document;
        }
        let answer = self.call(OP_READ, bytes)?;
        serde_json::from_slice::<Result<Document, DocumentError>>(&answer).map_err(garbled)?
    }

    fn attachments(&self, bytes: &[u8]) -> Result<Vec<Attachment>, DocumentError> {
        if !self.prefetch {
            let answer = self.call(OP_ATTACHMENTS, bytes)?;
            return serde_json::from_slice::<Result<Vec<Attachment>, DocumentError>>(&answer)
                .map_err(garbled)?;
        }
        let (attachments, document) = match self.call(OP_BOTH, bytes) {
            Ok(answer) => serde_json::from_slice::<Both>(&answer).map_err(garbled)?,
            // The crash or timeout is the page's too: `read` reports it again.
            Err(e) => (Err(e.clone()), Err(e)),
        };
        PREFETCHED.with(|p| *p.borrow_mut() = Some((key(bytes), document)));
        attachments
    }
}

impl PageRenderer for IsolatedReader {
    fn render_png(&self, bytes: &[u8], page: u32, width: u32) -> Result<Vec<u8>, DocumentError> {
        let mut request = Vec::with_capacity(bytes.len() + 8);
        request.extend_from_slice(&page.to_le_bytes());
        request.extend_from_slice(&width.to_le_bytes());
        request.extend_from_slice(bytes);
        let answer = self.call(OP_RENDER, &request)?;
        serde_json::from_slice::<Result<Vec<u8>, DocumentError>>(&answer).map_err(garbled)?
    }
}

/// Marks that make a helper misbehave on purpose, for the tests of crash and
/// hang containment; honoured only when `INVEX_READER_FAULTS=1` is set.
pub const ABORT_MARK: &[u8] = b"%INVEX-TEST-ABORT";
pub const HANG_MARK: &[u8] = b"%INVEX-TEST-HANG";

/// The helper's side: reads requests from stdin until it closes, answers
/// each on stdout with `reader` (pages drawn with `pages`). Returns at end
/// of input.
pub fn serve(reader: &dyn DocumentReader, pages: &dyn PageRenderer) -> std::io::Result<()> {
    let faults = std::env::var("INVEX_READER_FAULTS").is_ok_and(|v| v == "1");
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    loop {
        let mut head = [0u8; 5];
        match input.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if len > MAX_MESSAGE {
            return Err(std::io::Error::other("a request above the message limit"));
        }
        let mut bytes = vec![0u8; len];
        input.read_exact(&mut bytes)?;
        if faults {
            let holds = |mark: &[u8]| bytes.windows(mark.len()).any(|w| w == mark);
            if holds(ABORT_MARK) {
                std::process::abort();
            }
            if holds(HANG_MARK) {
                loop {
                    std::thread::sleep(Duration::from_secs(3600));
                }
            }
        }
        let answer = match head[0] {
            OP_READ => serde_json::to_vec(&reader.read(&bytes)),
            OP_ATTACHMENTS => serde_json::to_vec(&reader.attachments(&bytes)),
            OP_BOTH => serde_json::to_vec(&(reader.attachments(&bytes), reader.read(&bytes))),
            OP_RENDER if bytes.len() >= 8 => {
                let page = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                let width = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
                serde_json::to_vec(&pages.render_png(&bytes[8..], page, width))
            }
            other => {
                return Err(std::io::Error::other(format!("unknown request {other}")));
            }
        }
        .map_err(std::io::Error::other)?;
        let len = u32::try_from(answer.len()).map_err(std::io::Error::other)?;
        output.write_all(&len.to_le_bytes())?;
        output.write_all(&answer)?;
        output.flush()?;
    }
}
