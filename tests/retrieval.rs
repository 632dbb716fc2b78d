//! Retrieval end to end on the host: a policy document chunked, indexed and searched; and
//! (ignored by default) the corpus for the reference comparison with bm25s.

use chainboard::domain::retrieval::bm25::{Bm25Index, Bm25Params};
use chainboard::domain::retrieval::chunk::{chunk, ChunkOptions};
use chainboard::domain::retrieval::tokenize::{tokenize, TokenizerOptions};

const POLICY: &str =
    "# Returns\n\nYou can return any item within 30 days of delivery. Items must be unused and in their \
original packaging.\n\n# Refunds\n\nRefunds are issued to the original payment method within 14 days after we receive \
the return. Shipping costs are not refunded.\n\n# Shipping\n\nStandard shipping takes three to five business days. \
Express shipping arrives the next business day when ordered before noon.\n";

#[test]
fn a_question_finds_the_passage_that_answers_it() {
    let chunks = chunk(POLICY, ChunkOptions { target_chars: 200, overlap_chars: 0 });
    assert_eq!(chunks.len(), 3);
    let mut index = Bm25Index::new(Bm25Params::default(), TokenizerOptions::default());
    for c in &chunks {
        index.add(&c.text);
    }
    let hits = index.search("How long until I get my refund?", 3);
    assert_eq!(chunks[hits[0].chunk].heading.as_deref(), Some("Refunds"), "{hits:?}");
    assert!(hits[0].matched.contains(&"refund".to_string()));
    let hits = index.search("express delivery before noon", 3);
    assert_eq!(chunks[hits[0].chunk].heading.as_deref(), Some("Shipping"));
}

/// A deterministic synthetic corpus (no randomness in the domain; a tiny LCG here).
fn corpus(docs: usize) -> Vec<String> {
    let words: Vec<&str> = "refund return shipping delivery order parcel late damaged policy days label customer support \
        payment card invoice address warehouse courier tracking express standard weekend holiday store credit exchange size \
        colour broken missing lost wrong item package box receipt discount code account password email phone chat hours"
        .split_whitespace()
        .collect();
    let mut seed: u64 = 42;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    (0..docs)
        .map(|_| {
            let n = 20 + next() % 60;
            // Zipf-ish: low word numbers are more frequent.
            (0..n).map(|_| words[(next() % words.len()).min(next() % words.len())]).collect::<Vec<_>>().join(" ")
        })
        .collect()
}

#[test]
#[ignore = "writes target/bm25-reference.json for tests/bench/bm25-reference.py"]
fn write_reference_corpus() {
    let docs = corpus(2_000);
    let queries = [
        "refund late parcel",
        "express shipping weekend",
        "damaged item exchange",
        "password account email",
        "store credit discount code",
    ];
    let options = TokenizerOptions::default();
    let mut index = Bm25Index::new(Bm25Params::default(), options);
    for d in &docs {
        index.add(d);
    }
    let ours: Vec<Vec<usize>> =
        queries.iter().map(|q| index.search(q, 10).into_iter().map(|h| h.chunk).collect()).collect();
    let json = serde_json::json!({
        "docs": docs.iter().map(|d| tokenize(d, options)).collect::<Vec<_>>(),
        "queries": queries.iter().map(|q| tokenize(q, options)).collect::<Vec<_>>(),
        "ours": ours,
        "k1": 1.2, "b": 0.75
    });
    std::fs::write("target/bm25-reference.json", json.to_string()).expect("writes");
}

mod carried {
    use chainboard::domain::bundle::Bundle;
    use chainboard::domain::flow::Flow;
    use chainboard::domain::flow_file::to_json;
    use chainboard::domain::retrieval::documents::DocFormat;
    use chainboard::domain::retrieval::knowledge::{Document, KnowledgeBase, KnowledgeOptions};
    use chainboard::domain::share::{decode, encode, Decoded, SharePayload};

    fn kb() -> KnowledgeBase {
        let mut kb = KnowledgeBase::new(KnowledgeOptions::default());
        kb.add(Document::new("d1", "refunds.md", DocFormat::Markdown, "# Refunds\n\nRefunds take 14 days."));
        kb
    }

    #[test]
    fn exports_carry_documents_and_rebuild_the_index_on_import() {
        let json = Bundle { knowledge: Some(kb().portable()), ..Bundle::new(Flow::default()) }.to_json();
        let back = Bundle::parse(&json).expect("reads").bundle.knowledge.expect("documents in the file");
        assert_eq!(back.documents[0].name, "refunds.md");
        let rebuilt = KnowledgeBase::from_portable(back);
        assert_eq!(rebuilt.chunks, kb().chunks);
        // No documents: the file is the plain flow file; a damaged field is left out and named.
        let plain = to_json(&Flow::default());
        let empty = Bundle { knowledge: Some(KnowledgeBase::default().portable()), ..Bundle::new(Flow::default()) };
        assert_eq!(empty.to_json(), plain);
        let damaged = Bundle::parse(&plain.replacen("{", "{\"knowledge\": 42,", 1)).expect("the flow reads");
        assert!(damaged.bundle.knowledge.is_none());
        assert!(damaged.left_out[0].starts_with("its documents (they could not be read"), "{:?}", damaged.left_out);
    }

    #[test]
    fn share_links_carry_small_documents_when_asked() {
        let mut payload = SharePayload::new(Flow::default());
        payload.knowledge = Some(kb().shareable().expect("small"));
        let link = encode(&payload);
        let Ok(Decoded::Open(back)) = decode(&link) else { panic!("decodes") };
        assert_eq!(back.knowledge.map(|k| k.documents.len()), Some(1));
        let Ok(Decoded::Open(plain)) = decode(&encode(&SharePayload::new(Flow::default()))) else { panic!("decodes") };
        assert!(plain.knowledge.is_none());
    }
}
