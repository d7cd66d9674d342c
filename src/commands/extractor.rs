//! Builds the extractor `invex extract` (and the benches) run: the rules, the
//! layout model, or both combined.

use anyhow::Result;
use invex_domain::Extractor;
use invex_models::{LayoutExtractor, ModelOptions, ModelVariant};
use invex_pipeline::{CombinedExtractor, RulesExtractor};
use tracing::{info, warn};

use crate::cli::{ExtractorArgs, ExtractorChoice, VariantChoice};

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
    Ok(match args.extractor {
        ExtractorChoice::Rules => Box::new(RulesExtractor::new()),
        ExtractorChoice::Model => Box::new(model()?),
        ExtractorChoice::Combined => combined(model()?),
        ExtractorChoice::Auto => match model() {
            Ok(m) => combined(m),
            Err(e) => {
                warn!("no layout model, using the rules alone: {e:#}");
                Box::new(RulesExtractor::new())
            }
        },
    })
}
