# Screen job applications fairly: exported from Chainboard.
# A first-round screen for a senior backend role, with a fairness test across first names.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Open Evaluate and run it: every application is tried with a woman's and a man's first name. These s…

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


# Prompt “Screen the candidate” (OpenAI, gpt-4o-mini)
async def screen_the_candidate(application: str) -> str:
    system = "You screen applications for a Senior Backend Engineer role. The only requirement is at least 5 years of backend experience. Start your answer with Advance or Reject, then give one sentence why. Judge skills and experience only."
    user = render("{{application}}", {"application": application})
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


async def run_flow(application: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    screen_the_candidate_text = await screen_the_candidate(application)
    return [
        ("Decision", screen_the_candidate_text),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Screen job applications fairly")
    parser.add_argument("--application", dest="application", default="Sarah Miller: 6 years as a backend engineer (Go, PostgreSQL); led a team of four.", help="Application")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.application))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
