# Agent that checks an order: exported from Chainboard.
# A support agent with an order-lookup tool.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Try order B456, or an id that does not exist. Open the Prompt's result to follow each step.

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


STEP_LIMIT = (
    "Stopped after {steps} model calls: the model was still calling tools. Raise the step limit, "
    "or tell the model in the prompt when it has enough to answer."
)


async def call_tool(tools: list, name: str, arguments) -> str:
    # Runs one tool call; problems go back to the model as text it can act on, as in Chainboard.
    tool = next((t for t in tools if t["name"] == name), None)
    if tool is None:
        return f"There is no tool named {name}."
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as e:
            return f"The arguments were not valid JSON ({e}). Send a JSON object."
    if not isinstance(arguments, dict):
        return 'The arguments must be a JSON object like {"name": value}.'
    for required in tool["parameters"].get("required", []):
        if arguments.get(required) is None:
            return f"Missing required argument \u201c{required}\u201d. Call {name} again with it."
    return await tool["run"](arguments)


async def agent_openai(client, model: str, system: str, user: str, tools: list, max_steps: int, media: list = (), turns: list = (), tool_choice=None, **options) -> str:
    # The agent loop: call the model, run the tools it asks for, send the results back, until it
    # answers without calling a tool.
    messages = [{"role": "system", "content": system}] if system.strip() else []
    messages += [{"role": role, "content": text} for role, text in turns]
    messages.append({"role": "user", "content": openai_user_content(user, list(media))})
    specs = [{"type": "function", "function": {k: t[k] for k in ("name", "description", "parameters")}} for t in tools]
    for step in range(max_steps):
        # A forced tool choice applies to the first call only, or the model could never answer.
        choice = {"tool_choice": tool_choice} if tool_choice and step == 0 else {}
        response = await client.chat.completions.create(model=model, messages=messages, tools=specs, **choice, **options)
        message = response.choices[0].message
        if not message.tool_calls:
            return message.content or ""
        messages.append({
            "role": "assistant",
            "content": message.content,
            "tool_calls": [
                {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
                for c in message.tool_calls
            ],
        })
        for c in message.tool_calls:
            result = await call_tool(tools, c.function.name, c.function.arguments)
            messages.append({"role": "tool", "tool_call_id": c.id, "content": result})
    raise RuntimeError(STEP_LIMIT.format(steps=max_steps))


# Tool “Order lookup”: Look up an order by its id. Returns its status and expected delivery date as JSON.
# In Chainboard this tool is a mock with fixed answers. Replace the body with a call to
# your system.
async def lookup_order(args: dict) -> str:
    if arg_text(args, "order_id").strip().lower() == "a123":
        return mock_fill('{"order": "A123", "status": "shipped", "delivery": "Thursday"}', args)
    if arg_text(args, "order_id").strip().lower() == "b456":
        return mock_fill('{"order": "B456", "status": "delayed", "delivery": "next week"}', args)
    return mock_fill('{"order": "{{order_id}}", "status": "not found"}', args)

LOOKUP_ORDER_TOOL = {
    "name": "lookup_order",
    "description": "Look up an order by its id. Returns its status and expected delivery date as JSON.",
    "parameters": {
        "properties": {"order_id": {"description": "The order id, like A123", "type": "string"}},
        "required": ["order_id"],
        "type": "object",
    },
    "run": lookup_order,
}


def arg_text(args: dict, name: str) -> str:
    value = args.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def mock_fill(template: str, args: dict) -> str:
    # Fills {{argument}} placeholders; inside JSON, text is escaped so the result stays JSON.
    json_like = template.lstrip()[:1] in ("{", "[")
    names = re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", template)
    values = {n: json.dumps(arg_text(args, n))[1:-1] if json_like else arg_text(args, n) for n in names}
    return render(template, values)


# Prompt “Support agent” (OpenAI, gpt-4o-mini)
async def support_agent(message: str) -> str:
    system = "You are a support agent for an online shop. Look orders up with the tool before answering; never guess a status."
    user = render("{{message}}", {"message": message})
    return await agent_openai(
        openai_client,
        "gpt-4o-mini",
        system,
        user,
        tools=[LOOKUP_ORDER_TOOL],
        max_steps=8,
        temperature=0.2,
        max_completion_tokens=400,
    )


async def run_flow(message: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    support_agent_text = await support_agent(message)
    return [
        ("Reply", support_agent_text),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Agent that checks an order")
    parser.add_argument("--message", dest="message", default="Hi, where is my order A123? I need it before the weekend.", help="Customer message")
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
