//! Model prices, kept in one data file (`pricing.json`) so updating a price is a one-line
//! edit. Prices are US dollars per million tokens; the engine uses them for the estimate
//! before a run, the cost of each call and the per-run budget.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::providers::ProviderKind;

/// The built-in table, compiled in.
const BUILTIN_JSON: &str = include_str!("pricing.json");

/// What one model charges, in US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
}

impl Price {
    /// Local and offline providers.
    pub const FREE: Price = Price { input_per_mtok: 0.0, output_per_mtok: 0.0 };
}

/// Prices per model id, as stored in `pricing.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceTable {
    /// When the prices were last checked (ISO date).
    pub updated: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Provider ids (see `ProviderKind::id`) whose calls cost nothing.
    #[serde(default)]
    pub free_providers: Vec<String>,
    pub models: BTreeMap<String, Price>,
}

impl Default for PriceTable {
    fn default() -> Self {
        PriceTable::builtin()
    }
}

impl PriceTable {
    /// The table shipped with the app. A test proves the file parses; should it ever not,
    /// every price is unknown rather than the app failing.
    pub fn builtin() -> PriceTable {
        PriceTable::parse(BUILTIN_JSON).unwrap_or_else(|_| PriceTable::empty())
    }

    /// A table that knows no prices (local and demo providers are still free).
    pub fn empty() -> PriceTable {
        PriceTable {
            updated: String::new(),
            note: String::new(),
            free_providers: [ProviderKind::Ollama, ProviderKind::Demo, ProviderKind::Browser]
                .map(|k| k.id().to_string())
                .to_vec(),
            models: BTreeMap::new(),
        }
    }

    /// Reads a table in the `pricing.json` shape. Errors name the path of the bad value.
    pub fn parse(json: &str) -> Result<PriceTable, String> {
        let table: PriceTable = crate::domain::util::json_error::decode(json).map_err(|e| match e.path.as_str() {
            "" => e.detail,
            p => format!("At {p}: {}", e.detail),
        })?;
        if let Some((model, _)) = table.models.iter().find(|(_, p)| !p.is_valid()) {
            return Err(format!("At models.{model}: prices must be zero or more dollars per million tokens."));
        }
        Ok(table)
    }

    /// The price of `model` on `provider`, or `None` when the table does not know it.
    ///
    /// Matching ignores ASCII case, then tries the exact id, then the longest known id that
    /// the model starts with followed by `-`, `@` or `:` (so dated ids such as
    /// `gpt-4o-mini-2024-07-18` find `gpt-4o-mini`, not `gpt-4o`). A `vendor/` prefix, as
    /// OpenRouter and Gemini's `models/` use, is tried without it too.
    pub fn price(&self, provider: ProviderKind, model: &str) -> Option<Price> {
        if self.free_providers.iter().any(|p| p == provider.id()) {
            return Some(Price::FREE);
        }
        let model = model.trim().to_ascii_lowercase();
        if model.is_empty() {
            return None;
        }
        let short = model.rsplit('/').next().unwrap_or(&model).to_string();
        self.lookup(&model).or_else(|| self.lookup(&short))
    }

    fn lookup(&self, model: &str) -> Option<Price> {
        let mut best: Option<(usize, Price)> = None;
        for (id, price) in &self.models {
            let id = id.to_ascii_lowercase();
            if id == model {
                return Some(*price);
            }
            let is_prefix = model.strip_prefix(id.as_str()).is_some_and(|rest| rest.starts_with(['-', '@', ':']));
            if is_prefix && best.is_none_or(|(len, _)| id.len() > len) {
                best = Some((id.len(), *price));
            }
        }
        best.map(|(_, price)| price)
    }
}

impl Price {
    fn is_valid(&self) -> bool {
        [self.input_per_mtok, self.output_per_mtok].iter().all(|v| v.is_finite() && *v >= 0.0)
    }
}

/// The cost in US dollars of a call that read `input_tokens` and wrote `output_tokens`.
pub fn cost(price: Price, input_tokens: u64, output_tokens: u64) -> f64 {
    (input_tokens as f64 * price.input_per_mtok + output_tokens as f64 * price.output_per_mtok) / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_file_parses_and_covers_the_common_models() {
        let table = PriceTable::parse(BUILTIN_JSON).expect("pricing.json parses");
        assert_eq!(table, PriceTable::builtin());
        assert!(!table.updated.is_empty());
        for model in [
            "gpt-4o",
            "gpt-4o-mini",
            "gpt-4.1",
            "gpt-4.1-mini",
            "gpt-4.1-nano",
            "o4-mini",
            "claude-3-5-haiku-latest",
            "claude-sonnet-4-5",
            "claude-opus-4-1",
            "claude-haiku-4-5",
            "gemini-2.5-flash",
            "gemini-2.5-pro",
            "gemini-2.5-flash-lite",
        ] {
            assert!(table.models.contains_key(model), "{model} is missing");
        }
    }

    #[test]
    fn dated_and_prefixed_ids_find_their_base_model() {
        let t = PriceTable::builtin();
        let mini = t.price(ProviderKind::OpenAi, "gpt-4o-mini");
        assert_eq!(mini.map(|p| p.input_per_mtok), Some(0.15));
        assert_eq!(t.price(ProviderKind::OpenAi, "gpt-4o-mini-2024-07-18"), mini);
        assert_eq!(t.price(ProviderKind::OpenAi, "GPT-4o-Mini"), mini);
        assert_eq!(t.price(ProviderKind::OpenAi, "gpt-4o-2024-08-06"), t.price(ProviderKind::OpenAi, "gpt-4o"));
        assert_eq!(
            t.price(ProviderKind::Anthropic, "claude-3-5-haiku-20241022"),
            t.price(ProviderKind::Anthropic, "claude-3-5-haiku-latest")
        );
        assert_eq!(t.price(ProviderKind::OpenAiCompatible, "openai/gpt-4o-mini"), mini);
        assert_eq!(
            t.price(ProviderKind::Gemini, "models/gemini-2.5-flash-lite"),
            t.price(ProviderKind::Gemini, "gemini-2.5-flash-lite")
        );
        assert_eq!(t.price(ProviderKind::OpenAi, "gpt-4omni"), None);
        assert_eq!(t.price(ProviderKind::OpenAiCompatible, "llama-3.1-8b"), None);
        assert_eq!(t.price(ProviderKind::OpenAi, "  "), None);
    }

    #[test]
    fn local_and_demo_are_free() {
        let t = PriceTable::builtin();
        assert_eq!(t.price(ProviderKind::Ollama, "qwen3"), Some(Price::FREE));
        assert_eq!(t.price(ProviderKind::Demo, ""), Some(Price::FREE));
        assert_eq!(PriceTable::empty().price(ProviderKind::Ollama, "x"), Some(Price::FREE));
    }

    #[test]
    fn cost_is_per_million_tokens() {
        let p = Price { input_per_mtok: 0.15, output_per_mtok: 0.60 };
        assert!((cost(p, 1_000_000, 0) - 0.15).abs() < 1e-12);
        assert!((cost(p, 1000, 500) - 0.00045).abs() < 1e-12);
        assert_eq!(cost(Price::FREE, 10, 10), 0.0);
    }

    #[test]
    fn bad_tables_say_where() {
        let err = PriceTable::parse(r#"{"updated":"x","models":{"m":{"input_per_mtok":"a"}}}"#).unwrap_err();
        assert!(err.starts_with("At models.m.input_per_mtok"), "{err}");
        let err = PriceTable::parse(r#"{"updated":"x","models":{"m":{"input_per_mtok":-1,"output_per_mtok":1}}}"#)
            .unwrap_err();
        assert!(err.contains("models.m"), "{err}");
    }
}

/// Model ids worth suggesting for a provider before its model list has been fetched:
/// the priced models of that provider's family.
pub fn suggested_models(table: &PriceTable, provider: ProviderKind) -> Vec<String> {
    let family: &[&str] = match provider {
        ProviderKind::OpenAi => &["gpt-", "o1", "o3", "o4"],
        ProviderKind::Anthropic => &["claude"],
        ProviderKind::Gemini => &["gemini"],
        _ => &[],
    };
    table.models.keys().filter(|m| family.iter().any(|f| m.starts_with(f))).cloned().collect()
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    #[test]
    fn suggestions_follow_the_provider_family() {
        let t = PriceTable::builtin();
        assert!(suggested_models(&t, ProviderKind::OpenAi).contains(&"gpt-4o-mini".to_string()));
        assert!(suggested_models(&t, ProviderKind::Anthropic).iter().all(|m| m.starts_with("claude")));
        assert!(suggested_models(&t, ProviderKind::Ollama).is_empty());
    }
}
