//! The "has personal data" rule of a Router, ported to Python and JavaScript from
//! src/domain/privacy/detect.rs: the same scanners and checks (e-mail addresses, IBANs with
//! mod 97, card numbers with Luhn, phone numbers by shape or a word before them, US SSN, UK
//! National Insurance, Spanish DNI/NIE, French NIR, street addresses). A rule only asks
//! whether there is any, so the ports answer yes or no and skip the app's overlap handling.

pub const PYTHON: &str = r#"
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

"#;

pub const JS: &str = r#"// "Has personal data", as Chainboard checks it (src/domain/privacy/detect.rs): e-mail
// addresses, IBANs (mod 97), card numbers (Luhn), phone numbers, US SSN, UK National Insurance
// and Spanish DNI/NIE numbers, French NIR, street addresses. Hand-written scanners, no model.
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isUpper = (c: string): boolean => c >= "A" && c <= "Z";
const isAlnum = (c: string | undefined): boolean => /^[A-Za-z0-9]$/.test(c ?? "");
const isWord = (c: string): boolean => isAlnum(c) || c === "_";

function hasEmail(text: string): boolean {
  const localOk = (c: string) => isAlnum(c) || "._%+-'".includes(c);
  const domainOk = (c: string) => isAlnum(c) || c === "-" || c === ".";
  for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) {
    let s = at;
    while (s > 0 && localOk(text[s - 1])) s--;
    while (s < at && !isAlnum(text[s])) s++;
    let e = at + 1;
    while (e < text.length && domainOk(text[e])) e++;
    while (e > at + 1 && !isAlnum(text[e - 1])) e--;
    const domain = text.slice(at + 1, e);
    const tld = domain.split(".").pop() ?? "";
    if (s < at && domain.includes(".") && tld.length >= 2 && /^[A-Za-z]+$/.test(tld)) return true;
  }
  return false;
}

function ibanValid(chars: string): boolean {
  let rem = 0;
  for (const c of chars.slice(4) + chars.slice(0, 4)) {
    const v = isDigit(c) ? Number(c) : c.charCodeAt(0) - 55;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

function hasIban(text: string): boolean {
  for (let i = 0; i + 4 <= text.length; i++) {
    if ((i > 0 && isWord(text[i - 1])) || !(isUpper(text[i]) && isUpper(text[i + 1]) && isDigit(text[i + 2]) && isDigit(text[i + 3]))) continue;
    let chars = "", j = i, end = i;
    while (j < text.length && chars.length < 34) {
      const c = text[j];
      if (isUpper(c) || isDigit(c)) {
        chars += c;
        end = ++j;
      } else if (c === " " && j + 1 < text.length && isAlnum(text[j + 1]) && chars.length % 4 === 0) {
        j++;
      } else break;
    }
    if (chars.length >= 15 && chars.length <= 34 && (end >= text.length || !isWord(text[end])) && ibanValid(chars)) return true;
  }
  return false;
}

function luhnValid(digits: number[]): boolean {
  let sum = 0;
  [...digits].reverse().forEach((d, i) => {
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return sum % 10 === 0;
}

function frenchNirValid(d: number[]): boolean {
  if (d.length !== 15 || !(d[0] === 1 || d[0] === 2)) return false;
  const number = BigInt(d.slice(0, 13).join(""));
  return 97n - (number % 97n) === BigInt(d[13] * 10 + d[14]);
}

function ssnShape(raw: string): boolean {
  const g = raw.split("-");
  if (g.length !== 3 || g[0].length !== 3 || g[1].length !== 2 || g[2].length !== 4) return false;
  return !(g[0] === "000" || g[0] === "666" || g[0].startsWith("9") || g[1] === "00" || g[2] === "0000");
}

function dateOrVersion(raw: string): boolean {
  const parts = raw.split(/[-./]/);
  const n = parts.map((p) => p.length);
  return (n.length === 3 && ((n[0] === 4 && n[1] <= 2 && n[2] <= 2) || (n[0] <= 2 && n[1] <= 2 && n[2] === 4))) ||
    (raw.includes(".") && !raw.includes(" ") && parts.length <= 4 && parts.every((p) => p.length <= 3));
}

const PHONE_WORDS = ["phone", "tel", "call", "mobile", "cell", "fax", "ring", "whatsapp", "number is"];

function personalNumber(raw: string, digits: number[], seps: string, text: string, start: number): boolean {
  const n = digits.length;
  if (n === 15 && [...seps].every((c) => c === " ") && frenchNirValid(digits)) return true;
  const groups = raw.split(/[ -]/).map((g) => g.length);
  const cardGrouping = groups.length === 1 || groups.every((g) => g === 4) || groups.join() === "4,6,5" || groups.slice(0, -1).every((g) => g === 4);
  if (n >= 13 && n <= 19 && !raw.startsWith("+") && !/[(.]/.test(raw) && cardGrouping && luhnValid(digits)) return true;
  if (ssnShape(raw)) return true;
  if (dateOrVersion(raw)) return false;
  // The 24 bytes (UTF-8) before the number, lowercased in ASCII only, as Chainboard reads them.
  const before = Buffer.from(text.slice(0, start)).subarray(-24).toString("utf8").replace(/[A-Z]/g, (c) => c.toLowerCase());
  const context = PHONE_WORDS.some((w) => before.includes(w));
  const g = raw.split(/[-. ]/);
  const nanp = (raw.startsWith("(") && n === 10) || (g.length === 3 && g[0].length === 3 && g[1].length === 3 && g[2].length === 4);
  const international = raw.startsWith("+") && n >= 8 && n <= 15;
  const national = raw.startsWith("0") && n >= 10 && n <= 11 && seps !== "";
  return international || nanp || national || (context && n >= 7 && n <= 15);
}

// Runs of digits with the separators people type between groups: a card, an ID or a phone.
function hasPersonalNumber(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const starts = isDigit(text[i]) || ("+(".includes(text[i]) && isDigit(text[i + 1] ?? ""));
    if (!starts || (i > 0 && (isWord(text[i - 1]) || "./-".includes(text[i - 1])))) {
      i++;
      continue;
    }
    let j = i, seps = "";
    const digits: number[] = [];
    while (j < text.length) {
      const c = text[j], next = text[j + 1] ?? "";
      if (isDigit(c)) {
        digits.push(Number(c));
        j++;
      } else if ("+(".includes(c) && j === i) {
        j++;
      } else if (" -.)(".includes(c) && next && (isDigit(next) || (next === " " && c === ")"))) {
        seps += c;
        j++;
      } else break;
    }
    const end = j;
    // A number glued to letters (a product code) or a decimal is not personal data.
    const glued = end < text.length && (isWord(text[end]) || (text[end] === "." && isDigit(text[end + 1] ?? "")));
    if (!glued && personalNumber(text.slice(i, end), digits, seps, text, i)) return true;
    i = Math.max(end, i + 1);
  }
  return false;
}

function hasUkNino(text: string): boolean {
  const firstOk = (c: string) => isUpper(c) && !"DFIQUV".includes(c);
  const secondOk = (c: string) => isUpper(c ?? "") && !"DFIQUVO".includes(c);
  for (let i = 0; i + 1 < text.length; i++) {
    if ((i > 0 && isWord(text[i - 1])) || !firstOk(text[i]) || !secondOk(text[i + 1])) continue;
    if (["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].includes(text.slice(i, i + 2))) continue;
    let j = i + 2, digits = 0;
    while (j < text.length && digits < 6) {
      if (isDigit(text[j])) {
        digits++;
        j++;
      } else if (text[j] === " " && digits % 2 === 0) j++;
      else break;
    }
    if (digits !== 6) continue;
    if (text[j] === " ") j++;
    if (j < text.length && "ABCD".includes(text[j]) && (j + 1 >= text.length || !isWord(text[j + 1]))) return true;
  }
  return false;
}

function hasSpanishId(text: string): boolean {
  const letters = "TRWAGMYFPDXBNJZSQVHLCKE";
  for (let i = 0; i < text.length; i++) {
    if (i > 0 && isWord(text[i - 1])) continue;
    const c = text[i];
    let prefix: number, start: number, want: number;
    if ("XYZ".includes(c)) [prefix, start, want] = ["XYZ".indexOf(c), i + 1, 7];
    else if (isDigit(c)) [prefix, start, want] = [0, i, 8];
    else continue;
    const end = start + want;
    if (end >= text.length || ![...text.slice(start, end)].every(isDigit)) continue;
    const letter = text[end];
    if (!isUpper(letter) || (end + 1 < text.length && isWord(text[end + 1]))) continue;
    if (letters[Number(String(prefix) + text.slice(start, end)) % 23] === letter) return true;
  }
  return false;
}

const STREET_WORDS = new Set(["street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr",
  "court", "ct", "way", "place", "pl", "terrace", "close", "crescent", "square", "highway"]);
const GERMAN_STREET_ENDINGS = ["straße", "strasse", "str.", "weg", "gasse", "allee"];
const bytes = (s: string): number => Buffer.byteLength(s);
const startsUpper = (w: string): boolean => /^\p{Lu}/u.test(w);

// "221B Baker Street", "Hauptstraße 5": a house number and capitalised words ending in a
// street word, or a German street name and a number.
function hasAddress(text: string): boolean {
  // Words with their offsets in UTF-8 bytes, as Chainboard measures them.
  const words = [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}.]*/gu)].map((m): [number, string] => {
    const w = m[0];
    return [bytes(text.slice(0, m.index)), w.endsWith(".") && !w.endsWith("str.") && bytes(w) > 3 ? w.replace(/\.+$/, "") : w];
  });
  for (let k = 0; k < words.length; k++) {
    const [start, word] = words[k];
    if (/^[0-9][A-Za-z0-9]{0,4}$/.test(word)) {
      for (let n = 2; n <= 4 && k + n < words.length; n++) {
        const last = words[k + n][1];
        const names = words.slice(k + 1, k + n);
        if (names.every(([, w]) => startsUpper(w)) && startsUpper(last) && STREET_WORDS.has(last.replace(/\.+$/, "").toLowerCase())) return true;
      }
    }
    const lower = word.toLowerCase();
    if (startsUpper(word) && GERMAN_STREET_ENDINGS.some((e) => lower.endsWith(e) && bytes(lower) > bytes(e) + 2) && k + 1 < words.length) {
      const [nStart, n] = words[k + 1];
      if (nStart === start + bytes(word) + 1 && bytes(n) <= 4 && isDigit(n[0])) return true;
    }
  }
  return false;
}

function hasPersonalData(text: string): boolean {
  return [hasEmail, hasIban, hasPersonalNumber, hasUkNino, hasSpanishId, hasAddress].some((check) => check(text));
}

"#;
