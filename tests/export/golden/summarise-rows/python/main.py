# Summarise every row of a list: exported from Chainboard.
# One line per row of customer feedback.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Paste your own rows (CSV with a header, one item per line, or a JSON array). Watch the progress on …
# TODO: “Summarise each row” is a For each item block, which this exporter cannot write yet: its outputs ar…

import argparse
import asyncio
import json
import os
import re


PLACEHOLDER = re.compile(r"\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def render(template: str, values: dict) -> str:
    # Fills {{name}} placeholders as Chainboard does; \{{ stands for a literal {{.
    return PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) else "{{", template)


# TODO: “Summarise each row” is a For each item block, which the exporter cannot write yet.
async def summarise_each_row(list_: str) -> str:
    return ""


async def run_flow(rows: str) -> list[tuple[str, str]]:
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
