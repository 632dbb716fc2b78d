//! Share links: round trips, damaged and hostile links, keys never travelling, link length.

use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, NoteConfig, OutputConfig, PromptConfig};
use chainboard::domain::examples::starter_flow;
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, FlowMeta, Point, PortRef};
use chainboard::domain::flow_file::{from_json, to_json};
use chainboard::domain::share::{
    decode, encode, encode_sealed, from_plaintext_bytes, hosts_contacted, link_advice, plaintext_bytes, Decoded,
    LinkAdvice, ShareError, SharePayload, ShareView, MAX_EXPANDED_BYTES, MAX_LINK_CHARS, WARN_LINK_CHARS,
};
use proptest::prelude::*;
use std::time::{Duration, Instant};

const CUT_OFF: &str = "The link looks cut off: copy the whole link and try again.";
const NEWER: &str = "This link was made by a newer Chainboard";

fn starter() -> SharePayload {
    SharePayload::new(starter_flow(1_795_420_800_000))
}

/// `n` blocks: inputs feeding prompts (on several providers) feeding outputs, with notes.
fn generated_flow(n: usize) -> Flow {
    let providers = ["openai", "anthropic", "gemini", "ollama", "openai-compatible", "demo"];
    let mut blocks = Vec::with_capacity(n);
    let mut edges = Vec::new();
    for i in 0..n {
        let id = BlockId::new(format!("b-{i}"));
        let position = Point::new((i % 20) as f64 * 320.0, (i / 20) as f64 * 180.0 - 40.5);
        let config = match i % 4 {
            0 => BlockConfig::Input(InputConfig {
                values: vec![InputValue {
                    name: "text".into(),
                    value: format!("Sample input number {i}: \u{e9}t\u{e9} \u{1f600}"),
                    media: None,
                }],
            }),
            1 => BlockConfig::Prompt(PromptConfig {
                provider: providers[i % providers.len()].into(),
                model: format!("model-{}", i % 7),
                temperature: Some((i % 10) as f64 / 10.0),
                max_tokens: Some(100 + i as u32),
                system: format!("You are assistant {i}. Answer in \"plain\" words.\nNo lists."),
                user: format!("Step {i}: summarise {{{{text}}}} in {} words.", i % 50),
                output_format: Default::default(),
                ..PromptConfig::default()
            }),
            2 => BlockConfig::Output(OutputConfig {}),
            _ => BlockConfig::Note(NoteConfig { text: format!("Note {i}: why this step exists.") }),
        };
        let mut block = Block::new(id, format!("Block {i}"), position, config);
        if i % 9 == 0 {
            block.note = Some(format!("Reviewed by person {i}"));
        }
        blocks.push(block);
        match i % 4 {
            1 => edges.push(Edge {
                id: EdgeId::new(format!("e-{i}-in")),
                from: PortRef::new(BlockId::new(format!("b-{}", i - 1)), "text"),
                to: PortRef::new(BlockId::new(format!("b-{i}")), "text"),
            }),
            2 => edges.push(Edge {
                id: EdgeId::new(format!("e-{i}-out")),
                from: PortRef::new(BlockId::new(format!("b-{}", i - 1)), "text"),
                to: PortRef::new(BlockId::new(format!("b-{i}")), "value"),
            }),
            _ => {}
        }
    }
    Flow {
        meta: FlowMeta {
            title: format!("Generated flow with {n} blocks"),
            description: "Made by tests/share.rs".into(),
            created_ms: 1_795_420_800_000,
            updated_ms: 1_795_420_860_000,
        },
        blocks,
        edges,
    }
}

fn open(fragment: &str) -> SharePayload {
    match decode(fragment) {
        Ok(Decoded::Open(p)) => p,
        other => panic!("expected an open link, got {other:?} for {fragment:.80}"),
    }
}

fn error_message(fragment: &str) -> String {
    match decode(fragment) {
        Ok(d) => panic!("expected an error for {fragment:.80}, got {d:?}"),
        Err(e) => e.to_string(),
    }
}

fn is_url_safe(fragment: &str) -> bool {
    fragment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The base64url alphabet, for building test links by hand.
fn b64(bytes: &[u8]) -> String {
    encode_sealed(bytes, b"s", b"i").rsplit('.').next().unwrap_or_default().to_string()
}

fn link_of_json(json: &str) -> String {
    format!("v1.{}", b64(&miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 6)))
}

// ---- Round trips --------------------------------------------------------------------------

#[test]
fn the_starter_flow_round_trips_and_its_link_is_short() {
    let payload = starter();
    let link = encode(&payload);
    assert!(link.starts_with("v1."));
    assert!(is_url_safe(&link), "{link}");
    assert_eq!(open(&link), payload);
    assert_eq!(encode(&open(&link)), link, "encoding is deterministic and stable");
    let whole = format!("https://chainboard.example/#{link}");
    eprintln!(
        "starter flow: fragment {} characters, whole link {} characters (flow file {} bytes)",
        link.len(),
        whole.len(),
        to_json(&payload.flow).len()
    );
    assert_eq!(link_advice(whole.len()), LinkAdvice::Fine, "the first flow anyone shares fits everywhere");
}

#[test]
fn a_200_block_flow_round_trips() {
    let payload = SharePayload::new(generated_flow(200));
    let link = encode(&payload);
    assert!(is_url_safe(&link));
    let back = open(&link);
    assert_eq!(back.flow.blocks.len(), 200);
    assert_eq!(back, payload);
    eprintln!("200-block flow: fragment {} characters ({:?})", link.len(), link_advice(link.len()));
}

#[test]
fn outputs_and_note_round_trip() {
    let mut payload = starter();
    payload.outputs = vec![
        (
            BlockId::new("prompt-1"),
            "Hi! Sorry about the delay \u{2014} your order ships today.\n\"Quoted\" \\ text".into(),
        ),
        (BlockId::new("output-1"), String::new()),
    ];
    payload.include_note = Some("Try it with your own key \u{1f511}".into());
    let link = encode(&payload);
    assert!(is_url_safe(&link));
    assert_eq!(open(&link), payload);
    // Leaving them out makes the link shorter.
    assert!(encode(&starter()).len() < link.len());
}

#[test]
fn plaintext_bytes_are_what_an_open_link_carries() {
    let payload = starter();
    let bytes = plaintext_bytes(&payload);
    assert_eq!(from_plaintext_bytes(&bytes).unwrap(), payload);
    assert_eq!(encode(&payload), format!("v1.{}", b64(&bytes)));
}

#[test]
fn sealed_links_round_trip_salt_iv_and_ciphertext() {
    let cases: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = vec![
        ((0..16).collect(), (100..112).collect(), (0..=255).collect()),
        (vec![0xff; 16], vec![0; 12], vec![0xfb, 0xff, 0xfe]),
        (vec![1], vec![2], vec![3]),
        (b"salt".to_vec(), b"iv-iv-iv-iv!".to_vec(), plaintext_bytes(&SharePayload::new(generated_flow(50)))),
    ];
    for (salt, iv, ciphertext) in cases {
        let link = encode_sealed(&ciphertext, &salt, &iv);
        assert!(link.starts_with("v1e."));
        assert!(is_url_safe(&link), "{link}");
        assert_eq!(decode(&link), Ok(Decoded::Sealed { salt, iv, ciphertext }));
    }
    // Every part must be present.
    for link in [encode_sealed(b"", b"salt", b"iv"), encode_sealed(b"ct", b"", b"iv"), encode_sealed(b"ct", b"s", b"")]
    {
        assert_eq!(error_message(&link), CUT_OFF, "{link}");
    }
}

// ---- Pasted, wrapped and quoted links ----------------------------------------------------

#[test]
fn whitespace_and_wrapping_are_tolerated() {
    let payload = starter();
    let link = encode(&payload);
    let wrapped_76: String =
        link.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("\r\n");
    let wrapped_spaces: String =
        link.as_bytes().chunks(40).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("\n  \t");
    let zero_width: String = link
        .as_bytes()
        .chunks(30)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\u{200b}");
    let variants = [
        format!("#{link}"),
        format!("  {link}\n"),
        wrapped_76,
        wrapped_spaces,
        zero_width,
        format!("https://chainboard.example/app/#{link}"),
        format!("https://chainboard.example/#\n{link}"),
        format!("<https://chainboard.example/#{link}>"),
        format!("({link})."),
        format!("\u{feff}{link}"),
    ];
    for v in variants {
        assert_eq!(open(&v), payload, "for {v:.60?}");
    }
    let sealed = encode_sealed(&[9; 40], &[1; 16], &[2; 12]);
    let wrapped = format!("#{}\n{}", &sealed[..20], &sealed[20..]);
    assert!(matches!(decode(&wrapped), Ok(Decoded::Sealed { .. })));
}

// ---- Damaged, foreign and newer links ----------------------------------------------------

#[test]
fn every_truncation_says_the_link_looks_cut_off() {
    for payload in [starter(), SharePayload::new(generated_flow(200))] {
        let link = encode(&payload);
        // Every position for the starter; a few hundred spread over the long one.
        let step = (link.len() / 400).max(1);
        let mut cuts: Vec<usize> = (1..link.len()).step_by(step).collect();
        cuts.extend(link.len().saturating_sub(8)..link.len());
        for cut in cuts {
            let msg = error_message(&link[..cut]);
            assert_eq!(msg, CUT_OFF, "cut at {cut} of {}", link.len());
        }
    }
}

#[test]
fn truncated_sealed_links() {
    let link = encode_sealed(&[7; 64], &[1; 16], &[2; 12]);
    let last_dot = link.rfind('.').unwrap();
    for cut in 1..=last_dot {
        assert_eq!(error_message(&link[..cut]), CUT_OFF, "cut at {cut}");
    }
    // A cut inside the ciphertext cannot be seen before decrypting: AES-GCM then fails and
    // the UI shows `CannotUnlock`, whose message covers a cut-off link.
    assert!(matches!(decode(&link[..link.len() - 4]), Ok(Decoded::Sealed { ciphertext, .. }) if ciphertext.len() < 64));
    assert!(ShareError::CannotUnlock.to_string().contains("cut off"));
}

#[test]
fn bit_flips_are_errors_never_a_different_flow() {
    let payload = starter();
    let bytes = plaintext_bytes(&payload);
    let mut errors = 0;
    let mut total = 0;
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut damaged = bytes.clone();
            damaged[i] ^= 1 << bit;
            total += 1;
            match from_plaintext_bytes(&damaged) {
                Err(_) => errors += 1,
                // Deflate ignores the padding bits of its last byte: same bytes out, same flow.
                Ok(p) => assert_eq!(p, payload, "flipping bit {bit} of byte {i} changed the flow silently"),
            }
        }
    }
    assert!(errors as f64 > total as f64 * 0.99, "{errors} of {total} flips were noticed");

    // The same for characters of the fragment.
    let link = encode(&payload);
    for i in 0..link.len() {
        for bit in 0..7 {
            let mut chars = link.clone().into_bytes();
            chars[i] ^= 1 << bit;
            let Ok(text) = String::from_utf8(chars) else { continue };
            if let Ok(d) = decode(&text) {
                assert_eq!(d, Decoded::Open(payload.clone()), "flipping bit {bit} of character {i}");
            }
        }
    }
}

#[test]
fn links_from_a_newer_version_say_so() {
    let body = encode(&starter())[3..].to_string();
    for link in
        [format!("v2.{body}"), format!("v9.{body}"), "v9.".into(), "v2e.AAAA.AAAA.AAAA".into(), format!("v1z.{body}")]
    {
        let msg = error_message(&link);
        assert!(msg.starts_with(NEWER), "{link:.20}: {msg}");
        assert!(msg.contains("Open it in the latest Chainboard"));
    }
    assert_eq!(decode("#v9.whatever"), Err(ShareError::NewerVersion { found: "v9".into() }));
    assert_eq!(
        error_message("v9.x"),
        "This link was made by a newer Chainboard (link format \u{201c}v9\u{201d}; this app reads \u{201c}v1\u{201d}). \
         Open it in the latest Chainboard."
    );
}

#[test]
fn things_that_are_not_share_links() {
    for text in ["", "   ", "#", "hello", "https://chainboard.example/", "#/flows/3", "v0.AAAA", "V1.AAAA", "x1.AAAA"] {
        assert_eq!(decode(text), Err(ShareError::NotALink), "{text:?}");
    }
    assert!(error_message("hello").starts_with("This is not a Chainboard share link."));
}

#[test]
fn damaged_bodies_say_cut_off() {
    let link = encode(&starter());
    // At least one character more than the link (whose own length may already be the one).
    let mut impossible_length = format!("{link}A");
    while (impossible_length.len() - 3) % 4 != 1 {
        impossible_length.push('A');
    }
    let cases = [
        format!("{}*{}", &link[..20], &link[21..]), // a character base64url never uses
        format!("{}.{}", &link[..20], &link[20..]), // an open link has one dot
        impossible_length.clone(),
        "v1.".into(),
        "v1".into(),
        "v".into(),
        "v1e".into(),
        "v1.AAAA".into(),
        format!("v1.{}", b64(b"not compressed at all")),
        link_of_json("[1, 2, 3]"),
        link_of_json("{\"outputs\": []}"),
        link_of_json("{\"flow\": {\"format\": \"chainboard.flow\", \"ver"),
        // Raw deflate without the zlib header and checksum.
        format!("v1.{}", b64(&miniz_oxide::deflate::compress_to_vec(b"{\"flow\":null}", 6))),
    ];
    for text in &cases {
        assert_eq!(error_message(text), CUT_OFF, "{text:.70}");
    }
    // Bytes after the checksum are ignored: what the checksum covers is intact.
    assert_eq!(open(&format!("{link}AAAA")), starter());
}

#[test]
fn a_whole_link_with_an_invalid_flow_says_what_is_wrong() {
    let msg = error_message(&link_of_json("{\"flow\": {\"format\": \"excalidraw\", \"version\": 2}}"));
    assert!(
        msg.starts_with(
            "The link is complete, but the flow in it cannot be opened. This is not a Chainboard flow file"
        ),
        "{msg}"
    );
    let msg = error_message(&link_of_json("{\"flow\": {\"format\": \"chainboard.flow\", \"version\": 7}}"));
    assert!(msg.contains("This flow was saved by a newer Chainboard (file version 7"), "{msg}");
    let dup = to_json(&starter_flow(0)).replacen("\"id\": \"prompt-1\"", "\"id\": \"input-1\"", 1);
    let msg = error_message(&link_of_json(&format!("{{\"flow\": {dup}}}")));
    assert!(msg.contains("the id \u{201c}input-1\u{201d} is used twice"), "{msg}");
}

#[test]
fn envelopes_from_later_versions_keep_opening() {
    let flow = to_json(&starter_flow(0));
    let link = link_of_json(&format!("{{\"flow\": {flow}, \"eval_summary\": {{\"passed\": 9}}, \"documents\": []}}"));
    assert_eq!(open(&link), SharePayload::new(starter_flow(0)));
}

/// A hand-built zlib stream of `1 + 258 * repeats` zero bytes: one fixed-Huffman block of a
/// literal zero and `repeats` copies of <length 258, distance 1>, 13 bits each.
fn zeros_bomb(repeats: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u32, len: u32) {
            for i in (0..len).rev() {
                self.put((code >> i) & 1, 1);
            }
        }
    }
    let mut bits = Bits { out: vec![0x78, 0x01], acc: 0, n: 0 };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman
    bits.code(0x30, 8); // literal 0
    for _ in 0..repeats {
        bits.code(0xc5, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    let len = (1 + 258 * repeats) as u64;
    let adler = ((len % 65521) << 16 | 1) as u32;
    bits.out.extend(adler.to_be_bytes());
    bits.out
}

#[test]
fn a_zip_bomb_is_refused_quickly() {
    // The bomb is a real zlib stream: a small one inflates to exactly its zeros.
    let small = miniz_oxide::inflate::decompress_to_vec_zlib(&zeros_bomb(1000)).unwrap();
    assert_eq!(small.len(), 1 + 258 * 1000);
    assert!(small.iter().all(|&b| b == 0));

    let repeats = 100 * 1024 * 1024 / 258; // about 100 MB of zeros
    let bomb = zeros_bomb(repeats);
    let link = format!("v1.{}", b64(&bomb));
    assert!(link.len() < 1_000_000, "the link is {} characters", link.len());
    let started = Instant::now();
    let result = decode(&link);
    let took = started.elapsed();
    assert_eq!(result, Err(ShareError::TooLarge { limit: MAX_EXPANDED_BYTES }));
    assert_eq!(
        result.unwrap_err().to_string(),
        "This link expands to more than 20 MB, more than Chainboard opens from a link. Ask for the flow file instead."
    );
    eprintln!(
        "a {:.0} MB bomb in a {}-character link was refused in {took:?}",
        (1 + 258 * repeats) as f64 / 1_048_576.0,
        link.len()
    );
    // Generous: this is an unoptimised test build; a release build takes a fraction of it.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(matches!(from_plaintext_bytes(&bomb), Err(ShareError::TooLarge { .. })));
}

// ---- Keys never travel --------------------------------------------------------------------

#[test]
fn keys_in_a_flow_never_reach_a_link() {
    let secret = "sk-test-DO-NOT-SHARE-1234567890";
    let good = to_json(&starter_flow(0));
    let text = good
        .replacen("\"provider\": \"openai\",", &format!("\"provider\": \"openai\", \"api_key\": \"{secret}\","), 1)
        .replacen("\"format\"", &format!("\"apiKey\": \"{secret}\", \"format\""), 1)
        .replacen("\"kind\": \"output\"", "\"kind\": \"webhook\"", 1)
        .replacen(
            "\"config\": {}",
            &format!(
                "\"config\": {{\"url\": \"https://hooks.example/x\", \"api_key\": \"{secret}\", \
                 \"headers\": {{\"Authorization\": \"Bearer {secret}\", \"Accept\": \"text/plain\"}}, \
                 \"auth\": [{{\"client_secret\": \"{secret}\", \"X-Api-Key\": \"{secret}\"}}]}}"
            ),
            1,
        );
    assert_eq!(text.matches(secret).count(), 6);
    let flow = from_json(&text).unwrap();
    // Known kinds and the file's top level drop it; a block kind this version does not know
    // keeps its settings verbatim, so the share codec must strip it.
    assert!(format!("{flow:?}").contains(secret), "the unknown kind kept the key");

    let link = encode(&SharePayload::new(flow));
    let inside = miniz_oxide::inflate::decompress_to_vec_zlib(&plaintext_bytes(&open(&link))).unwrap();
    let inside = String::from_utf8(inside).unwrap();
    let carried = plaintext_bytes(&SharePayload::new(from_json(&text).unwrap()));
    let carried = String::from_utf8(miniz_oxide::inflate::decompress_to_vec_zlib(&carried).unwrap()).unwrap();
    for json in [&inside, &carried] {
        assert!(!json.contains(secret), "{json}");
        for name in ["api_key", "apiKey", "Authorization", "client_secret", "X-Api-Key"] {
            assert!(!json.contains(&format!("\"{name}\"")), "{name} in {json}");
        }
        // Settings that are not secrets stay.
        assert!(json.contains("https://hooks.example/x") && json.contains("\"Accept\""), "{json}");
    }
    let decoded = open(&link);
    assert!(!format!("{decoded:?}").contains(secret));
    assert!(!to_json(&decoded.flow).contains(secret));
}

#[test]
fn keys_in_a_crafted_link_are_dropped_on_opening() {
    let secret = "sk-crafted-0000";
    let flow = to_json(&starter_flow(0)).replacen("\"kind\": \"output\"", "\"kind\": \"hologram\"", 1).replacen(
        "\"config\": {}",
        &format!("\"config\": {{\"token\": \"{secret}\", \"depth\": 3}}"),
        1,
    );
    let payload = open(&link_of_json(&format!("{{\"flow\": {flow}}}")));
    assert!(!format!("{payload:?}").contains(secret));
    assert!(format!("{payload:?}").contains("depth"));
}

// ---- Link length and who a flow contacts -------------------------------------------------

#[test]
fn link_advice_follows_the_limits() {
    assert_eq!((WARN_LINK_CHARS, MAX_LINK_CHARS), (2000, 8000));
    let cases = [
        (0, LinkAdvice::Fine),
        (2000, LinkAdvice::Fine),
        (2001, LinkAdvice::Long { limit: 2000 }),
        (8000, LinkAdvice::Long { limit: 2000 }),
        (8001, LinkAdvice::TooLong { limit: 8000 }),
        (usize::MAX, LinkAdvice::TooLong { limit: 8000 }),
    ];
    for (len, advice) in cases {
        assert_eq!(link_advice(len), advice, "{len}");
    }
    assert!(link_advice(2001)
        .message()
        .starts_with("This link is longer than 2,000 characters. Some chat and mail tools"));
    assert!(link_advice(9000).message().contains("longer than 8,000 characters"));
    assert!(link_advice(9000).message().contains("Export the flow as a file"));
    assert!(link_advice(9000).prefer_file() && !link_advice(3000).prefer_file());
}

#[test]
fn hosts_contacted_lists_providers_once_in_block_order() {
    assert_eq!(hosts_contacted(&starter_flow(0)), vec!["OpenAI (api.openai.com)".to_string()]);
    let mut flow = starter_flow(0);
    let template = flow.blocks[1].clone();
    for (i, provider) in
        ["anthropic", "openai", "demo", "mystery", "ollama", "gemini", " anthropic "].iter().enumerate()
    {
        let mut b = template.clone();
        b.id = BlockId::new(format!("p-{i}"));
        if let BlockConfig::Prompt(p) = &mut b.config {
            p.provider = provider.to_string();
        }
        flow.blocks.push(b);
    }
    assert_eq!(
        hosts_contacted(&flow),
        vec![
            "OpenAI (api.openai.com)",
            "Anthropic (api.anthropic.com)",
            "Ollama (localhost:11434)",
            "Google Gemini (generativelanguage.googleapis.com)"
        ]
    );
    assert_eq!(hosts_contacted(&generated_flow(4)), vec!["Anthropic (api.anthropic.com)"]);
    assert!(hosts_contacted(&Flow::default()).is_empty());
}

#[test]
fn hosts_contacted_lists_http_tool_hosts_too() {
    use chainboard::domain::blocks::tool::{HttpAction, ToolAction};
    use chainboard::domain::blocks::ToolConfig;
    let mut flow = starter_flow(0);
    for (i, url) in
        ["https://api.example.com/orders/{{order_id}}", "https://api.example.com/x", "http://127.0.0.1:4011/"]
            .iter()
            .enumerate()
    {
        let tool = ToolConfig {
            action: ToolAction::Http(HttpAction { url: url.to_string(), ..HttpAction::default() }),
            ..ToolConfig::default()
        };
        flow.blocks.push(chainboard::domain::flow::Block::new(
            BlockId::new(format!("t-{i}")),
            "Tool",
            chainboard::domain::flow::Point::new(0.0, 0.0),
            BlockConfig::Tool(tool),
        ));
    }
    // A mock tool contacts nobody.
    flow.blocks.push(chainboard::domain::flow::Block::new(
        BlockId::new("t-mock"),
        "Mock",
        chainboard::domain::flow::Point::new(0.0, 0.0),
        BlockConfig::Tool(ToolConfig::default()),
    ));
    assert_eq!(
        hosts_contacted(&flow),
        vec!["OpenAI (api.openai.com)", "a tool (127.0.0.1:4011)", "a tool (api.example.com)"]
    );
}

// ---- Nothing panics -----------------------------------------------------------------------

fn link_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9_.#-]{0,300}",
        "v1\\.[A-Za-z0-9_-]{0,300}",
        "v1e\\.[A-Za-z0-9_-]{0,30}\\.[A-Za-z0-9_-]{0,30}\\.[A-Za-z0-9_-]{0,60}",
        "v[0-9]{0,12}[a-z]{0,10}\\.[ -~]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn decode_never_panics(text in link_text()) {
        let _ = decode(&text);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = from_plaintext_bytes(&bytes);
        let mut zlib = vec![0x78, 0x9c];
        zlib.extend(&bytes);
        let _ = from_plaintext_bytes(&zlib);
        let _ = decode(&format!("v1.{}", b64(&zlib)));
    }

    #[test]
    fn an_edited_link_is_an_error_or_the_same_flow(pos in 0usize..2000, edit in 0u8..3, c in "[A-Za-z0-9_.-]") {
        let payload = starter();
        let mut link = encode(&payload);
        let at = pos % link.len();
        match edit {
            0 => { link.remove(at); }
            1 => link.insert_str(at, &c),
            _ => link.replace_range(at..at + 1, &c),
        }
        if let Ok(d) = decode(&link) {
            prop_assert_eq!(d, Decoded::Open(payload));
        }
    }
}

#[test]
fn every_template_round_trips_through_a_share_link() {
    use chainboard::domain::share::{decode, encode, Decoded, SharePayload};
    use chainboard::domain::templates::TEMPLATES;
    for t in TEMPLATES {
        let flow = (t.build)(1_795_420_800_000);
        let link = encode(&SharePayload {
            flow: flow.clone(),
            outputs: Vec::new(),
            include_note: None,
            evals: None,
            knowledge: None,
            view: ShareView::App,
            start_at: None,
        });
        match decode(&link) {
            Ok(Decoded::Open(p)) => assert_eq!(p.flow, flow, "{}", t.id),
            other => panic!("{}: {other:?}", t.id),
        }
    }
}

#[test]
fn links_can_carry_the_eval_suite() {
    use chainboard::domain::evals::checks::{Check, CheckKind};
    use chainboard::domain::evals::suite::EvalSuite;
    let suite = EvalSuite {
        cases: chainboard::domain::evals::cases::parse_table("email,expected\nHi,sorry").expect("parses").1,
        checks: vec![Check {
            name: "Sorry".into(),
            kind: CheckKind::Contains { text: "{{expected}}".into(), case_sensitive: false },
        }],
        ..EvalSuite::default()
    };
    let mut payload = starter();
    payload.evals = Some(suite.clone());
    let back = open(&encode(&payload));
    assert_eq!(back.evals, Some(suite));
    // Without a suite the link is exactly as before.
    assert_eq!(open(&encode(&starter())).evals, None);
}

// ---- Measured for docs/benchmarks.md --------------------------------------------------------

/// The share-link length of every gallery template, written to target/share-lengths.json for
/// tests/bench/share-bench.mjs (`make bench`). A measurement, not a check, so it is ignored by
/// default: `cargo test --release --test share -- --ignored template_link_lengths`.
#[test]
#[ignore = "a measurement for the benchmarks; run by make bench"]
fn template_link_lengths() {
    use chainboard::domain::retrieval::knowledge::KnowledgeBase;
    use chainboard::domain::templates::TEMPLATES;
    use serde_json::json;
    // Whole links are what chat and mail tools see (see `link_advice`); this origin stands in
    // for wherever the app is hosted.
    const BASE: &str = "https://chainboard.example/";
    let link = |payload: &SharePayload| format!("{BASE}#{}", encode(payload)).chars().count();
    let rows: Vec<serde_json::Value> = TEMPLATES
        .iter()
        .map(|t| {
            let flow = (t.build)(1_795_420_800_000);
            let flow_json_bytes = to_json(&flow).len();
            let mut payload = SharePayload::new(flow);
            let flow_only = link(&payload);
            // The share dialog includes the test cases and checks by default, documents on request
            // (and only when they are small enough, `KnowledgeBase::shareable`).
            payload.evals = t.suite.map(|suite| suite());
            let as_shared = link(&payload);
            let documents = t.documents.map(|docs| KnowledgeBase::from_portable(docs()).shareable());
            let with_documents = match documents {
                Some(Ok(portable)) => {
                    payload.knowledge = Some(portable);
                    json!(link(&payload))
                }
                Some(Err(reason)) => json!(reason),
                None => json!(null),
            };
            json!({
                "id": t.id,
                "title": t.title,
                "flow_json_bytes": flow_json_bytes,
                "link_length": flow_only,
                "link_length_with_tests": t.suite.map(|_| as_shared),
                "link_length_with_documents": with_documents,
            })
        })
        .collect();
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/target/share-lengths.json");
    std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/target")).expect("target/ can be created");
    let doc = json!({ "base": BASE, "warn_link_chars": WARN_LINK_CHARS, "max_link_chars": MAX_LINK_CHARS, "templates": rows });
    std::fs::write(out, serde_json::to_string_pretty(&doc).expect("serialises")).expect("writes");
    eprintln!("wrote {out}");
}

// ---- How a link opens: app, canvas, present (and where present starts) ----------------------

#[test]
fn the_view_and_start_block_round_trip() {
    let flow = starter_flow(0);
    let second = flow.blocks[1].id.clone();
    for view in ShareView::ALL {
        let payload = SharePayload { view, start_at: Some(second.clone()), ..SharePayload::new(flow.clone()) };
        let opened = open(&encode(&payload));
        assert_eq!(opened.view, view);
        // Only present mode has a start.
        let expected = (view == ShareView::Present).then(|| second.clone());
        assert_eq!(opened.start_at, expected, "{view:?}");
        assert_eq!(opened.flow, flow);
    }
    // Sealed links carry it inside the ciphertext's plaintext, the same bytes.
    let payload = SharePayload { view: ShareView::App, ..SharePayload::new(flow.clone()) };
    assert_eq!(from_plaintext_bytes(&plaintext_bytes(&payload)).unwrap().view, ShareView::App);
}

#[test]
fn links_made_before_views_open_on_the_canvas_and_cost_nothing_extra() {
    let old = shared_link_text("{\"flow\":FLOW}");
    let opened = open(&old);
    assert_eq!(opened.view, ShareView::Canvas);
    assert_eq!(opened.start_at, None);
    // A canvas link is byte for byte what an older Chainboard wrote.
    assert_eq!(encode(&starter()), encode(&SharePayload { view: ShareView::Canvas, ..starter() }));
    assert!(!envelope_of(&encode(&starter())).contains("\"view\""));
    // An app link costs a handful of characters.
    let app = encode(&SharePayload { view: ShareView::App, ..starter() });
    assert!(app.len() <= encode(&starter()).len() + 24, "{} vs {}", app.len(), encode(&starter()).len());
}

#[test]
fn unknown_views_and_missing_start_blocks_fall_back_gently() {
    for (extra, view) in [
        (",\"view\":\"hologram\"", ShareView::Canvas),
        (",\"view\":42", ShareView::Canvas),
        (",\"view\":\"present\",\"start\":\"no-such-block\"", ShareView::Present),
        (",\"view\":\"present\",\"start\":[1,2]", ShareView::Present),
        (",\"view\":\"app\"", ShareView::App),
    ] {
        let opened = open(&shared_link_text(&format!("{{\"flow\":FLOW{extra}}}")));
        assert_eq!(opened.view, view, "{extra}");
        assert_eq!(opened.start_at, None, "{extra}");
    }
}

#[test]
fn app_and_present_links_carry_no_keys() {
    let secret = "sk-test-VIEWS-0000-secret";
    let text = to_json(&starter_flow(0)).replacen(
        "\"provider\": \"openai\",",
        &format!("\"provider\": \"openai\", \"api_key\": \"{secret}\","),
        1,
    );
    let flow = from_json(&text).unwrap();
    for view in ShareView::ALL {
        let link = encode(&SharePayload { view, ..SharePayload::new(flow.clone()) });
        assert!(!envelope_of(&link).contains(secret), "{view:?}");
        assert!(!envelope_of(&link).contains("api_key"), "{view:?}");
    }
}

/// The JSON inside an open link.
fn envelope_of(link: &str) -> String {
    let body = link.rsplit_once("v1.").map(|(_, b)| b).unwrap();
    let bytes = b64_decode(body);
    String::from_utf8(miniz_oxide::inflate::decompress_to_vec_zlib(&bytes).unwrap()).unwrap()
}

/// An open link whose envelope is `template` with `FLOW` replaced by the starter flow.
fn shared_link_text(template: &str) -> String {
    link_of_json(&template.replace("FLOW", &to_json(&starter_flow(0))))
}

fn b64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'-' => 62,
            _ => 63,
        }
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for &c in text.as_bytes() {
        acc = (acc << 6 | value(c)) & 0xffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
