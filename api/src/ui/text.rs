//! The UI's words in Swedish and English. A tenant chooses its language
//! (`/ui/settings`); the sign-in page follows the browser's `Accept-Language`.
//! Every text the templates show is a field of [`Texts`], so a missing
//! translation is a compile error, not an English word on a Swedish page.

use invex_domain::service::review::{FailedCheck, LineProblem, LinesMismatch};
use invex_domain::{FieldName, ValueKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Sv,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "sv" | "sv-se" => Some(Lang::Sv),
            "en" | "en-gb" | "en-us" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// The first of the browser's languages that the UI speaks; Swedish otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        header
            .unwrap_or("")
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(|tag| Lang::parse(tag.split('-').next().unwrap_or("")))
            .unwrap_or(Lang::Sv)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Sv => &SV,
            Lang::En => &EN,
        }
    }

    /// A field's name as a person reads it.
    pub fn field(self, name: FieldName) -> &'static str {
        use FieldName::*;
        let (sv, en) = match name {
            InvoiceNumber => ("Fakturanummer", "Invoice number"),
            InvoiceDate => ("Fakturadatum", "Invoice date"),
            DueDate => ("Förfallodatum", "Due date"),
            Currency => ("Valuta", "Currency"),
            NetAmount => ("Belopp exkl. moms", "Net amount"),
            VatAmount => ("Moms", "VAT amount"),
            TotalAmount => ("Att betala", "Total amount"),
            IsCreditNote => ("Kreditfaktura", "Credit note"),
            SupplierName => ("Leverantör", "Supplier"),
            SupplierOrgNr => ("Leverantörens org.nr", "Supplier org. no."),
            SupplierVat => ("Leverantörens momsnr", "Supplier VAT no."),
            SupplierAddress => ("Leverantörens adress", "Supplier address"),
            SupplierFSkatt => ("Godkänd för F-skatt", "F-tax approved"),
            BuyerName => ("Köpare", "Buyer"),
            BuyerOrgNr => ("Köparens org.nr", "Buyer org. no."),
            BuyerReference => ("Er referens", "Buyer reference"),
            SupplierReference => ("Vår referens", "Supplier reference"),
            OrderNumber => ("Ordernummer", "Order number"),
            Bankgiro => ("Bankgiro", "Bankgiro"),
            Plusgiro => ("Plusgiro", "Plusgiro"),
            Iban => ("IBAN", "IBAN"),
            Bic => ("BIC", "BIC"),
            PaymentReference => ("OCR / betalningsreferens", "Payment reference (OCR)"),
        };
        if self == Lang::Sv { sv } else { en }
    }

    /// Why `typed` is refused for `name`, in this language. The validators
    /// (`domain::service::review`) explain in English; `english` is their
    /// words, kept as they are for English and where no translation fits.
    pub fn reason(self, name: FieldName, typed: &str, english: &str) -> String {
        use FieldName::*;
        if self == Lang::En {
            return english.to_string();
        }
        let value = format!("{typed:?}");
        let why = match (name, name.kind()) {
            (Bankgiro, _) => {
                "är inte ett giltigt bankgironummer (7–8 siffror med kontrollsiffra enligt Luhn)"
            }
            (Plusgiro, _) => {
                "är inte ett giltigt plusgironummer (2–8 siffror med kontrollsiffra enligt Luhn)"
            }
            (SupplierOrgNr | BuyerOrgNr, _) => {
                "är inte ett giltigt organisationsnummer (10 siffror med kontrollsiffra enligt Luhn)"
            }
            (SupplierVat, _) => {
                "är inte ett giltigt momsregistreringsnummer (SE + 10 siffror + 01, en annan EU-form, eller ett spanskt NIF/CIF eller indiskt GSTIN med kontrolltecken)"
            }
            (Iban, _) => {
                "är inte ett giltigt IBAN (fel längd, eller kontrollen enligt mod 97 stämmer inte)"
            }
            (Bic, _) => "är inte en giltig BIC (8 eller 11 tecken)",
            (PaymentReference, _) => {
                "är varken ett giltigt OCR-nummer (Luhn) eller en RF-referens (ISO 11649)"
            }
            (Currency, _) => "är ingen valutakod enligt ISO 4217",
            (_, ValueKind::Amount) => "är inget belopp",
            (_, ValueKind::Date) => "är inget datum på formen ÅÅÅÅ-MM-DD",
            _ => return english.to_string(),
        };
        format!("{value} {why}")
    }

    /// A failed check on the invoice, in this language. The language-model
    /// fallback's note stays as the fallback wrote it.
    pub fn check(self, check: &FailedCheck) -> String {
        match check {
            FailedCheck::Missing(name) if self == Lang::En => {
                format!("{} is missing", self.field(*name))
            }
            FailedCheck::Invalid { field, why, .. } if self == Lang::En => {
                format!("{}: {why}", self.field(*field))
            }
            _ if self == Lang::En => check.to_string(),
            FailedCheck::Missing(name) => format!("{} saknas", self.field(*name)),
            FailedCheck::Invalid { field, value, why } => {
                let shown = super::invoice::display(value);
                format!("{}: {}", self.field(*field), self.reason(*field, &shown, why))
            }
            FailedCheck::Totals { net, vat, total } => {
                format!("netto {net} + moms {vat} är inte totalbeloppet {total}")
            }
            FailedCheck::Fallback(note) => note.clone(),
            FailedCheck::Lines(all) => {
                all.iter().map(|m| self.lines(m)).collect::<Vec<_>>().join("; ")
            }
            FailedCheck::EInvoice(m) => {
                let field = self.field(m.field);
                match &m.page {
                    Some(page) => format!("XML-filen anger {field} {}; sidan anger {page}", m.xml),
                    None => format!("XML-filen anger {field} {}; sidan visar det inte", m.xml),
                }
            }
        }
    }

    /// Why line items do not add up, in this language.
    pub fn lines(self, m: &LinesMismatch) -> String {
        if self == Lang::En {
            return m.to_string();
        }
        let (sum, expected) = (m.sum, m.expected);
        match m.rate {
            Some(rate) => {
                let pct = rate.normalize();
                format!(
                    "raderna med {pct} % moms summerar till {sum}; underlaget för {pct} % moms är {expected}"
                )
            }
            None => format!("fakturaraderna summerar till {sum}; nettobeloppet är {expected}"),
        }
    }

    /// Why a line-item row is refused, in this language.
    pub fn line_problem(self, problem: &LineProblem) -> String {
        if self == Lang::En {
            return problem.to_string();
        }
        let t = self.texts();
        let column = |key: &str| match key {
            "description" => t.description,
            "quantity" => t.quantity,
            "unit" => t.unit,
            "unit_price" => t.unit_price,
            "vat_rate" => t.vat_rate,
            "amount" => t.amount,
            "kind" => t.kind,
            _ => "",
        };
        match problem {
            LineProblem::NoDescription => "en rad behöver en beskrivning".into(),
            LineProblem::NoAmount => "en rad behöver ett belopp".into(),
            LineProblem::NotANumber(key, sent) => format!("{}: {sent} är inget tal", column(key)),
            LineProblem::NotText(key) => format!("{}: ska vara text", column(key)),
            LineProblem::RateOutOfRange(rate) => {
                format!("{}: {rate} är ingen procentsats mellan 0 och 100", t.vat_rate)
            }
            LineProblem::ProductMismatch { quantity, unit_price, product, amount } => {
                format!("{quantity} × {unit_price} = {product}, inte {amount}")
            }
            LineProblem::UnknownKind(kind) => format!("{}: okänd typ {kind:?}", t.kind),
            LineProblem::UnknownKey(_) | LineProblem::NotAnObject => problem.to_string(),
        }
    }

    /// An invoice status as a person reads it.
    pub fn status(self, status: &str) -> &'static str {
        let (sv, en) = match status {
            "queued" => ("I kö", "Queued"),
            "processing" => ("Läses", "Processing"),
            "done" => ("Klar", "Done"),
            "needs_review" => ("Att granska", "Needs review"),
            "failed" => ("Misslyckad", "Failed"),
            _ => ("Alla", "All"),
        };
        if self == Lang::Sv { sv } else { en }
    }
}

/// Every fixed text of the UI.
pub struct Texts {
    pub app: &'static str,
    pub nav_queue: &'static str,
    pub nav_upload: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_settings: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub api_key: &'static str,
    pub api_key_help: &'static str,
    pub wrong_key: &'static str,
    pub signed_in_as: &'static str,
    pub queue_title: &'static str,
    pub filters: &'static str,
    pub status: &'static str,
    pub all: &'static str,
    pub supplier: &'static str,
    pub date_from: &'static str,
    pub date_to: &'static str,
    pub amount_min: &'static str,
    pub amount_max: &'static str,
    pub confidence_min: &'static str,
    pub confidence_max: &'static str,
    pub search: &'static str,
    pub apply: &'static str,
    pub clear: &'static str,
    pub invoices_found: &'static str,
    pub file: &'static str,
    pub number: &'static str,
    pub date: &'static str,
    pub total: &'static str,
    pub confidence: &'static str,
    pub problems: &'static str,
    pub uploaded: &'static str,
    pub empty_queue: &'static str,
    pub fields: &'static str,
    pub value: &'static str,
    pub source: &'static str,
    pub save: &'static str,
    pub save_and_approve: &'static str,
    pub approve: &'static str,
    pub next: &'static str,
    pub saved: &'static str,
    pub approved: &'static str,
    pub not_saved: &'static str,
    pub checks_failed: &'static str,
    pub no_checks_failed: &'static str,
    pub page: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    pub no_page_image: &'static str,
    pub line_items: &'static str,
    pub description: &'static str,
    pub quantity: &'static str,
    pub unit_price: &'static str,
    pub vat_rate: &'static str,
    pub amount: &'static str,
    pub no_line_items: &'static str,
    pub line: &'static str,
    pub kind: &'static str,
    pub kind_item: &'static str,
    pub kind_allowance: &'static str,
    pub kind_charge: &'static str,
    pub unit: &'static str,
    pub remove: &'static str,
    pub save_lines: &'static str,
    pub lines_help: &'static str,
    pub lines_not_saved: &'static str,
    pub lines_corrected: &'static str,
    pub audit_trail: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub action: &'static str,
    pub download_original: &'static str,
    pub keyboard_help: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub upload_title: &'static str,
    pub upload_drop: &'static str,
    pub upload_choose: &'static str,
    pub upload_queued: &'static str,
    pub upload_help: &'static str,
    pub dashboard_title: &'static str,
    pub invoices_per_day: &'static str,
    pub automation_rate: &'static str,
    pub automation_help: &'static str,
    pub field_accuracy: &'static str,
    pub field_accuracy_help: &'static str,
    pub processing_time: &'static str,
    pub queue_depth: &'static str,
    pub hot_spots: &'static str,
    pub corrections: &'static str,
    pub most_corrected: &'static str,
    pub llm_cost: &'static str,
    pub llm_calls: &'static str,
    pub invoices: &'static str,
    pub reviewed: &'static str,
    pub no_data: &'static str,
    pub settings_title: &'static str,
    pub language: &'static str,
    pub keys: &'static str,
    pub key_name: &'static str,
    pub role: &'static str,
    pub created: &'static str,
    pub revoked: &'static str,
    pub revoke: &'static str,
    pub create_key: &'static str,
    pub new_key_shown_once: &'static str,
    pub error_title: &'static str,
    pub not_found: &'static str,
    pub forbidden: &'static str,
    pub csrf_failed: &'static str,
    pub back_to_queue: &'static str,
}

pub static EN: Texts = Texts {
    app: "invex review",
    nav_queue: "Review queue",
    nav_upload: "Upload",
    nav_dashboard: "Dashboard",
    nav_settings: "Settings",
    sign_in: "Sign in",
    sign_out: "Sign out",
    api_key: "API key",
    api_key_help: "Paste the API key your administrator gave you (it starts with ivx_).",
    wrong_key: "That key is not valid, or it has been revoked.",
    signed_in_as: "Signed in with key",
    queue_title: "Review queue",
    filters: "Filters",
    status: "Status",
    all: "All",
    supplier: "Supplier",
    date_from: "Invoice date from",
    date_to: "Invoice date to",
    amount_min: "Total from",
    amount_max: "Total to",
    confidence_min: "Confidence from",
    confidence_max: "Confidence to",
    search: "Search",
    apply: "Apply",
    clear: "Clear",
    invoices_found: "invoices",
    file: "File",
    number: "Number",
    date: "Date",
    total: "Total",
    confidence: "Confidence",
    problems: "Problems",
    uploaded: "Uploaded",
    empty_queue: "Nothing to review. Well done.",
    fields: "Fields",
    value: "Value",
    source: "Source",
    save: "Save",
    save_and_approve: "Save and approve",
    approve: "Approve",
    next: "Next invoice",
    saved: "Saved.",
    approved: "Approved.",
    not_saved: "Not saved: correct the fields marked below.",
    checks_failed: "Why this invoice needs a person",
    no_checks_failed: "Every check passes.",
    page: "Page",
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    no_page_image: "This file has no page to show.",
    line_items: "Line items",
    description: "Description",
    quantity: "Quantity",
    unit_price: "Unit price",
    vat_rate: "VAT %",
    amount: "Amount",
    no_line_items: "No line items were found.",
    line: "line",
    kind: "Kind",
    kind_item: "Item",
    kind_allowance: "Allowance",
    kind_charge: "Charge",
    unit: "Unit",
    remove: "Remove",
    save_lines: "Save line items",
    lines_help: "Fill in an empty row to add a line; tick Remove to drop one. An allowance's amount is negative. Saving replaces the invoice's line items.",
    lines_not_saved: "Line items not saved: correct the rows marked below.",
    lines_corrected: "Line items corrected by a person. Lines read from the file:",
    audit_trail: "Audit trail",
    when: "When",
    who: "Who (key)",
    action: "Action",
    download_original: "Download the original file",
    keyboard_help: "Keys: Tab or Enter moves to the next field, Ctrl+S saves, Ctrl+Enter saves and approves, Alt+N opens the next invoice.",
    yes: "Yes",
    no: "No",
    upload_title: "Upload invoices",
    upload_drop: "Drop PDF, image or e-invoice files here",
    upload_choose: "Choose files",
    upload_queued: "Queued",
    upload_help: "Each file is uploaded on its own; you can leave this page once all say queued.",
    dashboard_title: "Dashboard",
    invoices_per_day: "Invoices per day",
    automation_rate: "Automation rate",
    automation_help: "Share of processed invoices done without a person.",
    field_accuracy: "Accuracy per field",
    field_accuracy_help: "Share of reviewed invoices where a person left the field as extracted.",
    processing_time: "Time from upload to result",
    queue_depth: "Waiting to be read",
    hot_spots: "Suppliers with the most corrections",
    corrections: "Corrections",
    most_corrected: "Most corrected fields",
    llm_cost: "Language-model cost",
    llm_calls: "calls",
    invoices: "Invoices",
    reviewed: "Reviewed",
    no_data: "No invoices in this period.",
    settings_title: "Settings",
    language: "Language",
    keys: "API keys",
    key_name: "Name",
    role: "Role",
    created: "Created",
    revoked: "Revoked",
    revoke: "Revoke",
    create_key: "Create key",
    new_key_shown_once: "The new key, shown only now. Store it safely:",
    error_title: "Something went wrong",
    not_found: "There is no such page or invoice.",
    forbidden: "Your key's role does not allow this.",
    csrf_failed: "The form was out of date or not sent from this site. Reload the page and try again.",
    back_to_queue: "Back to the review queue",
};

pub static SV: Texts = Texts {
    app: "invex granskning",
    nav_queue: "Granskningskö",
    nav_upload: "Ladda upp",
    nav_dashboard: "Översikt",
    nav_settings: "Inställningar",
    sign_in: "Logga in",
    sign_out: "Logga ut",
    api_key: "API-nyckel",
    api_key_help: "Klistra in API-nyckeln du fått av din administratör (den börjar med ivx_).",
    wrong_key: "Nyckeln är ogiltig eller återkallad.",
    signed_in_as: "Inloggad med nyckel",
    queue_title: "Granskningskö",
    filters: "Filter",
    status: "Status",
    all: "Alla",
    supplier: "Leverantör",
    date_from: "Fakturadatum från",
    date_to: "Fakturadatum till",
    amount_min: "Belopp från",
    amount_max: "Belopp till",
    confidence_min: "Säkerhet från",
    confidence_max: "Säkerhet till",
    search: "Sök",
    apply: "Använd",
    clear: "Rensa",
    invoices_found: "fakturor",
    file: "Fil",
    number: "Nummer",
    date: "Datum",
    total: "Belopp",
    confidence: "Säkerhet",
    problems: "Problem",
    uploaded: "Uppladdad",
    empty_queue: "Inget att granska. Bra jobbat.",
    fields: "Fält",
    value: "Värde",
    source: "Källa",
    save: "Spara",
    save_and_approve: "Spara och godkänn",
    approve: "Godkänn",
    next: "Nästa faktura",
    saved: "Sparat.",
    approved: "Godkänd.",
    not_saved: "Inte sparat: rätta de markerade fälten nedan.",
    checks_failed: "Varför fakturan behöver granskas",
    no_checks_failed: "Alla kontroller går igenom.",
    page: "Sida",
    zoom_in: "Zooma in",
    zoom_out: "Zooma ut",
    no_page_image: "Filen har ingen sida att visa.",
    line_items: "Fakturarader",
    description: "Beskrivning",
    quantity: "Antal",
    unit_price: "À-pris",
    vat_rate: "Moms %",
    amount: "Belopp",
    no_line_items: "Inga fakturarader hittades.",
    line: "rad",
    kind: "Typ",
    kind_item: "Artikel",
    kind_allowance: "Rabatt",
    kind_charge: "Avgift",
    unit: "Enhet",
    remove: "Ta bort",
    save_lines: "Spara fakturarader",
    lines_help: "Fyll i en tom rad för att lägga till en rad; kryssa i Ta bort för att ta bort en. En rabatts belopp är negativt. Att spara ersätter fakturans rader.",
    lines_not_saved: "Fakturaraderna sparades inte: rätta de markerade raderna nedan.",
    lines_corrected: "Fakturaraderna är rättade av en person. Rader lästa ur filen:",
    audit_trail: "Händelselogg",
    when: "När",
    who: "Vem (nyckel)",
    action: "Händelse",
    download_original: "Ladda ner originalfilen",
    keyboard_help: "Tangenter: Tab eller Enter går till nästa fält, Ctrl+S sparar, Ctrl+Enter sparar och godkänner, Alt+N öppnar nästa faktura.",
    yes: "Ja",
    no: "Nej",
    upload_title: "Ladda upp fakturor",
    upload_drop: "Släpp PDF-, bild- eller e-fakturafiler här",
    upload_choose: "Välj filer",
    upload_queued: "I kö",
    upload_help: "Varje fil laddas upp för sig; du kan lämna sidan när alla står i kö.",
    dashboard_title: "Översikt",
    invoices_per_day: "Fakturor per dag",
    automation_rate: "Automatiseringsgrad",
    automation_help: "Andel lästa fakturor som blev klara utan en människa.",
    field_accuracy: "Träffsäkerhet per fält",
    field_accuracy_help: "Andel granskade fakturor där fältet lämnades som det lästes.",
    processing_time: "Tid från uppladdning till resultat",
    queue_depth: "Väntar på att läsas",
    hot_spots: "Leverantörer med flest rättelser",
    corrections: "Rättelser",
    most_corrected: "Oftast rättade fält",
    llm_cost: "Kostnad för språkmodell",
    llm_calls: "anrop",
    invoices: "Fakturor",
    reviewed: "Granskade",
    no_data: "Inga fakturor under perioden.",
    settings_title: "Inställningar",
    language: "Språk",
    keys: "API-nycklar",
    key_name: "Namn",
    role: "Roll",
    created: "Skapad",
    revoked: "Återkallad",
    revoke: "Återkalla",
    create_key: "Skapa nyckel",
    new_key_shown_once: "Den nya nyckeln, som bara visas nu. Spara den säkert:",
    error_title: "Något gick fel",
    not_found: "Sidan eller fakturan finns inte.",
    forbidden: "Din nyckels roll tillåter inte detta.",
    csrf_failed: "Formuläret var inaktuellt eller skickades inte från den här webbplatsen. Ladda om sidan och försök igen.",
    back_to_queue: "Tillbaka till granskningskön",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_language_is_followed_and_swedish_is_the_default() {
        let table = [
            (None, Lang::Sv),
            (Some("en-US,en;q=0.9"), Lang::En),
            (Some("sv-SE,sv;q=0.9,en;q=0.8"), Lang::Sv),
            (Some("de-DE,en;q=0.5"), Lang::En),
            (Some("fr"), Lang::Sv),
        ];
        for (header, want) in table {
            assert_eq!(Lang::from_accept_language(header), want, "{header:?}");
        }
    }

    #[test]
    fn the_validators_reasons_are_given_in_swedish() {
        use FieldName::*;
        let english =
            "\"5050-1056\" is not a valid Bankgiro number (7–8 digits with a Luhn check digit)";
        // (language, field, typed, reason)
        let table = [
            (Lang::En, Bankgiro, "5050-1056", english.to_string()),
            (
                Lang::Sv,
                Bankgiro,
                "5050-1056",
                "\"5050-1056\" är inte ett giltigt bankgironummer (7–8 siffror med kontrollsiffra enligt Luhn)".into(),
            ),
            (Lang::Sv, TotalAmount, "tio", "\"tio\" är inget belopp".into()),
            (Lang::Sv, DueDate, "31/12", "\"31/12\" är inget datum på formen ÅÅÅÅ-MM-DD".into()),
            (Lang::Sv, InvoiceNumber, "", english.to_string()),
        ];
        for (lang, field, typed, want) in table {
            assert_eq!(lang.reason(field, typed, english), want, "{lang:?} {field:?}");
        }
    }

    #[test]
    fn every_field_has_a_label_in_both_languages() {
        for name in FieldName::ALL {
            assert!(!Lang::Sv.field(name).is_empty() && !Lang::En.field(name).is_empty());
        }
    }
}
