"""Find personal data in review text: e-mails, phones, URLs, street addresses, cards, names.

Pattern-based and offline (phonenumbers for phone validation, Faker's name lists for names), so
the critic's ``pii.v1`` rule and ``reviewgen scrub`` share one detector. Tuned against
``tests/data/pii_cases.jsonl`` to leave phone talk alone: model numbers (SM-S911U, A2849),
prices, storage sizes, dates, versions, ratings and IMEIs are not personal data here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from reviewgen.core.errors import ReviewgenError

KINDS = ("email", "phone", "url", "address", "card", "person")


@dataclass(frozen=True)
class PiiSpan:
    kind: str
    start: int
    end: int
    text: str


# --- e-mail -----------------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b"
)
# "jane dot doe at gmail dot com", "jane[at]gmail[dot]com"
_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+)"
_OBFUSCATED_EMAIL_RE = re.compile(
    rf"\b[A-Za-z0-9][A-Za-z0-9._-]*(?:{_DOT}[A-Za-z0-9_-]+)*{_AT}"
    rf"[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*{_DOT}(?:com|net|org|edu|io|co|uk|de|fr|in|me)\b",
    re.IGNORECASE,
)

# --- URL --------------------------------------------------------------------------------------

_TLDS = (
    "com|net|org|edu|gov|io|co|uk|de|fr|es|it|nl|in|au|ca|us|me|ly|app|dev|shop|store|info|biz"
    "|xyz|site|online|tech|ai|gg|tv|to|be|ch|se|no|jp|cn|ru|br|mx|ie|nz|pl|at|fm|is|so"
)
# TLDs that are also English words: "it broke.No refund" is a typo, not a link. Bare domains
# ending in one count only with a path (paypal.me/name).
_WORD_TLDS = frozenset({"at", "be", "co", "in", "is", "it", "me", "no", "so", "to", "us"})
_URL_RE = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'()\[\]{}]+"
    rf"|(?<![\w@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?P<tld>{_TLDS})\b"
    r"(?P<path>/[^\s<>\"'()\[\]{}]*)?",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?"

# --- card -------------------------------------------------------------------------------------

# How cards are written: 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4, or one run of 13-19 digits.
_CARD_RE = re.compile(
    r"(?<![\w.+/-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5}"
    r"|\d{13,19})(?![\w.-]?\d)"
)
_IMEI_CONTEXT_RE = re.compile(r"\b(?:imei|serial|s/n|meid|iccid|tracking|order)\b", re.IGNORECASE)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _scan(
    pattern: re.Pattern[str], text: str, accept: Callable[[re.Match[str]], int]
) -> list[tuple[int, int]]:
    """Spans where ``accept`` takes a leading part of a match (its length, or 0 to reject).

    Scanning resumes right after an accepted part, or one character into a rejected match, so
    "4111 1111 1111 1111 12" still yields the card and "12 4111 1111 1111 1111" too.
    """
    spans = []
    position = 0
    while match := pattern.search(text, position):
        length = accept(match)
        if length:
            spans.append((match.start(), match.start() + length))
            position = match.start() + length
        else:
            position = match.start() + 1
    return spans


def _card_prefix(candidate: str) -> int:
    """Length of the longest run of leading digit groups with 13-19 digits passing Luhn."""
    for group in reversed(list(re.finditer(r"\d+", candidate))):
        digits = re.sub(r"\D", "", candidate[: group.end()])
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return group.end()
    return 0


# --- phone ------------------------------------------------------------------------------------

_PHONE_REGIONS = ("US", "GB", "IN", "AU", "FR")
_CUE_WINDOW = 40  # characters before a number or name searched for a cue word
_PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+\]")


def _window(text: str, start: int, size: int = _CUE_WINDOW) -> str:
    """The text just before ``start``, placeholders removed ("[PHONE]" is no cue word)."""
    return _PLACEHOLDER_RE.sub(" ", text[max(0, start - size) : start])


_PHONE_CUE_RE = re.compile(
    r"\b(?:call(?:ed)?|text|phone|ph|tel|mobile|cell|number|no\.|whatsapp|reach|contact|dial"
    r"|ring|sms|fax|hotline)\b[^.!?\n]{0,25}$",
    re.IGNORECASE,
)
# digit groups with separators, e.g. 555-0134, 01632 960123, (0)20 7946 0958; needs a cue word
_LOOSE_PHONE_RE = re.compile(
    r"(?<![\w.$/#*-])\+?\(?\d{1,5}\)?(?:[ .-]?\(?\d{2,6}\)?){1,4}(?![\w.]?\d)"
    r"(?!\s?(?:%|(?:gb|tb|mb|mah|hz|mp|w|g|mm|k|fps|mbps|px|pixels|inch(?:es)?|hrs?|hours?"
    r"|min(?:ute)?s?|secs?|seconds?|days?|weeks?|months?|years?|dollars|usd|bucks)\b))",
    re.IGNORECASE,
)


_DIGIT_GROUP_RE = re.compile(r"\+?\(?\d+\)?")


def _valid_phone_prefix(candidate: str) -> int:
    """Length of the longest run of leading digit groups that is a valid number, else 0.

    phonenumbers' matcher gives up on "(415) 555-2671 12 Oak St" (it tries the trailing 12 too),
    so loose candidates are re-checked group by group.
    """
    ends = [m.end() for m in _DIGIT_GROUP_RE.finditer(candidate)]
    for end in reversed(ends[1:]):
        for region in _PHONE_REGIONS:
            try:
                number = phonenumbers.parse(candidate[:end], region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return end
    return 0


# Digits joined by up to 4 separators: a superset of what phonenumbers' matcher and the loose
# pattern take as one candidate (their separators are non-word characters plus "x" and "ー").
_DIGIT_CLUSTER_RE = re.compile(r"\d(?:(?:[\W_xXー]){0,4}\d)*")
# The fewest digits a valid number can have here: AU's 5 national digits (a "+" number needs
# at least 6: country code and 4 digits).
_MIN_PHONE_DIGITS = 5


def _digit_count(text: str) -> int:
    """``str.isdigit`` characters in ``text`` (ASCII text: ten C-level counts)."""
    if text.isascii():
        return sum(map(text.count, "0123456789"))
    return sum(c.isdigit() for c in text)


def _may_hold_phone(text: str) -> bool:
    """Cheap necessary condition for a phone span; skips the slow matcher for ordinary text.

    No phone number is shorter than 7 digits in all, and none fits in a cluster of digits
    with fewer than ``_MIN_PHONE_DIGITS`` (prices, storage sizes, model numbers).
    """
    if _digit_count(text) < 7:
        return False
    return any(
        _digit_count(m.group()) >= _MIN_PHONE_DIGITS for m in _DIGIT_CLUSTER_RE.finditer(text)
    )


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if not _may_hold_phone(text):
        return spans
    for region in _PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            spans.append((match.start, match.end))

    def loose(match: re.Match[str]) -> int:
        digits = sum(c.isdigit() for c in match.group())
        if 7 <= digits <= 15 and _PHONE_CUE_RE.search(_window(text, match.start())):
            return len(match.group())
        return _valid_phone_prefix(match.group())

    return spans + _scan(_LOOSE_PHONE_RE, text, loose)


# --- street address ---------------------------------------------------------------------------

_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Close|Crescent|Cres|Row"
    r"|Gardens|Grove|Mews|Trail|Trl|Loop|Alley|Plaza|Path|Walk|Pike|Crossing"
)
_ADDRESS_RE = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?\s+)?"
    r"(?:[A-Z][a-z]+\.?\s+|\d{1,3}(?:st|nd|rd|th)\s+){1,4}"
    rf"(?:{_STREET_TYPES})\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?\s*#?\w{1,6})?"
    r"(?:,\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})?"
    r"(?:,?\s+(?:[A-Z]{2}\s+\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}))?"
)
_PO_BOX_RE = re.compile(r"\bP\.?\s?O\.?\s+Box\s+\d{1,6}\b", re.IGNORECASE)

# --- person -----------------------------------------------------------------------------------

_TITLE_RE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\b")
_NAME_TOKEN = r"[A-ZÀ-Þ][a-zß-ÿ]+(?:[-'][A-ZÀ-Þ][a-zß-ÿ]+)?"
_CAP_WORD_RE = re.compile(rf"\b{_NAME_TOKEN}\b")
_NAME_CUE_RE = re.compile(
    r"\b(?:name\s+is|named|called|i['’]m|i\s+am|this\s+is|ask(?:\s+for)?|thanks?(?:\s+to)?|signed,?"
    r"|wife|husband|son|daughter|brother|sister|mom|mum|dad|friend|boss|colleague|co-?worker"
    r"|rep|agent|technician|tech|salesman|saleswoman|cousin|girlfriend|boyfriend|partner"
    r"|grandma|grandpa|grandmother|grandfather|grandson|granddaughter|niece|nephew|aunt|uncle"
    r"|neighbou?r|roommate|fianc[eé]e?|kid|teacher|manager|clerk|cashier|associate)\s*,?\s*$",
    re.IGNORECASE,
)
# Name lists of these Faker locales; Latin-script names only.
_NAME_LOCALES = (
    "en_US",
    "en_GB",
    "en_IE",
    "en_IN",
    "en_NZ",
    "es_ES",
    "es_MX",
    "fr_FR",
    "de_DE",
    "it_IT",
    "pt_BR",
    "nl_NL",
    "pl_PL",
    "vi_VN",
)
# Names in those lists that reviews mostly use as words, brands, products or dates.
_NOT_NAMES_TEXT = """
    Max Mark Grace Joy Faith Summer Rose April May June Page Best Case Price Long Young King
    Hill Wood Black White Green Brown Gray Grey Chase Frank Guy Bill Will Hope Jack Alexa Apple
    Pixel Galaxy Note Pro Ultra Plus Mini Lite Edge Fold Flip Moto Honor Nothing Nova Redmi Poco
    Power Star Sky Sterling Crystal Ruby Amber Jade Pearl Ray Lane Drew Bell Cash Miles Good Great
    Bad Love Major Christian Justice Destiny Heather Holly Ivy Iris Autumn Dawn Gene Genie Sharp
    Nokia Sony Samsung Google Huawei Xiaomi Oppo Vivo Realme Asus Motorola Lenovo Oneplus Iphone
    Android Street Avenue Road Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
    February March July August September October November December Christmas Easter Amazon
    Verizon Sprint Mint Visible Walmart Target Costco Victoria Mobile Music Glass Face Gold Silver
    Sierra Midnight Phantom Pacific Titanium Natural Space
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())


@lru_cache(maxsize=1)
def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """First and last names from Faker's locale data (shipped with the package, no download)."""
    import importlib

    token = re.compile(_NAME_TOKEN)
    first: set[str] = set()
    last: set[str] = set()
    for locale in _NAME_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            raise ReviewgenError(
                "finding person names needs the Faker package's name lists: pip install faker"
            ) from None
        for attribute, target in (
            ("first_names", first),
            ("first_names_male", first),
            ("first_names_female", first),
            ("last_names", last),
        ):
            target.update(n for n in getattr(provider, attribute, ()) if token.fullmatch(n))
    return frozenset(first), frozenset(last)


_FUNCTION_WORDS = """
    a about after all also am an and any are as at be because been but by can could did do does
    else even ever for from had has have he her here him his how if in into is it its just may
    me might more most much must my no nor not now of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those
    though through to too under until up upon very was we were what when where which while who
    whom why will with would yet you your
"""


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Everyday English words (function words, VADER's lexicon): such a name needs a surname."""
    from reviewgen.text.sentiment import _analyzer

    return frozenset(_FUNCTION_WORDS.split()) | frozenset(_analyzer().lexicon)


def _name_cued(text: str, start: int) -> bool:
    """Whether a cue word ("my wife", "thanks to") ends right before ``start``.

    Every cue ends in a letter, so a word after "." or a digit skips the regex.
    """
    window = _window(text, start)
    tail = window.rstrip()
    while tail.endswith(","):
        tail = tail[:-1].rstrip()
    return bool(tail) and tail[-1].isalpha() and bool(_NAME_CUE_RE.search(window))


def _person_spans(text: str) -> list[tuple[int, int]]:
    first_names, last_names = _name_lists()
    common = _common_words()

    def ambiguous(token: str) -> bool:
        return token in _NOT_NAMES or token.lower() in common

    spans = [(m.start(), m.end()) for m in _TITLE_RE.finditer(text)]
    words = list(_CAP_WORD_RE.finditer(text))
    for index, word in enumerate(words):
        token = word.group()
        cued = _name_cued(text, word.start())
        if token not in first_names and not cued:
            continue
        following = words[index + 1] if index + 1 < len(words) else None
        if following is not None and text[word.end() : following.start()] == " ":
            surname = following.group()
            if token in first_names:
                known = surname in last_names and not (ambiguous(token) and ambiguous(surname))
                paired = known or (cued and not ambiguous(surname))
            else:  # a first name we do not know, after a cue, before a known surname
                paired = surname in last_names and not ambiguous(token)
            if paired:
                spans.append((word.start(), following.end()))
                continue
        if cued and token in first_names and not ambiguous(token):
            spans.append((word.start(), word.end()))
    return spans


# --- assembly ---------------------------------------------------------------------------------

_PRIORITY = {"email": 0, "url": 1, "card": 2, "phone": 3, "address": 4, "person": 5}


# Cheap necessary conditions (a literal each pattern needs), so ordinary review text skips
# the slow scans: "@" for e-mails, "dot" for spelled-out ones, these for URLs.
_URL_HINT_RE = re.compile(r"://|\.\w|www\.", re.IGNORECASE)
_CARD_MIN_DIGITS = 13


def _candidates(text: str, people: bool) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    if "@" in text:
        for match in _EMAIL_RE.finditer(text):
            found.append(("email", match.start(), match.end()))
    if "dot" in text.lower():
        for match in _OBFUSCATED_EMAIL_RE.finditer(text):
            # not "it at x dot com"
            if match.group().split()[0].lower() not in _FUNCTION_WORDS.split():
                found.append(("email", match.start(), match.end()))
    urls = _URL_RE.finditer(text) if _URL_HINT_RE.search(text) else ()
    for match in urls:
        tld = match.group("tld")
        if tld and tld.lower() in _WORD_TLDS and not match.group("path"):
            continue
        end = match.end()
        while end > match.start() and text[end - 1] in _URL_TRAILING:
            end -= 1
        found.append(("url", match.start(), end))

    def card(match: re.Match[str]) -> int:
        if _IMEI_CONTEXT_RE.search(_window(text, match.start(), 30)):
            return 0
        return _card_prefix(match.group())

    if _digit_count(text) >= _CARD_MIN_DIGITS:
        found.extend(("card", start, end) for start, end in _scan(_CARD_RE, text, card))
    found.extend(("phone", start, end) for start, end in _phone_spans(text))
    for pattern in (_ADDRESS_RE, _PO_BOX_RE):
        found.extend(("address", m.start(), m.end()) for m in pattern.finditer(text))
    if people:
        found.extend(("person", start, end) for start, end in _person_spans(text))
    return found


def find_pii(text: str, *, people: bool = True) -> list[PiiSpan]:
    """Non-overlapping spans in text order; on overlap the more specific kind wins.

    ``people=False`` skips the name scan, the costliest: person spans rank last, so leaving
    them out changes no other span.
    """
    chosen: list[tuple[str, int, int]] = []
    candidates = _candidates(text, people)
    ranked = sorted(candidates, key=lambda c: (_PRIORITY[c[0]], -(c[2] - c[1]), c[1]))
    for kind, start, end in ranked:
        if start < end and all(end <= s or start >= e for _, s, e in chosen):
            chosen.append((kind, start, end))
    chosen.sort(key=lambda c: c[1])
    return [PiiSpan(kind, start, end, text[start:end]) for kind, start, end in chosen]
