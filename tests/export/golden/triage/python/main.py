# Triage support requests: exported from Chainboard.
# Route each request to the reply prompt written for its kind.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Try a bug (“The app crashes when I upload a photo”) or a question. Only the chosen branch runs; the…

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


async def when_taken(step, *args, outputs: int = 1):
    # A block on a branch that was not taken (a route the router did not pick, a rejected
    # approval) gets None instead of a value: it does not run, and neither do the blocks after it.
    if any(arg is None for arg in args):
        return None if outputs == 1 else (None,) * outputs
    return await step(*args)


def first_taken(*values):
    # An Output fed by several branches shows the one that ran.
    return next((v for v in values if v is not None), None)


def routed(value: str, route: str, routes: list) -> tuple:
    # The value on the chosen route, None (not taken) on the others.
    return tuple(value if r == route else None for r in routes)


def pick_route(answer: str, routes: list) -> str:
    # Reads the model's pick as Chainboard does: the label on the first line (in any case),
    # else the label the answer names first (whole words), else "default".
    text = answer.strip()
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    head = re.sub(r"^\W+|\W+$", "", lines[0] if lines else "")
    head = head.removeprefix("label:").removeprefix("Label:").strip()
    for route in routes:
        if route == head:
            return route
    for route in routes:
        if route.lower() == head.lower():
            return route
    found = [(m.start(), r) for r in routes if (m := re.search(rf"(?<!\w){re.escape(r.lower())}(?!\w)", text.lower()))]
    return min(found)[1] if found else "default"


# Router “Route by topic” (OpenAI, gpt-4o-mini)
# The model picks one route; an answer that names none goes to "default". Only the chosen
# route carries the value: the blocks on the others do not run.
async def route_by_topic(value: str) -> tuple:
    # Chainboard's instructions to the model, with this router's routes.
    system = (
        "You route requests. Read the user's message and pick exactly one label from this list:\n"
        "- billing\n"
        "- bug\n"
        "- default\n"
        "\n"
        "billing: charges, invoices, refunds, payment cards, subscriptions\n"
        "bug: the app crashes, shows an error or does not work as it should\n"
        "default: anything else\n"
        "\n"
        "Answer with the label on the first line and one short sentence saying why on the second line, like:\n"
        "label\n"
        "reason"
    )
    answer = await ask_openai(openai_client, "gpt-4o-mini", system, value)
    route = pick_route(answer, ["billing", "bug", "default"])
    return routed(value, route, ["billing", "bug", "default"])


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


async def run_flow(request: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    # None marks a branch that was not taken: the blocks on it do not run.
    route_by_topic_billing, route_by_topic_bug, route_by_topic_default = await route_by_topic(request)
    billing_reply_text, bug_reply_text, other_reply_text = await asyncio.gather(
        when_taken(billing_reply, route_by_topic_billing),
        when_taken(bug_reply, route_by_topic_bug),
        when_taken(other_reply, route_by_topic_default),
    )
    return [
        ("Reply", first_taken(billing_reply_text, bug_reply_text, other_reply_text)),
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
        if answer is None:
            answer = "(skipped: the branch that leads here was not taken)"
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
