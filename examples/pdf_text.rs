//! Prints the text the PDF reader finds in each file named on the command line; with
//! `--json`, one JSON line per file with the text and the time taken (tests/bench/pdf-bench.mjs).
use chainboard::domain::retrieval::pdf::extract_text;

fn main() {
    let mut json = false;
    for arg in std::env::args().skip(1) {
        if arg == "--json" {
            json = true;
            continue;
        }
        let Ok(bytes) = std::fs::read(&arg) else {
            eprintln!("cannot read {arg}");
            continue;
        };
        let start = std::time::Instant::now();
        let result = extract_text(&bytes);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if json {
            let (text, error) = match result {
                Ok(t) => (t, String::new()),
                Err(e) => (String::new(), e),
            };
            println!("{}", serde_json::json!({ "file": arg, "ms": ms, "text": text, "error": error }));
        } else {
            match result {
                Ok(t) => println!("{t}"),
                Err(e) => println!("error: {e}"),
            }
        }
    }
}
