//! The command line: one clap struct, with environment-variable fallbacks.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "invex",
    version,
    about = "Reads invoices and turns them into booked, exportable data"
)]
pub struct Cli {
    /// Log filter (tracing EnvFilter syntax), for example `info` or `invex_pipeline=debug`.
    #[arg(long, global = true, env = "INVEX_LOG", default_value = "warn")]
    pub log: String,
    /// Worker threads for batch work (default: one per core).
    #[arg(long, global = true, env = "INVEX_THREADS")]
    pub threads: Option<usize>,
    /// Log format: `text`, or `json` (one object per line with the request id; the
    /// default for `serve` and `worker`).
    #[arg(long, global = true, env = "INVEX_LOG_FORMAT", value_parser = ["text", "json"])]
    pub log_format: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract invoice fields from PDF files and folders.
    Extract(ExtractArgs),
    /// Score predictions against ground truth, by the rules of shared/eval/score.py.
    Eval(EvalArgs),
    /// Synthetic training and test data.
    #[command(subcommand)]
    Dataset(DatasetCommand),
    /// Print the words and boxes read from a PDF (for debugging extraction).
    Words(WordsArgs),
    /// Check that the native libraries are installed and load.
    Doctor,
    /// The document-reading helper: length-prefixed requests on stdin,
    /// answers on stdout (started by the other commands, not by hand).
    #[command(hide = true)]
    Reader,
    /// Layout models: import a Hugging Face LayoutLMv3 export, verify, describe.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Book extracted invoices and export them: SIE 4I, PEPPOL BIS 3, CSV or Parquet files, or
    /// Fortnox and Visma eEkonomi through their APIs.
    Export(Box<ExportArgs>),
    /// Run the upload API and, in the same process, workers (embedded defaults: SQLite and a
    /// local folder in --data-dir).
    Serve(Box<crate::cli_service::ServeArgs>),
    /// Run workers alone: N machines share one PostgreSQL and one S3.
    Worker(Box<crate::cli_service::WorkerOnlyArgs>),
    /// Create and list tenants.
    #[command(subcommand)]
    Tenants(crate::cli_service::TenantsCommand),
    /// Learning from reviews: export reviewed invoices as training data.
    #[command(subcommand)]
    Learn(crate::cli_service::LearnCommand),
    /// Create, list and revoke API keys.
    #[command(subcommand)]
    Keys(crate::cli_service::KeysCommand),
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// PDF, e-invoice XML and image (PNG, JPEG, TIFF) files, folders
    /// (searched recursively) and s3://bucket/prefix URLs.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output file; the format follows the extension: .jsonl, .csv or .parquet.
    #[arg(short, long, env = "INVEX_OUTPUT", default_value = "results.jsonl")]
    pub output: PathBuf,
    /// Refuse input files larger than this many MiB.
    #[arg(long, env = "INVEX_MAX_FILE_MB", default_value_t = 200)]
    pub max_file_mb: u64,
    /// Hide the progress bar.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub extractor: ExtractorArgs,
    #[command(flatten)]
    pub donut: DonutArgs,
    #[command(flatten)]
    pub llm: LlmArgs,
}

/// The language-model fallback (the cascade's fourth stage): an
/// OpenAI-compatible endpoint asked about the invoices the local stages are
/// unsure of. Off unless `--llm-when` says otherwise. The key comes from
/// `INVEX_LLM_API_KEY` or `OPENAI_API_KEY` only (never a flag, so it stays
/// out of shell history and process lists) and is never printed.
#[derive(Debug, Clone, Args)]
pub struct LlmArgs {
    /// `unsure`: when a required field is missing, a check fails, or a booked
    /// field's confidence is below --llm-below; `always`; `never`.
    #[arg(long, env = "INVEX_LLM_WHEN", value_enum, default_value_t = LlmWhen::Never)]
    pub llm_when: LlmWhen,
    /// The endpoint's base URL: OpenAI, Azure OpenAI's v1 API
    /// (`https://RESOURCE.openai.azure.com/openai/v1`), or a local server
    /// (vLLM, llama.cpp server, Ollama: `http://127.0.0.1:PORT/v1`).
    #[arg(long, env = "INVEX_LLM_BASE_URL", default_value = "https://api.openai.com/v1")]
    pub llm_base_url: String,
    /// The model (on Azure: the deployment name).
    #[arg(long, env = "INVEX_LLM_MODEL", default_value = "gpt-4o-mini")]
    pub llm_model: String,
    /// The field confidence below which `unsure` asks.
    #[arg(long, env = "INVEX_LLM_BELOW", default_value_t = 0.5)]
    pub llm_below: f32,
    /// Requests in flight at once.
    #[arg(long, env = "INVEX_LLM_CONCURRENCY", default_value_t = 8)]
    pub llm_concurrency: usize,
    /// One request's time limit, in seconds.
    #[arg(long, env = "INVEX_LLM_TIMEOUT", default_value_t = 60)]
    pub llm_timeout: u64,
    /// Retries of a 429 or 5xx answer (honouring Retry-After) before giving up.
    #[arg(long, env = "INVEX_LLM_MAX_RETRIES", default_value_t = 6)]
    pub llm_max_retries: usize,
    /// A price, `MODEL=IN/OUT` in US dollars per million prompt and completion
    /// tokens; repeat for more models. gpt-4o-mini (0.15/0.60) and gpt-4o
    /// (2.50/10.00) are built in.
    #[arg(long, env = "INVEX_LLM_PRICE", value_delimiter = ',')]
    pub llm_price: Vec<String>,
    /// A monthly budget in US dollars (per tenant; a batch counts as the
    /// tenant `cli`); once spent, invoices go to review instead.
    #[arg(long, env = "INVEX_LLM_BUDGET_USD", value_parser = usd_amount)]
    pub llm_budget_usd: Option<f64>,
    /// Where answers are cached and spending counted: `sqlite://PATH` or
    /// `postgres://...` (default: `invex-llm.db` beside the output file).
    #[arg(long, env = "INVEX_LLM_CACHE")]
    pub llm_cache: Option<crate::cli_service::DatabaseUrl>,
    /// Ask through the OpenAI Batch API (half the price, answers within 24
    /// hours): the run's unsure invoices go in one batch at its end, and the
    /// run waits for it (see --llm-batch-wait). `invex extract` only.
    #[arg(long, env = "INVEX_LLM_BATCH")]
    pub llm_batch: bool,
    /// Seconds between polls of the batch.
    #[arg(long, env = "INVEX_LLM_BATCH_POLL", default_value_t = 30)]
    pub llm_batch_poll: u64,
    /// Minutes to wait for the batch; when they are over, the invoices are
    /// written without its answers, and running the same command again
    /// picks the batch up (it is remembered in OUTPUT.llm-batch.json).
    #[arg(long, env = "INVEX_LLM_BATCH_WAIT", default_value_t = 1440)]
    pub llm_batch_wait: u64,
}

/// A budget in US dollars: a finite amount, zero or more.
pub fn usd_amount(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|b| b.is_finite() && *b >= 0.0)
        .ok_or_else(|| format!("must be a non-negative amount in US dollars, not {s:?}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LlmWhen {
    Never,
    Unsure,
    Always,
}

/// An OCR-free Donut model beside the words-based extractor.
#[derive(Debug, Clone, Args)]
pub struct DonutArgs {
    /// A Donut export (optimum `image-to-text-with-past`: encoder_model.onnx and
    /// a merged or split decoder) to read page images. None is shipped.
    #[arg(long, env = "INVEX_DONUT_DIR")]
    pub donut: Option<PathBuf>,
    /// When to ask it: `when-unsure` (a needed field missing or any field below
    /// --donut-below; its fields then overrule only unsure ones), `always`, or
    /// `instead` of reading words.
    #[arg(long, env = "INVEX_DONUT_USE", value_enum, default_value_t = DonutUse::WhenUnsure, requires = "donut")]
    pub donut_use: DonutUse,
    /// The field confidence (OCR's caps it) below which `when-unsure` asks.
    #[arg(long, env = "INVEX_DONUT_BELOW", default_value_t = 0.5, requires = "donut")]
    pub donut_below: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DonutUse {
    WhenUnsure,
    Always,
    Instead,
}

/// Which extractor reads the words, and the layout model's settings.
#[derive(Debug, Clone, Args)]
pub struct ExtractorArgs {
    /// `combined` merges the rules and the layout model field by field
    /// (validators decide disagreements); `auto` is `rules`: on the real
    /// invoice corpus the shipped layout model does not beat the rules alone
    /// (see README, "Real invoices"), so it runs only when asked for.
    #[arg(long, env = "INVEX_EXTRACTOR", value_enum, default_value_t = ExtractorChoice::Auto)]
    pub extractor: ExtractorChoice,
    /// Layout model directory (default: the shipped model).
    #[arg(long, env = "INVEX_MODEL_DIR")]
    pub model: Option<PathBuf>,
    /// Run the int8 quantisation (the default: about 1.4x faster on CPU, and
    /// within 0.001 F1 of fp32 on the validation set) or the fp32 graph.
    #[arg(long, env = "INVEX_MODEL_VARIANT", value_enum, default_value_t = VariantChoice::Int8)]
    pub model_variant: VariantChoice,
    /// Documents per model call (windows are batched by length across them).
    /// On CPU 1 is fastest, since padding costs more than batching saves
    /// (`cargo bench --bench layout_model`); larger batches suit a GPU.
    #[arg(long, env = "INVEX_BATCH_SIZE", default_value_t = 1)]
    pub batch_size: usize,
    /// Confidence calibration: `shipped` (the rules' table, fitted on the
    /// real corpus's tuning part; used for `auto` and `rules` only), `none`
    /// (raw scores), or a table written by `invex eval --fit-calibration`.
    #[arg(long, env = "INVEX_CALIBRATION", default_value = "shipped")]
    pub calibration: String,
    /// E-invoices (XML files, and the XML inside ZUGFeRD/Factur-X/XRechnung
    /// PDFs): `check` reads the XML exactly and compares its key fields with
    /// the page (a disagreement is a failed check); `trust` reads the XML
    /// alone (as --trust-xml); `off` reads only the page.
    #[arg(long, env = "INVEX_E_INVOICE", value_enum, default_value_t = EInvoiceUse::Check)]
    pub e_invoice: EInvoiceUse,
    /// Skip reading the page of a PDF that carries an e-invoice: faster, no cross-check.
    #[arg(long, env = "INVEX_TRUST_XML")]
    pub trust_xml: bool,
    /// Also validate e-invoice XML against the official XSD (xmllint) and
    /// EN 16931 schematron (Saxon-HE), as warnings on the invoice. Slow:
    /// about 3 s per e-invoice (a Java start and an XSLT compile).
    #[arg(long, env = "INVEX_VALIDATE_XML")]
    pub validate_xml: bool,
    #[command(flatten)]
    pub reader: ReaderArgs,
}

/// Where documents are read: in helper processes (the default) or in this one.
#[derive(Debug, Clone, Args)]
pub struct ReaderArgs {
    /// Read PDFs and images, and run OCR, in this process instead of in
    /// helper processes. Faster to start, but a crash or hang in pdfium or
    /// Tesseract on a hostile file then takes the whole process down.
    #[arg(long, env = "INVEX_IN_PROCESS_READER")]
    pub in_process_reader: bool,
    /// Wall-clock limit for reading one file in a helper; the file then
    /// fails with `reader_timeout`.
    #[arg(long, env = "INVEX_READER_TIMEOUT_SECONDS", default_value_t = 120)]
    pub reader_timeout_seconds: u64,
    /// Address-space limit of a reader helper, in MiB; beyond it the file
    /// fails with `reader_crashed`.
    #[arg(long, env = "INVEX_READER_MEMORY_MB", default_value_t = 4096)]
    pub reader_memory_mb: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EInvoiceUse {
    Check,
    Trust,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExtractorChoice {
    Auto,
    Rules,
    Model,
    Combined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VariantChoice {
    Fp32,
    Int8,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Predictions JSONL, as `invex extract` writes.
    pub input: PathBuf,
    /// Target format.
    #[arg(long, value_enum, env = "INVEX_EXPORT_TO")]
    pub to: ExportTarget,
    /// Output file (sie, csv, parquet) or folder (peppol: one XML per invoice).
    #[arg(short, long, env = "INVEX_EXPORT_OUTPUT")]
    pub output: Option<PathBuf>,
    /// Tenant config (TOML): accounts, supplier numbers, exchange rates and the company (SIE
    /// #ORGNR, the PEPPOL buyer); BAS default accounts and no company without one.
    #[arg(long, env = "INVEX_TENANT_CONFIG")]
    pub config: Option<PathBuf>,
    /// csv/parquet: one row per line item instead of one per invoice.
    #[arg(long)]
    pub lines: bool,
    /// Also export invoices that still need review (a failed check, or too
    /// unsure to book without a person); by default they are skipped with
    /// the reason.
    #[arg(long, env = "INVEX_INCLUDE_UNREVIEWED")]
    pub include_unreviewed: bool,
    /// fortnox/visma: credentials, ledger, concurrency.
    #[command(flatten)]
    pub remote: crate::commands::export_remote::RemoteArgs,
}

/// Where `invex export` sends the bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportTarget {
    /// SIE 4I file (CP437), one voucher per invoice.
    Sie,
    /// PEPPOL BIS Billing 3.0 UBL, one XML per invoice, into a folder.
    Peppol,
    /// CSV, one row per invoice (or line item with --lines).
    Csv,
    /// Parquet, same columns as csv.
    Parquet,
    /// Fortnox supplier invoices through the API (INVEX_FORTNOX_*).
    Fortnox,
    /// Visma eEkonomi supplier invoice drafts through the API (INVEX_VISMA_*).
    Visma,
}

impl ExportTarget {
    pub fn name(self) -> &'static str {
        match self {
            ExportTarget::Sie => "SIE 4I",
            ExportTarget::Peppol => "PEPPOL BIS Billing 3.0",
            ExportTarget::Csv => "CSV",
            ExportTarget::Parquet => "Parquet",
            ExportTarget::Fortnox => "Fortnox",
            ExportTarget::Visma => "Visma eEkonomi",
        }
    }
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Ground truth JSONL (shared/eval format).
    #[arg(long)]
    pub gold: PathBuf,
    /// Predictions JSONL, as `invex extract` writes.
    #[arg(long)]
    pub pred: PathBuf,
    /// Print the result as JSON (same shape as `score.py --json`).
    #[arg(long)]
    pub json: bool,
    /// Also print accuracy at or above each confidence threshold, and per source.
    #[arg(long)]
    pub calibration: bool,
    /// Also print accuracy per group: a JSONL file with `file` and the
    /// `--group-by` keys per line, such as the `scans.jsonl` of `invex dataset
    /// generate --scan` (accuracy by degradation) or a corpus manifest
    /// (`datasets/real/manifest.jsonl`: by language, kind, origin).
    #[arg(long)]
    pub groups: Option<PathBuf>,
    /// The keys of the `--groups` file to group by, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "profile")]
    pub group_by: Vec<String>,
    /// Document confidence at or above which an invoice counts as booked
    /// without a person (the automation rate and its precision); the service's
    /// own threshold by default.
    #[arg(long, default_value_t = invex_domain::service::review::AUTO_BOOK_CONFIDENCE)]
    pub threshold: f64,
    /// Fit a confidence calibration on these predictions (made with
    /// `--calibration none`) and write it to this file, for `invex extract
    /// --calibration FILE` or as the shipped `domain/calibration.json`.
    #[arg(long)]
    pub fit_calibration: Option<PathBuf>,
    /// Also score line items against this line-item ground truth
    /// (`groundtruth_lines.jsonl` of the real corpus): recall and precision
    /// of lines matched by net amount and quantity, and how well the matched
    /// lines' descriptions agree; per group too with `--groups`.
    #[arg(long)]
    pub lines: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Write synthetic invoices (PDF) with exact ground truth.
    Generate(GenerateArgs),
    /// Write layout-model training data (pdfium words, 0..1000 boxes, BIO labels) as JSONL.
    Tokens(TokensArgs),
    /// Weak labels from real e-invoice PDFs: the embedded XML's values,
    /// found on the page, label the words; `invex dataset tokens OUT` then
    /// makes training data of them.
    WeakLabels(WeakLabelsArgs),
    /// Print the layout model's BIO label list as JSON (index = class id).
    Labels,
    /// Print the layout family names, one per line.
    Families,
}

#[derive(Debug, Args)]
pub struct WeakLabelsArgs {
    /// E-invoice PDFs (ZUGFeRD, Factur-X, XRechnung) and folders of them.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The folder to write each PDF and its `*.truth.json` to.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct TokensArgs {
    /// A folder written by `invex dataset generate`.
    pub dir: PathBuf,
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub out: PathBuf,
    /// Only these layout families (comma separated); see `invex dataset families`.
    #[arg(long, value_delimiter = ',')]
    pub families: Option<Vec<String>>,
    /// Recurring suppliers: every N invoices come from one supplier, in one
    /// layout, with the same parties and payment details (for the supplier
    /// memory's replay); `groundtruth.jsonl` names each file's supplier.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub per_supplier: Option<u16>,
    /// Turn the invoices into synthetic scans: rasterise each PDF, degrade it
    /// (rotation, blur, noise, JPEG, lighting, phone-photo perspective, stamps
    /// and scribbles) and write it in place of the digital PDF. The ground truth
    /// stays exact; DIR/scans.jsonl records each file's degradations.
    #[arg(long)]
    pub scan: bool,
    /// Scan file format: pdf (image-only, one JPEG per page), tiff (one
    /// multi-page file), png or jpeg (one file per page: inv-N.png, then
    /// inv-N-p2.png, ...; the ground truth names the first page only).
    #[arg(long, default_value = "pdf", value_parser = ["pdf", "png", "jpeg", "jpg", "tiff", "tif"], requires = "scan")]
    pub scan_format: String,
    /// Rasterisation resolution of the scans.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(50..=600), requires = "scan")]
    pub dpi: u32,
    /// Only these kinds of scan (comma separated): clean, rotate, rotate90,
    /// blur_noise, jpeg, lighting, photo, stamp. Default: a mix of all.
    #[arg(long, value_delimiter = ',', requires = "scan")]
    pub degradations: Option<Vec<String>>,
}

#[derive(Debug, Args)]
pub struct WordsArgs {
    pub file: PathBuf,
    /// Print JSON instead of one line per word.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Import a Hugging Face LayoutLMv3 token-classification ONNX export
    /// (model.onnx, config.json, tokenizer.json) as an invex model directory.
    Import(ModelImportArgs),
    /// Check a model directory's files against manifest.json and open its graphs.
    Verify(ModelDirArgs),
    /// Describe a model directory: files, labels, label map, metrics.
    Info(ModelDirArgs),
    /// Record a model directory as a new version in the service's store
    /// (its files go to the blob store); it runs only once promoted.
    Register(crate::cli_service::ModelRegisterArgs),
    /// Model versions, newest first: the active one, parent, gate report,
    /// and accuracy from reviewed invoices per version.
    List(crate::cli_service::ModelListArgs),
    /// Evaluate a registered version against the active model on the frozen
    /// set (generated, the real corpus's test part, the reviewed holdout);
    /// stores the report, and promotes with --promote when it passes.
    Gate(crate::cli_service::ModelGateArgs),
    /// Make a version active: workers swap it in between jobs. Refused
    /// unless its gate report passed (or --force).
    Promote(crate::cli_service::ModelPromoteArgs),
    /// Go back to the version active before the last promotion (the
    /// workers' built-in model after the first one).
    Rollback(crate::cli_service::ModelRollbackArgs),
    /// Copy a registered version's files (or the active one's) out of the
    /// store into a folder: the base for the next fine-tuning.
    Fetch(crate::cli_service::ModelFetchArgs),
}

#[derive(Debug, Args)]
pub struct ModelImportArgs {
    /// The export's folder.
    pub dir: PathBuf,
    /// JSON object mapping the export's label names (with or without B-/I-)
    /// to invex's, e.g. {"INVOICE_NO": "INVOICE_NUMBER", "OTHER": "O"}.
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Where to write the model directory (default: models/imported/NAME).
    #[arg(long)]
    pub into: Option<PathBuf>,
    /// The model's name (default: the export folder's name).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ModelDirArgs {
    /// A model directory (default: the shipped model; INVEX_MODEL_DIR overrides).
    pub dir: Option<PathBuf>,
}
