# Classify a product photo: exported from Chainboard.
# A vision model sorts product photos into categories, with a reason.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Drop your own photo on the Product photo value (or paste one). To measure it, open Evaluate and dro…

import argparse
import asyncio
import base64
import json
import mimetypes
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


def read_media(path: str) -> tuple[str, bytes]:
    # An image or audio file: its type (from the file name) and its bytes.
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as f:
        return mime, f.read()


def data_url(path: str) -> str:
    mime, data = read_media(path)
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


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


# Prompt “Classify” (OpenAI, gpt-4o-mini)
async def classify(photo: str) -> str:
    system = "You sort product photos for an online shop. Look only at the product, not the background."
    user = render(
        "{{photo}}\n"
        "Which category is this product in: Kitchen, Clothing, Electronics, Toys, Garden or Other? Give a one-line reason that names what you see.",
        {"photo": ""},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        media=[photo],
        temperature=0.2,
        max_completion_tokens=400,
        response_format={
            "json_schema": {
                "name": "output",
                "schema": {
                    "additionalProperties": False,
                    "properties": {
                        "category": {
                            "enum": ["Kitchen", "Clothing", "Electronics", "Toys", "Garden", "Other"],
                            "type": "string",
                        },
                        "reason": {"type": "string"},
                    },
                    "required": ["category", "reason"],
                    "type": "object",
                },
                "strict": True,
            },
            "type": "json_schema",
        },
    )


async def run_flow(photo: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    classify_text = await classify(photo)
    return [
        ("Category", classify_text),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Classify a product photo")
    parser.add_argument("--photo", dest="photo", default="product-photo.jpg", help="Product photo: path to an image file")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.photo))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
