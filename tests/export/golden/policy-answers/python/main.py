# Answer from policy documents: exported from Chainboard.
# Answers grounded in your documents, with citations.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Open Knowledge to add your own policies (PDF, Markdown, text). Select Find passages to see what was…

import argparse
import asyncio
import json
import math
import os
import pathlib
import re

from openai import AsyncOpenAI
from rank_bm25 import BM25Okapi

# Keys and addresses come from the environment: never write a key into this file.
openai_client = AsyncOpenAI(
    api_key=os.environ.get("OPENAI_API_KEY"),
    base_url=os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
)

PLACEHOLDER = re.compile(r"\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def render(template: str, values: dict) -> str:
    # Fills {{name}} placeholders as Chainboard does; \{{ stands for a literal {{.
    return PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) else "{{", template)


def openai_user_content(user: str, media: list) -> object:
    if not media:
        return user
    parts = [{"type": "image_url", "image_url": {"url": data_url(path)}} for path in media]
    return parts + [{"type": "text", "text": user}]


async def ask_openai(client, model: str, system: str, user: str, media: list = (), turns: list = (), **options) -> str:
    # One chat completion; `turns` are earlier (role, text) messages; `options` are the
    # block's settings (temperature, max tokens, the response format, ...).
    messages = [{"role": "system", "content": system}] if system.strip() else []
    messages += [{"role": role, "content": text} for role, text in turns]
    messages.append({"role": "user", "content": openai_user_content(user, list(media))})
    response = await client.chat.completions.create(model=model, messages=messages, **options)
    return response.choices[0].message.content or ""


# The flow's documents, cut into passages as Chainboard cut them (documents/passages.json).
HERE = pathlib.Path(__file__).resolve().parent
PASSAGES = json.loads((HERE / "documents" / "passages.json").read_text(encoding="utf-8"))


# Chainboard's tokenizer: words of letters and digits (apostrophes dropped), lowercase, common
# English words left out, and a light stemmer so "refunds" and "refunded" meet "refund".
STOP_WORDS = set(
    "a an and are as at be but by can do does for from had has have how i if in into is it its me my no not of "
    "on or our so that the their then there these they this to was we what with you".split()
)
SUFFIXES = [("ational", "ate"), ("ies", "y"), ("sses", "ss"), ("ing", ""), ("edly", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", "")]


def stem(word: str) -> str:
    if len(word) <= 3 or not word.isascii():
        return word
    for suffix, keep in SUFFIXES:
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and not (suffix == "s" and base.endswith("s")):
            doubled = suffix in ("ing", "ed", "edly") and len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "aeioulsz"
            return (base[:-1] if doubled else base) + keep
    return word


def words(text: str) -> list:
    found = re.findall(r"[^\W_]+(?:['\u2019][^\W_]+)*", text)
    folded = [w.replace("'", "").replace("\u2019", "").lower() for w in found]
    return [stem(w) for w in folded if w not in STOP_WORDS]


class ChainboardBM25(BM25Okapi):
    # Chainboard's BM25: k1 = 1.2, b = 0.75 and an IDF that is never negative.
    def __init__(self, corpus):
        super().__init__(corpus, k1=1.2, b=0.75)

    def _calc_idf(self, nd):
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


BM25 = ChainboardBM25([words(f"{p['heading']}\n{p['text']}" if p["heading"] else p["text"]) for p in PASSAGES])


def search(query: str, top_k: int, min_score: float = 0.0) -> tuple[str, str]:
    # The best passages for `query` by BM25: a numbered context to cite [1], [2], and the
    # passages as JSON. Each query word counts once.
    scores = BM25.get_scores(sorted(set(words(query))))
    ranked = sorted(range(len(PASSAGES)), key=lambda i: -scores[i])
    hits = [i for i in ranked if scores[i] > 0 and scores[i] >= min_score][:top_k]
    found = [dict(PASSAGES[i], number=n + 1, score=round(float(scores[i]), 3)) for n, i in enumerate(hits)]
    if not found:
        return "(No passages were found for this question.)", "[]"
    context = "\n\n".join(
        f"[{p['number']}] ({p['source']}, {p['heading'] or 'part ' + str(p['chunk'])})\n{p['text']}" for p in found
    )
    return context, json.dumps(found, ensure_ascii=False)


# Retrieve “Find passages”: the 3 best passages by keywords (BM25)
async def find_passages(question: str) -> tuple[str, str]:
    query = render("{{question}}", {"question": question})
    return search(query, top_k=3, min_score=0.0)


# Prompt “Answer with citations” (OpenAI, gpt-4o-mini)
async def answer_with_citations(context: str, question: str) -> str:
    system = "You answer customer questions using only the numbered passages you are given. After each fact, cite its passage like [1]. If the passages do not answer the question, say you do not know."
    user = render(
        "Passages:\n"
        "{{context}}\n"
        "\n"
        "Question: {{question}}",
        {"context": context, "question": question},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


async def run_flow(question: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    find_passages_context, find_passages_passages = await find_passages(question)
    answer_with_citations_text = await answer_with_citations(find_passages_context, question)
    return [
        ("Answer", answer_with_citations_text),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Answer from policy documents")
    parser.add_argument("--question", dest="question", default="How long do I have to return a jacket, and when do I get my money back?", help="Question")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.question))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
