# A chatbot with memory: exported from Chainboard.
# A shop assistant that remembers the conversation.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Open Chat in the top bar and send a few messages: the Prompt remembers the last 20 turns. Save a go…

import argparse
import asyncio
import json
import os
import re
import sys

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


# Prompt “Shop assistant” (OpenAI, gpt-4o-mini)
async def shop_assistant(message: str, history: list) -> str:
    system = "You are Sam, the friendly assistant of an online running shop. Answer in two or three short sentences, remember what the customer told you earlier, and ask for an order number before promising anything."
    user = render("{{message}}", {"message": message})
    # Example turns, sent between the system message and the user message.
    examples = [
        ("user", "Do you have trail shoes?"),
        ("assistant", "We do! Our trail range has grippy soles for mud and rock. What distance do you usually run?"),
    ]
    # It remembers the conversation: the last 20 turns go before the new message.
    return await ask_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        turns=examples + history,
        temperature=0.7,
        max_completion_tokens=400,
    )


async def run_flow(message: str, history: list = ()) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    # `history` is the conversation so far: (what the user said, the answer) pairs, oldest first.
    shop_assistant_text = await shop_assistant(message, recent_turns(history, 20))
    return [
        ("Reply", shop_assistant_text),
    ]


def recent_turns(history: list, turns: int) -> list:
    # The last `turns` turns of the conversation as user and assistant messages.
    recent = list(history)[-turns:] if turns else []
    return [message for user, answer in recent for message in (("user", user), ("assistant", answer))]


async def chat(args) -> None:
    # Each line you type is the new message; the first Output's answer is the reply. Ctrl-D ends.
    history = []
    while True:
        try:
            message = await asyncio.to_thread(input, "you> ")
        except EOFError:
            return
        if not message.strip():
            continue
        outputs = await run_flow(message, history=history)
        answer = (outputs[0][1] if outputs else None) or ""
        print(f"bot> {answer}")
        history.append((message, answer))


def main() -> None:
    parser = argparse.ArgumentParser(description="A chatbot with memory")
    parser.add_argument("--message", dest="message", default="Hi! I ordered running shoes last week.", help="Customer message")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    parser.add_argument("--chat", action="store_true", help="talk to the flow, one message per line")
    args = parser.parse_args()
    if args.chat:
        asyncio.run(chat(args))
        return
    outputs = asyncio.run(run_flow(args.message))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
