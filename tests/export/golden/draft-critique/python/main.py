# Draft, then critique: exported from Chainboard.
# A writer and a reviewer in a chain.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.

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


# Prompt “Draft” (OpenAI, gpt-4o-mini)
async def draft(brief: str) -> str:
    system = "You write short, friendly release notes."
    user = render(
        "Write a three-sentence release note:\n"
        "\n"
        "{{brief}}",
        {"brief": brief},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


# Prompt “Critique” (OpenAI, gpt-4o-mini)
async def critique(draft: str) -> str:
    system = "You review release notes."
    user = render(
        "Check this draft: is it under 60 words, does it say how to turn the feature on, is it friendly? List what to fix.\n"
        "\n"
        "{{draft}}",
        {"draft": draft},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


async def run_flow(brief: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    draft_text = await draft(brief)
    critique_text = await critique(draft_text)
    return [
        ("Draft", draft_text),
        ("Review", critique_text),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Draft, then critique")
    parser.add_argument("--brief", dest="brief", default="Announce that dark mode is now available in the mobile app.", help="Brief")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.brief))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
