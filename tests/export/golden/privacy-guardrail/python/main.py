# Support bot with a privacy guardrail: exported from Chainboard.
# Messages with personal data are held back before any model sees them.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Run it: the card number and e-mail address send the message to “flagged”, so no model sees it. Remo…
# TODO: “Guardrail” is a Router block, which this exporter cannot write yet: its outputs are empty in the c…

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


# TODO: “Guardrail” is a Router block, which the exporter cannot write yet.
async def guardrail(value: str) -> tuple[str, str]:
    return "", ""


# Prompt “Support reply” (OpenAI, gpt-4o-mini)
async def support_reply(message: str) -> str:
    system = "You answer customers of an online shop, warmly and in three sentences or fewer."
    user = render(
        "Customer message:\n"
        "{{message}}\n"
        "\n"
        "Write the reply.",
        {"message": message},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


async def run_flow(message: str) -> list[tuple[str, str]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    guardrail_flagged, guardrail_default = await guardrail(message)
    support_reply_text = await support_reply(guardrail_default)
    return [
        ("Reply", support_reply_text),
        ("Held for a person", guardrail_flagged),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Support bot with a privacy guardrail")
    parser.add_argument("--message", dest="message", default="Hi, please change my card to 4111 1111 1111 1111 and confirm to ana.ruiz@example.com.", help="Customer message")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.message))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
