# Transcribe a call and summarise the complaint: exported from Chainboard.
# Speech to text, then a summary of the complaint.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Record your own call with the Record button on the Call recording value, or drop an audio file (MP3…

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


async def transcribe_openai(client, model: str, path: str, language: str = "", hint: str = "") -> str:
    # Speech to text through /audio/transcriptions.
    options = {}
    if language:
        options["language"] = language
    if hint:
        options["prompt"] = hint
    with open(path, "rb") as audio:
        result = await client.audio.transcriptions.create(model=model, file=audio, **options)
    return result.text


# Transcribe “Transcribe the call” (OpenAI, gpt-4o-mini-transcribe)
async def transcribe_the_call(audio: str) -> str:
    return await transcribe_openai(openai_client, "gpt-4o-mini-transcribe", audio, language="", hint="")


# Prompt “Summarise the complaint” (OpenAI, gpt-4o-mini)
async def summarise_the_complaint(text: str) -> str:
    system = "You help a support team. Be factual and brief; do not invent details that are not in the transcript."
    user = render(
        "Transcript of a support call:\n"
        "{{text}}\n"
        "\n"
        "In two sentences, what is the customer unhappy about? Then list what they want us to do.",
        {"text": text},
    )
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        temperature=0.2,
        max_completion_tokens=400,
    )


async def run_flow(call_: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    transcribe_the_call_text = await transcribe_the_call(call_)
    summarise_the_complaint_text = await summarise_the_complaint(transcribe_the_call_text)
    return [
        ("Summary", summarise_the_complaint_text),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Transcribe a call and summarise the complaint")
    parser.add_argument("--call", dest="call_", default="support-call.wav", help="Call recording: path to an audio file")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    args = parser.parse_args()
    outputs = asyncio.run(run_flow(args.call_))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
