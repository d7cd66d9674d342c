//! The invoice list's `WHERE` clause, built from an [`InvoiceFilter`] with
//! numbered placeholders and their arguments kept in step.

use invex_domain::service::InvoiceFilter;
use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::{Arguments, Encode, Type};

use super::rows::{Round, millis, minor_units};

/// Conditions joined with `AND`, and the arguments their `$N` refer to.
#[derive(Default)]
pub(super) struct Conditions {
    conditions: Vec<String>,
    args: AnyArguments,
}

impl Conditions {
    /// Adds `value` as the next argument and returns its placeholder (`$N`).
    pub(super) fn arg<T>(&mut self, value: T) -> String
    where
        T: for<'t> Encode<'t, Any> + Type<Any>,
    {
        // Encoding the plain values used here (text, integers, floats) cannot fail.
        self.args.add(value).expect("encode a query argument");
        format!("${}", self.args.len())
    }

    pub(super) fn push(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// `WHERE a AND b ...` (empty when there are no conditions) and the arguments.
    pub(super) fn finish(self) -> (String, AnyArguments) {
        let clause = if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        };
        (clause, self.args)
    }
}

/// The conditions of `tenant_id`'s invoice list under `filter`, its cursor included.
pub(super) fn invoice_conditions(tenant_id: &str, filter: &InvoiceFilter) -> Conditions {
    let mut c = Conditions::default();
    let p = c.arg(tenant_id.to_string());
    c.push(format!("tenant_id = {p}"));
    if let Some(status) = filter.status {
        let p = c.arg(status.as_str().to_string());
        c.push(format!("status = {p}"));
    }
    if let Some(supplier) = &filter.supplier {
        let p = c.arg(contains_pattern(supplier));
        c.push(format!("supplier_search LIKE {p} ESCAPE '\\'"));
    }
    if let Some(text) = &filter.text {
        let p = c.arg(contains_pattern(text));
        c.push(format!("search_text LIKE {p} ESCAPE '\\'"));
    }
    // Dates are 'YYYY-MM-DD' text, which sorts like the dates themselves.
    if let Some(from) = filter.date_from {
        let p = c.arg(from.to_string());
        c.push(format!("invoice_date >= {p}"));
    }
    if let Some(to) = filter.date_to {
        let p = c.arg(to.to_string());
        c.push(format!("invoice_date <= {p}"));
    }
    if let Some(min) = filter.amount_min {
        let p = c.arg(minor_units(min, Round::Up));
        c.push(format!("total_minor >= {p}"));
    }
    if let Some(max) = filter.amount_max {
        let p = c.arg(minor_units(max, Round::Down));
        c.push(format!("total_minor <= {p}"));
    }
    if let Some(min) = filter.min_confidence {
        let p = c.arg(min);
        c.push(format!("min_confidence >= {p}"));
    }
    if let Some(max) = filter.max_confidence {
        let p = c.arg(max);
        c.push(format!("min_confidence <= {p}"));
    }
    if let Some(after) = &filter.after {
        // Rows strictly after the cursor in (created_at DESC, id DESC) order.
        let at = c.arg(millis(after.created_at));
        let id = c.arg(after.id.clone());
        c.push(format!("(created_at < {at} OR (created_at = {at} AND id < {id}))"));
    }
    c
}

/// A `LIKE` pattern matching `needle`, lower-cased, anywhere; `%`, `_` and
/// `\` in it match themselves.
pub(super) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::from("%");
    for ch in needle.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_escape_wildcards() {
        assert_eq!(contains_pattern("ÅHLÉNS"), "%åhléns%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
