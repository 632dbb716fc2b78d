//! The in-browser provider's model list: small instruct models in GGUF that run in a tab
//! with llama.cpp compiled to WebAssembly. Any other URL (or a file from disk) works too;
//! these are the ones offered with their size and what they are good for, in plain words.

/// One model the picker offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalModel {
    pub name: &'static str,
    /// Where it is downloaded from (Hugging Face by default).
    pub url: &'static str,
    /// Download size in megabytes (about).
    pub size_mb: u32,
    pub good_for: &'static str,
}

pub const LOCAL_MODELS: [LocalModel; 6] = [
    LocalModel {
        name: "SmolLM2 135M Instruct",
        url: "https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct-GGUF/resolve/main/smollm2-135m-instruct-q8_0.gguf",
        size_mb: 145,
        good_for: "Trying the flow with no key. Tiny: short, simple answers; often wrong.",
    },
    LocalModel {
        name: "SmolLM2 360M Instruct",
        url: "https://huggingface.co/HuggingFaceTB/SmolLM2-360M-Instruct-GGUF/resolve/main/smollm2-360m-instruct-q8_0.gguf",
        size_mb: 386,
        good_for: "Short rewrites and simple classification. Still weak at reasoning.",
    },
    LocalModel {
        name: "Qwen2.5 0.5B Instruct",
        url: "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf",
        size_mb: 398,
        good_for: "Extraction to JSON and classification; several languages.",
    },
    LocalModel {
        name: "Llama 3.2 1B Instruct",
        url: "https://huggingface.co/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf",
        size_mb: 808,
        good_for: "Summaries and replies of fair quality. Slow without WebGPU.",
    },
    LocalModel {
        name: "Qwen2.5 1.5B Instruct",
        url: "https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/main/qwen2.5-1.5b-instruct-q4_k_m.gguf",
        size_mb: 1117,
        good_for: "The best answers of this list; needs a recent laptop.",
    },
    LocalModel {
        name: "SmolLM2 1.7B Instruct",
        url: "https://huggingface.co/HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF/resolve/main/smollm2-1.7b-instruct-q4_k_m.gguf",
        size_mb: 1056,
        good_for: "Good English writing for its size; needs a recent laptop.",
    },
];

/// The prefix of a model picked from disk (the browser keeps the file; the flow keeps its name).
pub const FILE_PREFIX: &str = "file:";

/// A person-readable name for a model setting: a listed model's name, a picked file's name,
/// or the file name at the end of a URL.
pub fn model_name(model: &str) -> String {
    if let Some(m) = LOCAL_MODELS.iter().find(|m| m.url == model) {
        return m.name.to_string();
    }
    if let Some(file) = model.strip_prefix(FILE_PREFIX) {
        return file.to_string();
    }
    let last = model.rsplit('/').next().unwrap_or(model);
    let last = last.split(['?', '#']).next().unwrap_or(last);
    if last.is_empty() {
        model.to_string()
    } else {
        last.to_string()
    }
}

/// The label traces and results show: which model ran, and where.
pub fn where_it_ran(model: &str) -> String {
    format!("{}, in this browser", model_name(model))
}

/// A warning before downloading a model that is large for this device's memory
/// (`device_memory_gb` is what the browser reports, rounded down by it; `None` if unknown).
pub fn memory_warning(size_mb: u32, device_memory_gb: Option<f64>) -> Option<String> {
    let size_gb = f64::from(size_mb) / 1000.0;
    // The model is held in memory about twice while loading (download buffer and weights).
    match device_memory_gb {
        Some(mem) if size_gb * 2.0 > mem => Some(format!(
            "This model is {size_gb:.1} GB and this device reports about {mem:.0} GB of memory: the tab may run \
             out of memory. Pick a smaller model."
        )),
        _ if size_gb > 1.0 => {
            Some(format!("This model is {size_gb:.1} GB: the download takes a while and needs a recent laptop."))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_warnings_read_plainly() {
        assert_eq!(model_name(LOCAL_MODELS[0].url), "SmolLM2 135M Instruct");
        assert_eq!(
            model_name("http://127.0.0.1:4012/SmolLM2-135M-Instruct.Q4_1.gguf?x=1"),
            "SmolLM2-135M-Instruct.Q4_1.gguf"
        );
        assert_eq!(model_name("file:my-model.gguf"), "my-model.gguf");
        assert_eq!(where_it_ran("file:my-model.gguf"), "my-model.gguf, in this browser");
        assert_eq!(memory_warning(145, Some(8.0)), None);
        assert!(memory_warning(1117, Some(2.0)).unwrap().contains("may run out of memory"));
        assert!(memory_warning(1117, None).unwrap().contains("recent laptop"));
        for m in LOCAL_MODELS {
            assert!(m.url.starts_with("https://huggingface.co/") && m.url.ends_with(".gguf"));
        }
    }
}
