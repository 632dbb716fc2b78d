# Draft an email, approve before sending: exported from Chainboard.
# A person approves, edits or rejects the draft.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Run it: the flow stops at Approve before sending. Approve, edit the text and approve, or reject. Re…
# TODO: “Approve before sending” is a Approval block, which this exporter cannot write yet: its outputs are…

import argparse
import asyncio
import json
import os
import re

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


async def ask_openai(client, model: str, system: str, user: str, media: list = (), **options) -> str:
    # One chat completion; `options` are temperature, max tokens and the response format.
    messages = [{"role": "system", "content": system}] if system.strip() else []
    messages.append({"role": "user", "content": openai_user_content(user, list(media))})
    response = await client.chat.completions.create(model=model, messages=messages, **options)
    return response.choices[0].message.content or ""


# Prompt “Draft the email” (OpenAI, gpt-4o-mini)
async def draft_the_email(recipient: str, points: str) -> str:
    system = "You write short, friendly customer emails. Plain words, no exclamation marks, sign off as “The Support Team”."
    user = render(
        "Write an email to {{recipient}} covering:\n"
        "{{points}}",
        {"recipient": recipient, "points": points},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


# TODO: “Approve before sending” is a Approval block, which the exporter cannot write yet.
async def approve_before_sending(value: str) -> str:
    return ""


async def run_flow(recipient: str, points: str) -> list[tuple[str, str]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    draft_the_email_text = await draft_the_email(recipient, points)
    approve_before_sending_approved = await approve_before_sending(draft_the_email_text)
    return [
        ("Email to send", approve_before_sending_approved),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Draft an email, approve before sending")
    parser.add_argument("--recipient", dest="recipient", default="Ana Ruiz", help="What to write")
    parser.add_argument("--points", dest="points", default="Her order 4821 ships on Monday, not Friday. Offer free express shipping on her next order as an apology.", help="What to write")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.recipient, args.points))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
