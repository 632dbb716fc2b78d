# Summarise a support ticket: exported from Chainboard.
# One sentence an engineer can act on.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Paste a real ticket. Does a cheaper model summarise as well?

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


async def ask_openai(client, model: str, system: str, user: str, media: list = (), turns: list = (), **options) -> str:
    # One chat completion; `turns` are earlier (role, text) messages; `options` are the
    # block's settings (temperature, max tokens, the response format, ...).
    messages = [{"role": "system", "content": system}] if system.strip() else []
    messages += [{"role": role, "content": text} for role, text in turns]
    messages.append({"role": "user", "content": openai_user_content(user, list(media))})
    response = await client.chat.completions.create(model=model, messages=messages, **options)
    return response.choices[0].message.content or ""


# Prompt “Summarise” (OpenAI, gpt-4o-mini)
async def summarise(ticket: str) -> str:
    system = "You summarise support tickets for engineers: what breaks, where, since when."
    user = render(
        "Summarise this ticket in one sentence:\n"
        "\n"
        "{{ticket}}",
        {"ticket": ticket},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


async def run_flow(ticket: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    summarise_text = await summarise(ticket)
    return [
        ("Summary", summarise_text),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Summarise a support ticket")
    parser.add_argument("--ticket", dest="ticket", default="Hi, since yesterday's update the app logs me out every time I switch to another tab, and then I lose the form I was filling in. I'm on Chrome on a Mac. This is really frustrating because I have to redo my expense report each time!", help="Ticket")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.ticket))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
