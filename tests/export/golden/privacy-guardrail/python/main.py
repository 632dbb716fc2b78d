# Support bot with a privacy guardrail: exported from Chainboard.
# Messages with personal data are held back before any model sees them.
#
# Run: python main.py --help (see README.md). Keys come from environment variables.
#
# Note “Try this”: Run it: the card number and e-mail address send the message to “flagged”, so no model sees it. Remo…

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


# "Has personal data", as Chainboard checks it (src/domain/privacy/detect.rs): e-mail
# addresses, IBANs (mod 97), card numbers (Luhn), phone numbers, US SSN, UK National Insurance
# and Spanish DNI/NIE numbers, French NIR, street addresses. Hand-written scanners, no model.
def is_word(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "_")


def has_email(text: str) -> bool:
    local_ok = lambda c: c.isascii() and (c.isalnum() or c in "._%+-'")
    domain_ok = lambda c: c.isascii() and (c.isalnum() or c in "-.")
    for at in (i for i, c in enumerate(text) if c == "@"):
        s = at
        while s > 0 and local_ok(text[s - 1]):
            s -= 1
        while s < at and not (text[s].isascii() and text[s].isalnum()):
            s += 1
        e = at + 1
        while e < len(text) and domain_ok(text[e]):
            e += 1
        while e > at + 1 and not (text[e - 1].isascii() and text[e - 1].isalnum()):
            e -= 1
        domain = text[at + 1 : e]
        tld = domain.rsplit(".", 1)[-1]
        if s < at and "." in domain and len(tld) >= 2 and tld.isascii() and tld.isalpha():
            return True
    return False


def iban_valid(chars: str) -> bool:
    rem = 0
    for c in chars[4:] + chars[:4]:
        v = int(c) if c.isdigit() else ord(c) - ord("A") + 10
        rem = (rem * 100 + v) % 97 if v >= 10 else (rem * 10 + v) % 97
    return rem == 1


def has_iban(text: str) -> bool:
    upper = lambda c: "A" <= c <= "Z"
    digit = lambda c: "0" <= c <= "9"
    for i in range(len(text) - 3):
        if (i > 0 and is_word(text[i - 1])) or not (upper(text[i]) and upper(text[i + 1]) and digit(text[i + 2]) and digit(text[i + 3])):
            continue
        chars, j, end = "", i, i
        while j < len(text) and len(chars) < 34:
            c = text[j]
            if upper(c) or digit(c):
                chars += c
                j += 1
                end = j
            elif c == " " and j + 1 < len(text) and text[j + 1].isascii() and text[j + 1].isalnum() and len(chars) % 4 == 0:
                j += 1
            else:
                break
        if 15 <= len(chars) <= 34 and (end >= len(text) or not is_word(text[end])) and iban_valid(chars):
            return True
    return False


def luhn_valid(digits: list) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def french_nir_valid(d: list) -> bool:
    if len(d) != 15 or d[0] not in (1, 2):
        return False
    number = int("".join(map(str, d[:13])))
    return 97 - number % 97 == d[13] * 10 + d[14]


def ssn_shape(raw: str) -> bool:
    g = raw.split("-")
    if len(g) != 3 or [len(p) for p in g] != [3, 2, 4]:
        return False
    return not (g[0] in ("000", "666") or g[0].startswith("9") or g[1] == "00" or g[2] == "0000")


def date_or_version(raw: str) -> bool:
    parts = re.split(r"[-./]", raw)
    n = [len(p) for p in parts]
    return (len(n) == 3 and ((n[0] == 4 and n[1] <= 2 and n[2] <= 2) or (n[0] <= 2 and n[1] <= 2 and n[2] == 4))) or (
        "." in raw and " " not in raw and len(parts) <= 4 and all(len(p) <= 3 for p in parts)
    )


PHONE_WORDS = ["phone", "tel", "call", "mobile", "cell", "fax", "ring", "whatsapp", "number is"]


def personal_number(raw: str, digits: list, seps: str, text: str, start: int) -> bool:
    n = len(digits)
    if n == 15 and all(c == " " for c in seps) and french_nir_valid(digits):
        return True
    groups = [len(g) for g in re.split(r"[ -]", raw)]
    card_grouping = len(groups) == 1 or all(g == 4 for g in groups) or groups == [4, 6, 5] or all(g == 4 for g in groups[:-1])
    if 13 <= n <= 19 and not raw.startswith("+") and "(" not in raw and "." not in raw and card_grouping and luhn_valid(digits):
        return True
    if ssn_shape(raw):
        return True
    if date_or_version(raw):
        return False
    # The 24 bytes (UTF-8) before the number, lowercased in ASCII only, as Chainboard reads them.
    head = text[:start].encode()
    before = "".join(c.lower() if c.isascii() else c for c in head[-24:].decode("utf-8", "ignore"))
    context = any(w in before for w in PHONE_WORDS)
    g = re.split(r"[-. ]", raw)
    nanp = (raw.startswith("(") and n == 10) or (len(g) == 3 and [len(p) for p in g] == [3, 3, 4])
    international = raw.startswith("+") and 8 <= n <= 15
    national = raw.startswith("0") and 10 <= n <= 11 and seps != ""
    return international or nanp or national or (context and 7 <= n <= 15)


def has_personal_number(text: str) -> bool:
    # Runs of digits with the separators people type between groups: a card, an ID or a phone.
    digit = lambda c: "0" <= c <= "9"
    i = 0
    while i < len(text):
        c = text[i]
        starts = digit(c) or (c in "+(" and i + 1 < len(text) and digit(text[i + 1]))
        if not starts or (i > 0 and (is_word(text[i - 1]) or text[i - 1] in "./-")):
            i += 1
            continue
        j, digits, seps = i, [], ""
        while j < len(text):
            c = text[j]
            nxt = text[j + 1] if j + 1 < len(text) else ""
            if digit(c):
                digits.append(int(c))
                j += 1
            elif c in "+(" and j == i:
                j += 1
            elif c in " -.)(" and nxt and (digit(nxt) or (nxt == " " and c == ")")):
                seps += c
                j += 1
            else:
                break
        end = j
        # A number glued to letters (a product code) or a decimal is not personal data.
        glued = end < len(text) and (is_word(text[end]) or (text[end] == "." and end + 1 < len(text) and digit(text[end + 1])))
        if not glued and personal_number(text[i:end], digits, seps, text, i):
            return True
        i = max(end, i + 1)
    return False


def has_uk_nino(text: str) -> bool:
    first_ok = lambda c: "A" <= c <= "Z" and c not in "DFIQUV"
    second_ok = lambda c: "A" <= c <= "Z" and c not in "DFIQUVO"
    for i in range(len(text) - 1):
        if (i > 0 and is_word(text[i - 1])) or not first_ok(text[i]) or not second_ok(text[i + 1]):
            continue
        if text[i : i + 2] in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
            continue
        j, digits = i + 2, 0
        while j < len(text) and digits < 6:
            if "0" <= text[j] <= "9":
                digits += 1
                j += 1
            elif text[j] == " " and digits % 2 == 0:
                j += 1
            else:
                break
        if digits != 6:
            continue
        if j < len(text) and text[j] == " ":
            j += 1
        if j < len(text) and text[j] in "ABCD" and (j + 1 >= len(text) or not is_word(text[j + 1])):
            return True
    return False


def has_spanish_id(text: str) -> bool:
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    for i, c in enumerate(text):
        if i > 0 and is_word(text[i - 1]):
            continue
        if c in "XYZ":
            prefix, start, want = "XYZ".index(c), i + 1, 7
        elif "0" <= c <= "9":
            prefix, start, want = 0, i, 8
        else:
            continue
        end = start + want
        if end >= len(text) or not all("0" <= d <= "9" for d in text[start:end]):
            continue
        letter = text[end]
        if not ("A" <= letter <= "Z") or (end + 1 < len(text) and is_word(text[end + 1])):
            continue
        if letters[int(str(prefix) + text[start:end]) % 23] == letter:
            return True
    return False


STREET_WORDS = {
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr",
    "court", "ct", "way", "place", "pl", "terrace", "close", "crescent", "square", "highway",
}
GERMAN_STREET_ENDINGS = ["straße", "strasse", "str.", "weg", "gasse", "allee"]


def has_address(text: str) -> bool:
    # "221B Baker Street", "Hauptstraße 5": a house number and capitalised words ending in a
    # street word, or a German street name and a number.
    # Words with their offsets in UTF-8 bytes, as Chainboard measures them.
    spans = [(len(text[: m.start()].encode()), m.group()) for m in re.finditer(r"[^\W_](?:[^\W_]|\.)*", text)]
    words = [(s, w.rstrip(".") if w.endswith(".") and not w.endswith("str.") and len(w.encode()) > 3 else w) for s, w in spans]
    for k, (start, word) in enumerate(words):
        if word[:1].isdigit() and word.isascii() and word.isalnum() and len(word) <= 5:
            for n in range(2, 5):
                if k + n >= len(words):
                    break
                last = words[k + n][1]
                names = words[k + 1 : k + n]
                if all(w[:1].isupper() for _, w in names) and last[:1].isupper() and last.rstrip(".").lower() in STREET_WORDS:
                    return True
        lower = word.lower()
        if word[:1].isupper() and any(lower.endswith(e) and len(lower.encode()) > len(e.encode()) + 2 for e in GERMAN_STREET_ENDINGS):
            if k + 1 < len(words):
                n_start, n = words[k + 1]
                if n_start == start + len(word.encode()) + 1 and len(n.encode()) <= 4 and "0" <= n[:1] <= "9":
                    return True
    return False


def has_personal_data(text: str) -> bool:
    checks = (has_email, has_iban, has_personal_number, has_uk_nino, has_spanish_id, has_address)
    return any(check(text) for check in checks)


def moderation_trips(result: dict, categories: str, min_score) -> bool:
    # As Chainboard reads a moderation result: a watched category (every one when none are
    # listed) that is flagged, or that scores at least `min_score` when one is given; with
    # neither, the overall flag.
    watched = [c.strip().lower() for c in categories.split(",") if c.strip()]
    hits = [
        c
        for c in result["categories"]
        if (not watched or c["name"].lower() in watched) and (c["score"] >= min_score if min_score is not None else c["flagged"])
    ]
    return bool(hits) or (not watched and min_score is None and result["flagged"])


# Chainboard's sample moderation: a small word list, no request sent.
SAMPLE_WORDS = {
    "harassment": ["idiot", "stupid", "moron", "shut up", "loser", "hate you"],
    "violence": ["kill", "hurt you", "shoot", "attack", "beat you", "bomb"],
    "self-harm": ["hurt myself", "kill myself", "suicide", "end my life"],
    "hate": ["racist", "subhuman"],
}


async def sample_moderation(text: str) -> dict:
    # A category scores 0.9 when one of its words is in the text (whole words; a plural s is fine).
    lower = text.lower()
    found = lambda w: re.search(rf"(?<![^\W_]){re.escape(w)}s?(?![^\W_])", lower) is not None
    categories = [
        {"name": name, "flagged": hit, "score": 0.9 if hit else 0.0}
        for name, words in SAMPLE_WORDS.items()
        for hit in [any(found(w) for w in words)]
    ]
    return {"flagged": any(c["flagged"] for c in categories), "categories": categories}


# Router “Guardrail”: the first rule that passes names the route; when none does, "default".
# Only the chosen route carries the value: the blocks on the others do not run.
async def guardrail(value: str) -> tuple:
    if has_personal_data(value):
        route = "flagged"
    elif any(word in value.lower() for word in ["password", "passcode", "social security"]):
        route = "flagged"
    elif len(value) > 4000:
        route = "flagged"
    elif moderation_trips(await sample_moderation(value), "", None):
        route = "flagged"
    else:
        route = "default"
    return routed(value, route, ["flagged", "default"])


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


async def run_flow(message: str) -> list[tuple[str, str | None]]:
    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
    # None marks a branch that was not taken: the blocks on it do not run.
    guardrail_flagged, guardrail_default = await guardrail(message)
    support_reply_text = await when_taken(support_reply, guardrail_default)
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
        if answer is None:
            answer = "(skipped: the branch that leads here was not taken)"
        print(f"== {title} ==\n{answer}\n")


if __name__ == "__main__":
    main()
