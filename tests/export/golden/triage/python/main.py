# Triage support requests: exported from Chainboard.
# Route each request to the reply prompt written for its kind.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Try a bug (“The app crashes when I upload a photo”) or a question. Only the chosen branch runs; the…
# TODO: “Route by topic” is a Router block, which this exporter cannot write yet: its outputs are empty in …

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


# TODO: “Route by topic” is a Router block, which the exporter cannot write yet.
async def route_by_topic(value: str) -> tuple[str, str, str]:
    return "", "", ""


# Prompt “Billing reply” (OpenAI, gpt-4o-mini)
async def billing_reply(request: str) -> str:
    system = "You answer billing questions for a software company. Be precise about money, say what happens next and when."
    user = render(
        "Customer request:\n"
        "{{request}}\n"
        "\n"
        "Write the reply.",
        {"request": request},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


# Prompt “Bug reply” (OpenAI, gpt-4o-mini)
async def bug_reply(request: str) -> str:
    system = "You answer bug reports. Thank the person, ask for the one detail an engineer needs (device, version, steps), and promise nothing you cannot keep."
    user = render(
        "Customer request:\n"
        "{{request}}\n"
        "\n"
        "Write the reply.",
        {"request": request},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


# Prompt “Other reply” (OpenAI, gpt-4o-mini)
async def other_reply(request: str) -> str:
    system = "You answer general questions for a software company, warmly and in three sentences or fewer."
    user = render(
        "Customer request:\n"
        "{{request}}\n"
        "\n"
        "Write the reply.",
        {"request": request},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


async def run_flow(request: str) -> list[tuple[str, str]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    route_by_topic_billing, route_by_topic_bug, route_by_topic_default = await route_by_topic(request)
    billing_reply_text, bug_reply_text, other_reply_text = await asyncio.gather(
        billing_reply(route_by_topic_billing),
        bug_reply(route_by_topic_bug),
        other_reply(route_by_topic_default),
    )
    return [
        ("Reply", billing_reply_text),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Triage support requests")
    parser.add_argument("--request", dest="request", default="Hi, I was charged twice for my subscription this month. Can you refund the extra payment?", help="Request")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.request))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
