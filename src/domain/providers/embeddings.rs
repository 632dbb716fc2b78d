//! Embeddings: the request for a batch of texts and the vectors in the reply, for OpenAI
//! (and compatible servers), Gemini and Ollama. Anthropic has no embeddings endpoint.

use serde_json::{json, Value};

use super::error::{ProviderError, Setting};
use super::types::{HttpRequest, ProviderSettings};
use super::{wire, ProviderKind};

fn unsupported(kind: ProviderKind) -> ProviderError {
    ProviderError::Unsupported { provider: kind, what: "embeddings".to_string() }
}

/// The request that embeds `inputs` (in order) with `model`.
pub fn build_embeddings_request(
    kind: ProviderKind,
    settings: &ProviderSettings,
    model: &str,
    inputs: &[String],
) -> Result<HttpRequest, ProviderError> {
    let model = model.trim();
    if model.is_empty() {
        return Err(ProviderError::MissingSetting { provider: kind, what: Setting::Model });
    }
    match kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
            let base = wire::base_url(kind, settings)?;
            let key = wire::api_key(kind, settings)?;
            let headers = key.map(wire::bearer).into_iter().collect();
            Ok(wire::post_json(format!("{base}/embeddings"), headers, &json!({"model": model, "input": inputs})))
        }
        ProviderKind::Gemini => {
            let base = wire::base_url(kind, settings)?;
            let headers =
                wire::api_key(kind, settings)?.map(|k| wire::header("x-goog-api-key", k)).into_iter().collect();
            let bare = model.strip_prefix("models/").unwrap_or(model);
            let requests: Vec<Value> = inputs
                .iter()
                .map(|t| json!({"model": format!("models/{bare}"), "content": {"parts": [{"text": t}]}}))
                .collect();
            let url = format!("{base}/models/{}:batchEmbedContents", wire::encode_path_segment(bare));
            Ok(wire::post_json(url, headers, &json!({"requests": requests})))
        }
        ProviderKind::Ollama => {
            let base = wire::base_url(kind, settings)?;
            let headers = wire::api_key(kind, settings)?.map(wire::bearer).into_iter().collect();
            Ok(wire::post_json(format!("{base}/api/embed"), headers, &json!({"model": model, "input": inputs})))
        }
        ProviderKind::Anthropic | ProviderKind::Demo | ProviderKind::Browser => Err(unsupported(kind)),
    }
}

fn vector(v: &Value) -> Option<Vec<f32>> {
    v.as_array()?.iter().map(|x| x.as_f64().map(|f| f as f32)).collect()
}

/// The vectors of a successful embeddings reply, in input order.
pub fn parse_embeddings(kind: ProviderKind, body: &str) -> Result<Vec<Vec<f32>>, ProviderError> {
    let value = wire::parse_json(kind, body, "the embeddings reply")?;
    let vectors: Option<Vec<Vec<f32>>> = match kind {
        ProviderKind::Gemini => value
            .get("embeddings")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(|e| e.get("values").and_then(vector)).collect()),
        ProviderKind::Ollama => {
            value.get("embeddings").and_then(Value::as_array).map(|list| list.iter().filter_map(vector).collect())
        }
        _ => value.get("data").and_then(Value::as_array).map(|list| {
            let mut items: Vec<(u64, Vec<f32>)> = list
                .iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    Some((d.get("index").and_then(Value::as_u64).unwrap_or(i as u64), vector(d.get("embedding")?)?))
                })
                .collect();
            items.sort_by_key(|(i, _)| *i);
            items.into_iter().map(|(_, v)| v).collect()
        }),
    };
    vectors.filter(|v| !v.is_empty()).ok_or_else(|| wire::malformed(kind, "the embeddings reply has no vectors"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ProviderSettings {
        ProviderSettings { base_url: String::new(), api_key: "k".into() }
    }

    fn body(req: &HttpRequest) -> Value {
        serde_json::from_str(req.body.as_deref().unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn requests_per_provider() {
        let inputs = vec!["a".to_string(), "b".to_string()];
        let r = build_embeddings_request(ProviderKind::OpenAi, &settings(), "text-embedding-3-small", &inputs)
            .expect("builds");
        assert_eq!(r.url, "https://api.openai.com/v1/embeddings");
        assert_eq!(body(&r), json!({"model": "text-embedding-3-small", "input": ["a", "b"]}));
        let r = build_embeddings_request(ProviderKind::Gemini, &settings(), "gemini-embedding-001", &inputs)
            .expect("builds");
        assert_eq!(
            r.url,
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents"
        );
        assert_eq!(
            body(&r)["requests"][1],
            json!({"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "b"}]}})
        );
        let r =
            build_embeddings_request(ProviderKind::Ollama, &ProviderSettings::default(), "nomic-embed-text", &inputs)
                .expect("builds");
        assert_eq!(r.url, "http://localhost:11434/api/embed");
        assert!(matches!(
            build_embeddings_request(ProviderKind::Anthropic, &settings(), "x", &inputs),
            Err(ProviderError::Unsupported { .. })
        ));
        assert!(build_embeddings_request(ProviderKind::OpenAi, &settings(), " ", &inputs).is_err());
    }

    #[test]
    fn replies_per_provider() {
        let openai = r#"{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.0,1.0]},{"object":"embedding","index":0,"embedding":[1.0,0.0]}],"model":"m","usage":{"prompt_tokens":2,"total_tokens":2}}"#;
        assert_eq!(parse_embeddings(ProviderKind::OpenAi, openai).ok(), Some(vec![vec![1.0, 0.0], vec![0.0, 1.0]]));
        let gemini = r#"{"embeddings":[{"values":[0.5,0.5]},{"values":[1,0]}]}"#;
        assert_eq!(parse_embeddings(ProviderKind::Gemini, gemini).map(|v| v.len()).ok(), Some(2));
        let ollama = r#"{"model":"m","embeddings":[[0.1,0.2,0.3]]}"#;
        assert_eq!(parse_embeddings(ProviderKind::Ollama, ollama).map(|v| v[0].len()).ok(), Some(3));
        assert!(parse_embeddings(ProviderKind::OpenAi, r#"{"data":[]}"#).is_err());
        assert!(parse_embeddings(ProviderKind::OpenAi, "<html>").is_err());
    }
}
