//! Builds the extractor `invex extract` (and the benches) run: the rules, the
//! layout model, or both combined, with calibrated confidences.

use anyhow::{Context, Result};
use invex_domain::Extractor;
use invex_domain::calibration::Calibration;
use invex_models::{LayoutExtractor, ModelOptions, ModelVariant};
use invex_pipeline::{Calibrated, CombinedExtractor, RulesExtractor};
use tracing::{info, warn};

use invex_einvoice::XmlInvoiceReader;
use invex_pipeline::EInvoiceStage;

use crate::cli::{EInvoiceUse, ExtractorArgs, ExtractorChoice, VariantChoice};

/// The cascade's e-invoice stage as `--e-invoice`, `--trust-xml` and
/// `--validate-xml` ask.
pub fn e_invoice_stage(args: &ExtractorArgs) -> Result<Option<EInvoiceStage>> {
    let trust_xml = match (args.e_invoice, args.trust_xml) {
        (EInvoiceUse::Off, _) => return Ok(None),
        (EInvoiceUse::Trust, _) | (_, true) => true,
        (EInvoiceUse::Check, false) => false,
    };
    let mut reader = XmlInvoiceReader::default();
    if args.validate_xml {
        let native = match std::env::var_os("INVEX_NATIVE_DIR") {
            Some(dir) => std::path::PathBuf::from(dir),
            None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".native"),
        };
        let validator = invex_einvoice::Validator::locate(&native).map_err(anyhow::Error::msg)?;
        reader = reader.with_validator(validator);
    }
    Ok(Some(EInvoiceStage { reader: Box::new(reader), trust_xml }))
}

pub fn build(args: &ExtractorArgs) -> Result<Box<dyn Extractor>> {
    let model = || -> Result<LayoutExtractor> {
        let options = ModelOptions {
            variant: match args.model_variant {
                VariantChoice::Fp32 => ModelVariant::Fp32,
                VariantChoice::Int8 => ModelVariant::Int8,
            },
            ..ModelOptions::default()
        };
        let model = crate::model_dir::load(args.model.as_deref(), options)?;
        info!(model = %model.dir().display(), "layout model loaded");
        Ok(LayoutExtractor::new(model))
    };
    let combined = |m: LayoutExtractor| -> Box<dyn Extractor> {
        Box::new(CombinedExtractor::new(Box::new(RulesExtractor::new()), Box::new(m)))
    };
    let rules_only = matches!(args.extractor, ExtractorChoice::Auto | ExtractorChoice::Rules);
    let extractor: Box<dyn Extractor> = match args.extractor {
        ExtractorChoice::Auto | ExtractorChoice::Rules => Box::new(RulesExtractor::new()),
        ExtractorChoice::Model => Box::new(model()?),
        ExtractorChoice::Combined => combined(model()?),
    };
    let table = match args.calibration.as_str() {
        "none" => None,
        "shipped" if rules_only => Some(Calibration::shipped().clone()),
        "shipped" => {
            warn!("the shipped calibration is fitted for the rules; the model's scores stay raw");
            None
        }
        path => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read the calibration table {path}"))?;
            Some(
                Calibration::from_json(&text)
                    .with_context(|| format!("{path} is not a calibration table"))?,
            )
        }
    };
    Ok(match table {
        Some(table) => Box::new(Calibrated::new(extractor, table)),
        None => extractor,
    })
}
