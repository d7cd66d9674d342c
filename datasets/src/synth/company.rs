//! Companies, public buyers and people.

use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};

use crate::error::Error;
use crate::synth::ids;
use crate::synth::names::{
    CITIES, FIRST_NAMES, FOREIGN, FOREIGN_NAMES, NAME_PREFIXES, NAME_SUFFIXES, PUBLIC_BUYERS,
    STREETS, SURNAMES, TRADES, Trade, US_SUPPLIERS,
};

/// Legal form / kind of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ab,
    Hb,
    Kb,
    /// Enskild firma: a sole trader, org.nr = personnummer.
    Ef,
    Public,
    Brf,
    /// A company in another EU country (ISO code).
    Foreign(&'static str),
    Us,
}

/// A supplier or buyer.
#[derive(Debug, Clone)]
pub struct Company {
    pub name: String,
    pub kind: Kind,
    /// `NNNNNN-NNNN`, Swedish organisations only.
    pub org_nr: Option<String>,
    /// Compact VAT number (`SE556677889901`, `DE123456789`).
    pub vat: Option<String>,
    /// Postal address lines, e.g. ["Storgatan 12", "123 45 Stockholm"].
    pub address: Vec<String>,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub web: Option<String>,
    pub trade: Trade,
    /// A contact person.
    pub contact: String,
}

pub fn pick<'a, R: Rng, T>(rng: &mut R, xs: &'a [T]) -> &'a T {
    // Lists are constant and non-empty.
    xs.choose(rng).unwrap_or(&xs[0])
}

pub fn person<R: Rng>(rng: &mut R) -> String {
    format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, SURNAMES))
}

/// Lower-case ASCII form for e-mail and web addresses.
fn slug(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'å' | 'ä' | 'Å' | 'Ä' => Some('a'),
            'ö' | 'Ö' | 'ø' => Some('o'),
            'é' | 'è' | 'É' => Some('e'),
            'ü' | 'Ü' => Some('u'),
            'ß' => Some('s'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn phone<R: Rng>(rng: &mut R) -> String {
    let d = |rng: &mut R, n| ids::digits(rng, n, true);
    match rng.random_range(0..5) {
        0 => format!("08-{} {} {}", d(rng, 3), d(rng, 3), d(rng, 2)),
        1 => format!("031-{} {} {}", d(rng, 2), d(rng, 2), d(rng, 2)),
        2 => format!("+46 8 {} {} {}", d(rng, 3), d(rng, 3), d(rng, 2)),
        3 => format!("070-{} {} {}", d(rng, 3), d(rng, 2), d(rng, 2)),
        _ => format!("0{}-{} {}", d(rng, 2), d(rng, 3), d(rng, 3)),
    }
}

/// Street line and postal line for a Swedish city.
fn se_address<R: Rng>(rng: &mut R, city: &str, prefix: &str) -> Vec<String> {
    let postal = format!("{prefix}{} {}", ids::digits(rng, 1, false), ids::digits(rng, 2, false));
    let street = if rng.random_bool(0.12) {
        format!("Box {}", rng.random_range(10..9999))
    } else {
        let letter =
            if rng.random_bool(0.15) { ["A", "B", "C"][rng.random_range(0..3)] } else { "" };
        format!("{} {}{letter}", pick(rng, STREETS), rng.random_range(1..120))
    };
    let mut lines = vec![street, format!("{postal} {city}")];
    if rng.random_bool(0.1) {
        lines.insert(0, format!("c/o {}", person(rng)));
    }
    lines
}

fn trade_name<R: Rng>(rng: &mut R) -> (&'static str, Trade) {
    let (w, t) = pick(rng, TRADES);
    (w, *t)
}

/// A Swedish company of the given kind.
pub fn swedish<R: Rng>(rng: &mut R, kind: Kind) -> Result<Company, Error> {
    let (tw, trade) = trade_name(rng);
    let sur = *pick(rng, SURNAMES);
    let first = *pick(rng, FIRST_NAMES);
    let pre = *pick(rng, NAME_PREFIXES);
    let suf = *pick(rng, NAME_SUFFIXES);
    let (name, org) = match kind {
        Kind::Hb | Kind::Kb => {
            let form = match (kind, rng.random_range(0..3)) {
                (Kind::Kb, _) => "KB",
                (_, 0) => "Handelsbolag",
                _ => "HB",
            };
            let n = match rng.random_range(0..3) {
                0 => format!("{sur} & {} {form}", pick(rng, SURNAMES)),
                1 => format!("{sur}s {tw} {form}"),
                _ => format!("{pre} {tw} {form}"),
            };
            (n, ids::org_nr_hb(rng)?)
        }
        Kind::Ef => {
            let n = match rng.random_range(0..3) {
                0 => format!("{first} {sur} {tw}"),
                1 => format!("{sur}s {tw}"),
                _ => format!("{first}s {tw} – {first} {sur}"),
            };
            (n, ids::personnummer(rng)?)
        }
        _ => {
            let n = match rng.random_range(0..6) {
                0 => format!("{sur}s {tw} AB"),
                1 => format!("{sur} & {} {tw} AB", pick(rng, SURNAMES)),
                2 => format!("Aktiebolaget {pre} {tw}"),
                3 => format!("{pre} {tw}{suf} AB"),
                _ => format!("{pre} {tw} AB"),
            };
            (n, ids::org_nr_ab(rng)?)
        }
    };
    let (city, prefix) = *pick(rng, CITIES);
    let vat = ids::se_vat(&org)?;
    let base = slug(name.split(" AB").next().unwrap_or(&name));
    let base: String = base.chars().take(18).collect();
    Ok(Company {
        email: format!(
            "{}@{base}.se",
            ["info", "faktura", "ekonomi", "kontakt"][rng.random_range(0..4)]
        ),
        web: rng.random_bool(0.7).then(|| format!("www.{base}.se")),
        name,
        kind,
        org_nr: Some(org),
        vat: Some(vat),
        address: se_address(rng, city, prefix),
        city: city.to_string(),
        phone: phone(rng),
        trade,
        contact: format!("{first} {sur}"),
    })
}

/// A buyer company (any Swedish kind, or a housing association).
pub fn buyer<R: Rng>(rng: &mut R) -> Result<Company, Error> {
    let mut c = match rng.random_range(0..10) {
        0 => swedish(rng, Kind::Hb)?,
        1 => {
            let mut c = swedish(rng, Kind::Ab)?;
            c.name = format!(
                "Brf {}",
                pick(rng, &["Solgläntan", "Björken", "Eken 4", "Måsen", "Sjöutsikten", "Ärlan"])
            );
            c.kind = Kind::Brf;
            c.org_nr = Some(ids::org_nr_with_prefix(rng, "769")?);
            c
        }
        _ => swedish(rng, Kind::Ab)?,
    };
    if rng.random_bool(0.3) {
        c.address.insert(
            0,
            pick(
                rng,
                &["Ekonomiavdelningen", "Att: Leverantörsreskontra", "Fakturamottagning", "Inköp"],
            )
            .to_string(),
        );
    }
    Ok(c)
}

/// A kommun or region buyer.
pub fn public_buyer<R: Rng>(rng: &mut R) -> Result<Company, Error> {
    let (name, payload, city, prefix) = *pick(rng, PUBLIC_BUYERS);
    let org = ids::org_nr_with_prefix(rng, payload)?;
    let box_line = if rng.random_bool(0.5) {
        format!("FE {}", rng.random_range(1..999))
    } else {
        format!("Box {}", rng.random_range(10..9999))
    };
    let mut address = vec![
        box_line,
        format!("{prefix}{} {} {city}", ids::digits(rng, 1, false), ids::digits(rng, 2, false)),
    ];
    if rng.random_bool(0.6) {
        address.insert(
            0,
            pick(rng, &["Fakturaservice", "Ekonomiservice", "Kundfakturor", "Leverantörsfakturor"])
                .to_string(),
        );
    }
    let vat = ids::se_vat(&org)?;
    Ok(Company {
        email: format!("fakturor@{}.se", slug(city)),
        web: None,
        name: name.to_string(),
        kind: Kind::Public,
        org_nr: Some(org),
        vat: Some(vat),
        address,
        city: city.to_string(),
        phone: phone(rng),
        trade: Trade::Office,
        contact: person(rng),
    })
}

/// A supplier in another EU country, or in the US.
pub fn foreign<R: Rng>(rng: &mut R, us: bool, english: bool) -> Result<Company, Error> {
    let (_, trade) = trade_name(rng);
    if us {
        let (name, city, street) = *pick(rng, US_SUPPLIERS);
        return Ok(Company {
            name: name.to_string(),
            kind: Kind::Us,
            org_nr: None,
            vat: None,
            address: vec![street.to_string(), city.to_string(), "USA".to_string()],
            city: city.to_string(),
            phone: format!(
                "+1 {} {} {}",
                ids::digits(rng, 3, true),
                ids::digits(rng, 3, true),
                ids::digits(rng, 4, false)
            ),
            email: format!("billing@{}.com", slug(name.split(' ').next().unwrap_or("us"))),
            web: None,
            trade: if matches!(trade, Trade::Books | Trade::Food | Trade::Hotel) {
                Trade::Consulting
            } else {
                trade
            },
            contact: person(rng),
        });
    }
    let (cc, sv_country, en_country, city, street, form) = *pick(rng, FOREIGN);
    let name = format!("{} {form}", pick(rng, FOREIGN_NAMES));
    let postal = match cc {
        "DK" | "NL" => ids::digits(rng, 4, true),
        _ => ids::digits(rng, 5, true),
    };
    Ok(Company {
        email: format!("invoice@{}.eu", slug(&name).chars().take(14).collect::<String>()),
        web: None,
        name,
        kind: Kind::Foreign(cc),
        org_nr: None,
        vat: Some(ids::foreign_vat(rng, cc)?),
        address: vec![
            format!("{street} {}", rng.random_range(1..80)),
            format!("{postal} {city}"),
            if english { en_country } else { sv_country }.to_string(),
        ],
        city: city.to_string(),
        phone: format!("+{} {}", rng.random_range(30..50), ids::digits(rng, 9, true)),
        trade: if matches!(trade, Trade::Books | Trade::Food | Trade::Hotel | Trade::Transport) {
            Trade::Electronics
        } else {
            trade
        },
        contact: person(rng),
    })
}
