//! A SIE 4 reader for the items [`super::SieExporter`] writes (and that any
//! SIE 4I/4E file holds): the header, `#KONTO`, `#RAR`, and `#VER` with its
//! `#TRANS` rows. Other items are kept as raw lines. Used to validate output
//! by reading it back, and usable to inspect files other programs wrote.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::Error;

/// A parsed SIE file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SieFile {
    pub flagga: Option<String>,
    pub format: Option<String>,
    pub sietyp: Option<String>,
    /// `#PROGRAM` name and version.
    pub program: Vec<String>,
    /// `#GEN` date.
    pub generated: Option<NaiveDate>,
    pub fnamn: Option<String>,
    pub orgnr: Option<String>,
    pub valuta: Option<String>,
    /// `#RAR` index → first and last day.
    pub rar: BTreeMap<i64, (NaiveDate, NaiveDate)>,
    pub konto: BTreeMap<u32, String>,
    pub vouchers: Vec<Voucher>,
    /// Items this reader does not interpret, as tokens.
    pub other: Vec<Vec<String>>,
}

/// One `#VER`.
#[derive(Debug, Clone, PartialEq)]
pub struct Voucher {
    pub series: String,
    pub number: String,
    pub date: NaiveDate,
    pub text: String,
    pub reg_date: Option<NaiveDate>,
    pub transactions: Vec<Transaction>,
}

/// One `#TRANS`.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub account: u32,
    /// The object list, as written between the braces.
    pub objects: String,
    pub amount: Decimal,
    pub date: Option<NaiveDate>,
    pub text: String,
}

impl Voucher {
    /// The sum of the rows; zero for a balanced voucher.
    pub fn balance(&self) -> Decimal {
        self.transactions.iter().map(|t| t.amount).sum()
    }
}

/// Reads SIE bytes (CP437, as `#FORMAT PC8` says).
pub fn parse_bytes(bytes: &[u8]) -> Result<SieFile, Error> {
    parse(&super::cp437::decode(bytes))
}

/// Reads SIE text.
pub fn parse(text: &str) -> Result<SieFile, Error> {
    let mut file = SieFile::default();
    let mut open: Option<Voucher> = None;
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let err = |detail: String| Error::SieSyntax { line: n, detail };
        let tokens = tokenize(line).map_err(err)?;
        let Some(label) = tokens.first() else { continue };
        let args = &tokens[1..];
        let arg = |k: usize| args.get(k).cloned();
        let need = |k: usize, what: &str| {
            args.get(k).cloned().ok_or_else(|| err(format!("{label} lacks its {what}")))
        };
        match label.as_str() {
            "{" => {
                if open.is_none() || in_block {
                    return Err(err("`{` without a #VER before it".into()));
                }
                in_block = true;
            }
            "}" => {
                let voucher = open.take().filter(|_| in_block);
                let voucher = voucher.ok_or_else(|| err("`}` without an open #VER".into()))?;
                file.vouchers.push(voucher);
                in_block = false;
            }
            "#TRANS" => {
                let voucher = open.as_mut().filter(|_| in_block);
                let voucher = voucher.ok_or_else(|| err("#TRANS outside a #VER block".into()))?;
                let account = need(0, "account")?;
                voucher.transactions.push(Transaction {
                    account: account.parse().map_err(|_| err(format!("account {account:?}")))?,
                    objects: need(1, "object list")?,
                    amount: amount(&need(2, "amount")?).map_err(err)?,
                    date: arg(3)
                        .filter(|d| !d.is_empty())
                        .map(|d| sie_date(&d))
                        .transpose()
                        .map_err(err)?,
                    text: arg(4).unwrap_or_default(),
                });
            }
            _ if in_block => return Err(err(format!("{label} inside a #VER block"))),
            "#VER" => {
                if open.is_some() {
                    return Err(err("#VER before the previous #VER's block".into()));
                }
                open = Some(Voucher {
                    series: need(0, "series")?,
                    number: need(1, "number")?,
                    date: sie_date(&need(2, "date")?).map_err(err)?,
                    text: arg(3).unwrap_or_default(),
                    reg_date: arg(4)
                        .filter(|d| !d.is_empty())
                        .map(|d| sie_date(&d))
                        .transpose()
                        .map_err(err)?,
                    transactions: Vec::new(),
                });
            }
            "#FLAGGA" => file.flagga = arg(0),
            "#FORMAT" => file.format = arg(0),
            "#SIETYP" => file.sietyp = arg(0),
            "#PROGRAM" => file.program = args.to_vec(),
            "#GEN" => file.generated = Some(sie_date(&need(0, "date")?).map_err(err)?),
            "#FNAMN" => file.fnamn = arg(0),
            "#ORGNR" => file.orgnr = arg(0),
            "#VALUTA" => file.valuta = arg(0),
            "#RAR" => {
                let index = need(0, "index")?;
                let index = index.parse().map_err(|_| err(format!("#RAR index {index:?}")))?;
                let start = sie_date(&need(1, "start")?).map_err(err)?;
                let end = sie_date(&need(2, "end")?).map_err(err)?;
                file.rar.insert(index, (start, end));
            }
            "#KONTO" => {
                let account = need(0, "account")?;
                let account = account.parse().map_err(|_| err(format!("account {account:?}")))?;
                file.konto.insert(account, need(1, "name")?);
            }
            l if l.starts_with('#') => file.other.push(tokens.clone()),
            _ => return Err(err(format!("{label:?} is not a SIE item"))),
        }
    }
    if open.is_some() {
        return Err(Error::SieSyntax {
            line: text.lines().count(),
            detail: "a #VER is not closed".into(),
        });
    }
    Ok(file)
}

/// Splits a line into fields: white space separates, `"..."` quotes (with
/// `\"` and `\\` inside), `{...}` is one field (its contents, unquoted).
fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut token = String::new();
        match c {
            '"' => {
                chars.next();
                loop {
                    match chars.next() {
                        Some('\\') => token.push(chars.next().ok_or("a `\\` ends the line")?),
                        Some('"') => break,
                        Some(c) => token.push(c),
                        None => return Err("a quoted field is not closed".into()),
                    }
                }
            }
            '{' if line.trim() != "{" => {
                chars.next();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => token.push(c),
                        None => return Err("an object list is not closed".into()),
                    }
                }
                token = token.trim().to_string();
            }
            _ => {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    token.push(c);
                    chars.next();
                }
            }
        }
        tokens.push(token);
    }
    Ok(tokens)
}

fn sie_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y%m%d").map_err(|_| format!("{s:?} is not a YYYYMMDD date"))
}

fn amount(s: &str) -> Result<Decimal, String> {
    s.parse::<Decimal>().map_err(|_| format!("{s:?} is not an amount"))
}
