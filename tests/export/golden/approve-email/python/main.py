# Draft an email, approve before sending: exported from Chainboard.
# A person approves, edits or rejects the draft.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Run it: the flow stops at Approve before sending. Approve, edit the text and approve, or reject. Re…

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


async def when_taken(step, *args, outputs: int = 1):
    # A block on a branch that was not taken (a route the router did not pick, a rejected
    # approval) gets None instead of a value: it does not run, and neither do the blocks after it.
    if any(arg is None for arg in args):
        return None if outputs == 1 else (None,) * outputs
    return await step(*args)


def first_taken(*values):
    # An Output fed by several branches shows the one that ran.
    return next((v for v in values if v is not None), None)


APPROVAL_TURN = asyncio.Lock()


def review(title: str, instructions: str, value: str) -> str | None:
    # Asks on the terminal: approve as is, edit (type the new text), or reject.
    print(f"\n== Approval: {title} ==", file=sys.stderr)
    if instructions:
        print(instructions, file=sys.stderr)
    print(f"\n{value}\n", file=sys.stderr)
    while True:
        print("Approve, edit or reject? [a/e/r] ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            print("\nNo answer (end of input): rejected.", file=sys.stderr)
            return None
        choice = line.strip().lower()
        if choice in ("a", "approve"):
            return value
        if choice in ("r", "reject"):
            return None
        if choice in ("e", "edit"):
            print("Type the new text; end with a line holding only a dot.", file=sys.stderr)
            lines = []
            while (line := sys.stdin.readline()) and line.rstrip("\n") != ".":
                lines.append(line.rstrip("\n"))
            return "\n".join(lines)


async def ask_approval(title: str, instructions: str, value: str) -> str | None:
    # The approved (maybe edited) value, or None when rejected. CHAINBOARD_AUTO_APPROVE=1 (or
    # --approve) approves everything without asking, for scripts and tests.
    if os.environ.get("CHAINBOARD_AUTO_APPROVE") == "1":
        return value
    async with APPROVAL_TURN:
        return await asyncio.to_thread(review, title, instructions, value)


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


# Approval “Approve before sending”: a person approves, edits or rejects the value; rejected, the blocks after
# it do not run.
async def approve_before_sending(value: str) -> str | None:
    return await ask_approval("Approve before sending", "Check the facts, the tone and the name before this email goes out.", value)


async def run_flow(recipient: str, points: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    # None marks a branch that was not taken: the blocks on it do not run.
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
    parser.add_argument(
        "--approve", action="store_true", help="approve every Approval without asking (or CHAINBOARD_AUTO_APPROVE=1)"
    )
    args = parser.parse_args()
    if args.approve:
        os.environ["CHAINBOARD_AUTO_APPROVE"] = "1"
    outputs = asyncio.run(run_flow(args.recipient, args.points))
    if args.json:
        print(json.dumps([{"output": t, "answer": a} for t, a in outputs], ensure_ascii=False))
        return
    for title, answer in outputs:
        if answer is None:
            answer = "(skipped: the branch that leads here was not taken)"
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
