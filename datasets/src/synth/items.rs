//! Line-item catalogues per trade, with Swedish and English descriptions.

use rand::{Rng, RngExt};
use rust_decimal::Decimal;

use crate::synth::names::Trade;

/// How quantities of an article are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qty {
    /// Whole pieces in lo..=hi.
    Count(u32, u32),
    /// Hours in quarter steps.
    Hours,
    /// Kilograms with decimals.
    Weight,
    /// Metres, whole or half.
    Length,
    /// Months or other periods: usually 1.
    Period,
}

/// One sellable article.
#[derive(Debug, Clone, Copy)]
pub struct Article {
    pub sv: &'static str,
    pub en: &'static str,
    /// Swedish and English unit.
    pub unit: (&'static str, &'static str),
    /// Price range in SEK (whole kronor).
    pub price: (u32, u32),
    /// VAT rate in percent.
    pub vat: u32,
    pub qty: Qty,
}

const fn a(
    sv: &'static str,
    en: &'static str,
    unit: (&'static str, &'static str),
    price: (u32, u32),
    vat: u32,
    qty: Qty,
) -> Article {
    Article { sv, en, unit, price, vat, qty }
}

const H: (&str, &str) = ("tim", "h");
const ST: (&str, &str) = ("st", "pcs");
const MAN: (&str, &str) = ("mån", "month");
const FP: (&str, &str) = ("förp", "pack");

const CONSULTING: &[Article] = &[
    a(
        "Konsulttjänster enligt avtal",
        "Consulting services as agreed",
        H,
        (850, 1450),
        25,
        Qty::Hours,
    ),
    a("Systemutveckling", "Software development", H, (900, 1500), 25, Qty::Hours),
    a("Projektledning", "Project management", H, (950, 1400), 25, Qty::Hours),
    a("Workshop, halvdag", "Workshop, half day", ST, (6000, 12000), 25, Qty::Count(1, 2)),
    a("Licens, månadsavgift", "Licence, monthly fee", MAN, (299, 4900), 25, Qty::Period),
    a("Support och underhåll", "Support and maintenance", MAN, (1500, 9000), 25, Qty::Period),
    a(
        "Utbildning, heldag",
        "Training, full day",
        ("dag", "day"),
        (7500, 15000),
        25,
        Qty::Count(1, 3),
    ),
    a("Molntjänst, lagring 1 TB", "Cloud storage 1 TB", MAN, (99, 890), 25, Qty::Period),
    a(
        "Arkitektur och kravanalys",
        "Architecture and requirements analysis",
        ("h", "hrs"),
        (1000, 1600),
        25,
        Qty::Hours,
    ),
];

const ACCOUNTING: &[Article] = &[
    a("Löpande bokföring", "Bookkeeping", MAN, (1200, 6500), 25, Qty::Period),
    a(
        "Bokslut och årsredovisning",
        "Year-end closing and annual report",
        ST,
        (8000, 25000),
        25,
        Qty::Count(1, 1),
    ),
    a(
        "Löneadministration, per lönebesked",
        "Payroll, per payslip",
        ST,
        (95, 180),
        25,
        Qty::Count(3, 40),
    ),
    a("Momsdeklaration", "VAT return", ST, (450, 1200), 25, Qty::Count(1, 3)),
    a("Rådgivning skatt", "Tax advice", H, (950, 1600), 25, Qty::Hours),
    a("Deklaration, inkomstskatt", "Income tax return", ST, (1500, 4500), 25, Qty::Count(1, 1)),
];

const CONSTRUCTION: &[Article] = &[
    a("Arbetskostnad", "Labour", H, (450, 750), 25, Qty::Hours),
    a(
        "Material enligt specifikation",
        "Materials as specified",
        ST,
        (500, 15000),
        25,
        Qty::Count(1, 1),
    ),
    a("Gipsskiva 13 mm 900x2500", "Plasterboard 13 mm", ST, (89, 149), 25, Qty::Count(4, 60)),
    a("Målarfärg vägg, 10 l", "Wall paint, 10 l", ST, (690, 1390), 25, Qty::Count(1, 8)),
    a("Elinstallation", "Electrical installation", ("h", "hrs"), (550, 790), 25, Qty::Hours),
    a("Kabel EKK 3G1,5", "Cable EKK 3G1.5", ("m", "m"), (9, 19), 25, Qty::Length),
    a("Rör PEX 16 mm", "PEX pipe 16 mm", ("m", "m"), (12, 28), 25, Qty::Length),
    a("Container 8 m³, hyra", "Skip 8 m³, rental", ST, (2500, 4900), 25, Qty::Count(1, 2)),
    a(
        "Resor och traktamente",
        "Travel and allowance",
        ("km", "km"),
        (3, 6),
        25,
        Qty::Count(20, 400),
    ),
    a("Plåt, bandtäckning", "Sheet metal roofing", ("m²", "m²"), (380, 720), 25, Qty::Length),
];

const OFFICE: &[Article] = &[
    a(
        "Kopieringspapper A4 80 g, 500 ark",
        "Copy paper A4 80 g, 500 sheets",
        FP,
        (49, 79),
        25,
        Qty::Count(5, 60),
    ),
    a(
        "Kulspetspenna blå, 10-pack",
        "Ballpoint pens blue, 10-pack",
        FP,
        (39, 99),
        25,
        Qty::Count(1, 20),
    ),
    a("Toner HP 305A svart", "Toner HP 305A black", ST, (690, 1290), 25, Qty::Count(1, 6)),
    a("Pärm A4 bred, röd", "Lever arch file A4, red", ST, (29, 59), 25, Qty::Count(5, 50)),
    a("Post-it 76x76 mm gul", "Post-it notes 76x76 mm", FP, (19, 45), 25, Qty::Count(2, 30)),
    a("Skrivbordsstol Ergo Plus", "Office chair Ergo Plus", ST, (2490, 6990), 25, Qty::Count(1, 4)),
    a("Whiteboardpennor 4-pack", "Whiteboard markers 4-pack", FP, (45, 89), 25, Qty::Count(1, 10)),
    a("Kaffe mellanrost 500 g", "Coffee medium roast 500 g", ST, (59, 119), 12, Qty::Count(2, 24)),
    a("Engångsmuggar 50-pack", "Disposable cups 50-pack", FP, (25, 59), 25, Qty::Count(1, 10)),
];

const FOOD: &[Article] = &[
    a("Kaffe mellanrost 500 g", "Coffee medium roast 500 g", ST, (59, 119), 12, Qty::Count(2, 24)),
    a("Mjölk 1,5 % 1 l", "Milk 1.5 % 1 l", ST, (12, 19), 12, Qty::Count(6, 48)),
    a("Smörgåsar, blandade", "Sandwiches, assorted", ST, (45, 89), 12, Qty::Count(5, 40)),
    a("Frukt, säsong", "Fruit, seasonal", ("kg", "kg"), (29, 69), 12, Qty::Weight),
    a("Kanelbullar", "Cinnamon buns", ST, (15, 29), 12, Qty::Count(10, 80)),
    a("Lunchbuffé", "Lunch buffet", ST, (115, 185), 12, Qty::Count(8, 60)),
    a("Ost, hushållsost 1 kg", "Cheese 1 kg", ("kg", "kg"), (89, 149), 12, Qty::Weight),
    a("Engångsmuggar 50-pack", "Disposable cups 50-pack", FP, (25, 59), 25, Qty::Count(1, 10)),
    a("Diskmedel 1 l", "Dishwashing liquid 1 l", ST, (29, 49), 25, Qty::Count(1, 12)),
    a("Läsk 33 cl", "Soft drink 33 cl", ST, (9, 18), 12, Qty::Count(12, 96)),
];

const TRANSPORT: &[Article] = &[
    a("Taxiresa Arlanda–Stockholm", "Taxi Arlanda–Stockholm", ST, (450, 690), 6, Qty::Count(1, 6)),
    a(
        "Tågresa Stockholm–Göteborg",
        "Train Stockholm–Gothenburg",
        ST,
        (395, 1290),
        6,
        Qty::Count(1, 4),
    ),
    a("Busstransfer, personal", "Bus transfer, staff", ST, (1800, 6500), 6, Qty::Count(1, 2)),
    a("Godstransport, helpall", "Freight, full pallet", ST, (650, 1850), 25, Qty::Count(1, 12)),
    a("Körning, per km", "Driving, per km", ("km", "km"), (18, 35), 25, Qty::Count(15, 600)),
    a("Väntetid", "Waiting time", H, (450, 650), 25, Qty::Hours),
];

const CLEANING: &[Article] = &[
    a(
        "Kontorsstädning enligt avtal",
        "Office cleaning as agreed",
        MAN,
        (2900, 14500),
        25,
        Qty::Period,
    ),
    a("Fönsterputs", "Window cleaning", ST, (900, 4500), 25, Qty::Count(1, 2)),
    a("Storstädning", "Deep cleaning", H, (420, 560), 25, Qty::Hours),
    a("Snöröjning", "Snow clearing", H, (550, 950), 25, Qty::Hours),
    a("Gräsklippning", "Lawn mowing", H, (450, 650), 25, Qty::Hours),
    a("Förbrukningsmaterial", "Consumables", ST, (150, 1200), 25, Qty::Count(1, 1)),
];

const PRINT: &[Article] = &[
    a(
        "Trycksaker A5, 1000 ex",
        "Printed flyers A5, 1,000 copies",
        ST,
        (1200, 3900),
        25,
        Qty::Count(1, 5),
    ),
    a("Visitkort 250 st", "Business cards, 250", FP, (290, 590), 25, Qty::Count(1, 8)),
    a("Roll-up 85x200 cm", "Roll-up banner 85x200 cm", ST, (890, 1990), 25, Qty::Count(1, 3)),
    a("Grafisk formgivning", "Graphic design", H, (750, 1150), 25, Qty::Hours),
    a("Annons, halvsida", "Advertisement, half page", ST, (4500, 18000), 25, Qty::Count(1, 2)),
];

const BOOKS: &[Article] = &[
    a(
        "Bok: Svensk skattehandbok 2026",
        "Book: Swedish tax handbook 2026",
        ST,
        (495, 1195),
        6,
        Qty::Count(1, 10),
    ),
    a(
        "Tidningsprenumeration, 12 mån",
        "Newspaper subscription, 12 months",
        ST,
        (1490, 4990),
        6,
        Qty::Count(1, 3),
    ),
    a(
        "Facklitteratur, Redovisningens grunder",
        "Textbook, Accounting basics",
        ST,
        (349, 699),
        6,
        Qty::Count(1, 30),
    ),
    a(
        "Tidskrift Byggindustrin, helår",
        "Trade journal, annual",
        ST,
        (990, 2400),
        6,
        Qty::Count(1, 2),
    ),
    a("E-bok, licens", "E-book licence", ST, (149, 399), 6, Qty::Count(1, 25)),
    a("Frakt", "Shipping", ST, (49, 149), 25, Qty::Count(1, 1)),
];

const HOTEL: &[Article] = &[
    a(
        "Logi, enkelrum",
        "Accommodation, single room",
        ("natt", "night"),
        (895, 1890),
        12,
        Qty::Count(1, 14),
    ),
    a("Frukost", "Breakfast", ST, (125, 195), 12, Qty::Count(1, 30)),
    a("Konferenslokal heldag", "Conference room, full day", ST, (3500, 9500), 25, Qty::Count(1, 3)),
    a("Middag, tre rätter", "Dinner, three courses", ST, (395, 695), 12, Qty::Count(2, 30)),
    a("Parkering", "Parking", ("dygn", "day"), (120, 250), 25, Qty::Count(1, 5)),
    a("Taxi till tågstationen", "Taxi to the station", ST, (250, 450), 6, Qty::Count(1, 3)),
];

const ELECTRONICS: &[Article] = &[
    a("Bärbar dator 14 tum", "Laptop 14 inch", ST, (8990, 18990), 25, Qty::Count(1, 5)),
    a("Skärm 27 tum", "Monitor 27 inch", ST, (2490, 5990), 25, Qty::Count(1, 6)),
    a("USB-C-kabel 2 m", "USB-C cable 2 m", ST, (99, 249), 25, Qty::Count(1, 20)),
    a("Dockningsstation", "Docking station", ST, (1490, 3490), 25, Qty::Count(1, 6)),
    a(
        "Installation och konfiguration",
        "Installation and configuration",
        H,
        (795, 1195),
        25,
        Qty::Hours,
    ),
    a("Mobiltelefon", "Mobile phone", ST, (3990, 12990), 25, Qty::Count(1, 4)),
];

/// The catalogue of a trade.
pub fn catalogue(trade: Trade) -> &'static [Article] {
    match trade {
        Trade::Consulting => CONSULTING,
        Trade::Accounting => ACCOUNTING,
        Trade::Construction => CONSTRUCTION,
        Trade::Office => OFFICE,
        Trade::Food => FOOD,
        Trade::Transport => TRANSPORT,
        Trade::Cleaning => CLEANING,
        Trade::Print => PRINT,
        Trade::Books => BOOKS,
        Trade::Hotel => HOTEL,
        Trade::Electronics => ELECTRONICS,
    }
}

/// A quantity for an article.
pub fn quantity<R: Rng>(rng: &mut R, q: Qty) -> Decimal {
    match q {
        Qty::Count(lo, hi) => Decimal::from(rng.random_range(lo..=hi.max(lo))),
        Qty::Hours => {
            let step = if rng.random_bool(0.5) { 25 } else { 50 };
            let n = rng.random_range(1..=160 / (step / 25)) * step;
            Decimal::new(i64::from(n), 2)
        }
        Qty::Weight => {
            Decimal::new(rng.random_range(5..=400), if rng.random_bool(0.5) { 1 } else { 2 })
        }
        Qty::Length => Decimal::new(rng.random_range(2..=240) * 5, 1),
        Qty::Period => {
            if rng.random_bool(0.8) {
                Decimal::ONE
            } else {
                Decimal::from(rng.random_range(2..=12))
            }
        }
    }
}

/// A unit price in SEK within the article's range, whole kronor or with öre.
pub fn unit_price<R: Rng>(rng: &mut R, art: &Article) -> Decimal {
    let kr = rng.random_range(art.price.0..=art.price.1.max(art.price.0));
    let ore = match rng.random_range(0..10) {
        0..=5 => 0,
        6 | 7 => 50,
        8 => 90,
        _ => rng.random_range(1..100),
    };
    Decimal::new(i64::from(kr) * 100 + i64::from(ore), 2)
}
