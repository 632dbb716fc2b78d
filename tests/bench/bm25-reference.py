# Compares Chainboard's BM25 top-10 with bm25s (method "lucene", same k1, b and tokens).
# Usage: cargo test --test retrieval -- --ignored && python3 tests/bench/bm25-reference.py
import json
import bm25s

data = json.load(open("target/bm25-reference.json"))
retriever = bm25s.BM25(method="lucene", k1=data["k1"], b=data["b"])
vocab = {}
def ids(tokens):
    return [vocab.setdefault(t, len(vocab)) for t in tokens]
corpus = [ids(d) for d in data["docs"]]
retriever.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=vocab), show_progress=False)
agree = 0
for q, ours in zip(data["queries"], data["ours"]):
    qids = [[vocab[t] for t in q if t in vocab]]
    docs, scores = retriever.retrieve(bm25s.tokenization.Tokenized(ids=qids, vocab=vocab), k=10, show_progress=False)
    theirs = [int(d) for d in docs[0]]
    same = theirs == ours
    agree += same
    print(("same " if same else "DIFF ") + " ".join(q), ours, theirs if not same else "")
print(f"{agree} of {len(data['queries'])} top-10 lists identical")
