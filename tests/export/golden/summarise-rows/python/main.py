# Summarise every row of a list: exported from Chainboard.
# One line per row of customer feedback.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Paste your own rows (CSV with a header, one item per line, or a JSON array). Watch the progress on …

import argparse
import asyncio
import json
import os
import re
import sys

from openai import AsyncOpenAI

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


def looks_like_csv(rows: list) -> bool:
    # A header of two or more columns, and every row as wide as the header.
    return len(rows) >= 2 and len(rows[0]) >= 2 and all(len(r) == len(rows[0]) for r in rows)


def csv_delimiter(text: str) -> str | None:
    # The header's delimiter, counting only those outside quotes, as Chainboard guesses it:
    # tabs, else semicolons when there are more of them than commas, else commas; None when
    # the header has a single column.
    counts = {"\t": 0, ",": 0, ";": 0}
    quoted = closed = False
    start = True
    for c in text:
        if quoted:
            quoted = c != '"'
            closed = not quoted
            continue
        if c == '"' and (start or closed):
            quoted = True
        elif c in "\r\n":
            break
        elif c in counts:
            counts[c] += 1
        start, closed = c in counts, False
    if counts["\t"]:
        return "\t"
    if counts[";"] > counts[","]:
        return ";"
    return "," if counts[","] else None


def unguard(field: str) -> str:
    # Chainboard writes a ' before a value that a spreadsheet would run as a formula; reading
    # a comma or semicolon CSV, it takes it off again.
    rest = field[1:]
    if field.startswith("'") and rest.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return rest
    return field


def csv_rows(text: str) -> list:
    # Rows of a CSV as Chainboard reads them: the header's delimiter; quoted fields may hold
    # delimiters, doubled quotes and line breaks; blank rows dropped; a quote left open is an error.
    delimiter = csv_delimiter(text) or "\x1f"
    rows, row, field = [], [], ""
    quoted, at_start, i = False, True, 0

    def end_field():
        nonlocal field
        row.append(unguard(field) if delimiter in ",;" else field)
        field = ""

    while i < len(text):
        c, following = text[i], text[i + 1 : i + 2]
        if quoted:
            if c == '"' and following == '"':
                field, i = field + '"', i + 1
            elif c == '"':
                quoted = False
            else:
                field += c
        elif c == '"' and at_start:
            quoted, at_start = True, False
        elif c == delimiter:
            end_field()
            at_start = True
        elif c in "\r\n":
            if c == "\r" and following == "\n":
                i += 1
            end_field()
            rows.append(row)
            row, at_start = [], True
        else:
            field, at_start = field + c, False
        i += 1
    if quoted:
        raise ValueError("The list is not readable as CSV: a quote is not closed.")
    if field or row:
        end_field()
        rows.append(row)
    return [row for row in rows if any(field.strip() for field in row)]


def csv_items(rows: list, row_as: str) -> list:
    # Each row after the header as "column: value" lines, or as a JSON object.
    header = [name.strip() or f"column {i + 1}" for i, name in enumerate(rows[0])] if rows else []
    items = []
    for row in rows[1:]:
        pairs = [(name, row[i] if i < len(row) else "") for i, name in enumerate(header)]
        if row_as == "json":
            items.append(json.dumps(dict(pairs), ensure_ascii=False, separators=(",", ":"), sort_keys=True))
        else:
            items.append("\n".join(f"{k}: {v}" for k, v in pairs))
    return items


def json_items(text: str) -> list:
    value = json.loads(text.strip())
    if not isinstance(value, list):
        raise ValueError("The list is JSON but not an array: put the items in [ ... ].")
    compact = {"ensure_ascii": False, "separators": (",", ":"), "sort_keys": True}
    return [v if isinstance(v, str) else json.dumps(v, **compact) for v in value]


def split_items(text: str, mode: str, row_as: str) -> list:
    # Cuts the list into items as Chainboard does: "auto" reads a JSON array when the text is
    # one, CSV rows when the first line is a header of two or more columns, lines otherwise.
    text = text.removeprefix("\ufeff")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if mode == "lines":
        return lines
    if mode == "json_array":
        return json_items(text)
    if mode == "csv":
        return csv_items(csv_rows(text), row_as)
    if text.lstrip().startswith("["):
        try:
            return json_items(text)
        except ValueError:
            pass
    try:
        rows = csv_rows(text) if csv_delimiter(text) else []
    except ValueError:
        rows = []  # not readable as CSV: lines
    return csv_items(rows, row_as) if looks_like_csv(rows) else lines


def join_as_json(results: list) -> str:
    # One entry per item, in order: a result that is a JSON object or array stays JSON, other
    # text is a string, a failed item is null (so positions still match the list).
    def entry(result):
        if result is None:
            return None
        try:
            value = json.loads(result.strip())
        except ValueError:
            return result
        return value if isinstance(value, (dict, list)) else result

    return json.dumps([entry(r) for r in results], ensure_ascii=False, indent=2, sort_keys=True)


# For each item “Summarise each row” (OpenAI, gpt-4o-mini)
# The prompt runs once per item of the list, at most 4 at a time; the results are joined
# as text (failed items left out). A failed item does not stop the others.
async def summarise_each_row(list_: str) -> str:
    items = split_items(list_, "auto", "text")
    if len(items) > 100:
        raise ValueError(f"The list has {len(items)} items; this loop runs at most 100.")
    limit = asyncio.Semaphore(4)

    async def ask(item: str, index: str) -> str:
        system = "You summarise customer feedback for a product team: the problem or praise, in plain words."
        user = render(
            "Summarise this customer feedback in one sentence:\n"
            "\n"
            "{{item}}",
            {"item": item},
        )
        return await ask_openai(
            openai_client,
            "gpt-4o-mini",
            system,
            user,
            temperature=0.2,
            max_completion_tokens=80,
        )

    async def run_item(number: int, item: str) -> str | None:
        async with limit:
            try:
                return await ask(item, str(number))
            except Exception as e:
                print(f"Item {number} failed: {e}", file=sys.stderr)
                return None

    results = await asyncio.gather(*(run_item(n, item) for n, item in enumerate(items, start=1)))
    if items and all(r is None for r in results):
        raise RuntimeError("Every item failed.")
    return "\n".join(r for r in results if r is not None)


async def run_flow(rows: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    summarise_each_row_results = await summarise_each_row(rows)
    return [
        ("Summaries", summarise_each_row_results),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Summarise every row of a list")
    parser.add_argument("--rows", dest="rows", default=(
        "customer,plan,feedback\n"
        'Ana Silva,Pro,"The new dashboard is fast, but exporting to PDF fails every time I try."\n'
        "Ben Okafor,Free,Support answered within minutes and fixed my billing issue. Great service.\n"
        "Chloe Martin,Team,\"I can't find the dark mode setting anymore; please bring it back.\"\n"
        "Dev Patel,Pro,The mobile app crashes when I upload a photo larger than 10 MB.\n"
        'Emma Rossi,Team,"Love the new templates, but sharing a flow with my team is confusing."\n'
    ), help="Feedback (CSV)")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.rows))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
