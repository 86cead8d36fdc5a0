"""The folded form in which search compares names, emails and phone numbers.

Search is case- and accent-insensitive and treats apostrophes alike (issue 4 §3): ``O'Brien``,
``O’Brien`` and ``OBrien`` fold to ``obrien``, ``José`` to ``jose``, ``Łukasz`` to ``lukasz``.
Both databases compare the folded forms byte for byte, so they give the same answers: the
folding happens here, in Python, once when a candidate is written (``search.models``) and once
per query, never in SQL.

Folding: NFKD (compatibility forms such as fullwidth letters become plain ones, accents split
off), combining marks dropped, case folded, then the letters that do not decompose under NFKD
mapped explicitly (``ł`` ``ø`` ``đ`` ``æ`` ``œ`` ``ı`` ...), apostrophes removed, other dashes
written ``-``, control characters and runs of white space written as one space.

The folded forms are stored (``candidate_search``): a change to the folding needs a migration
that refills that table, as migration 0013 filled it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import phonenumbers

# letters with no NFKD decomposition, by their case-folded form
_LETTER_FOLDS = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "ı": "i",
    "ŀ": "l",
    "ŧ": "t",
    "ĸ": "k",
    "ŋ": "n",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ß": "ss",
    "ſ": "s",
    "ƒ": "f",
    "ɨ": "i",
    "ʉ": "u",
}
APOSTROPHES = "'’‘ʼʹʻʽ`´′"
_DASHES = "‐‑‒–—―−"
_TRANSLATION = str.maketrans(
    {
        **_LETTER_FOLDS,
        **dict.fromkeys(APOSTROPHES, ""),
        **dict.fromkeys(_DASHES, "-"),
    }
)
_SPACE = re.compile(r"\s+")
# punctuation around a query word that is never part of what it looks for ("Smith, John")
_EDGE_PUNCTUATION = ',;:!?"()[]{}<>*'
# a query word made only of a phone number's characters, with at least one digit
_PHONE_WORD = re.compile(r"[+(]*[0-9][0-9()./+-]*")
_NON_DIGIT = re.compile(r"[^0-9]")


def fold(text: str) -> str:
    """``text`` folded (module docstring): lowercase, accents and apostrophes removed, white
    space and control characters collapsed to single spaces, trimmed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = bare.casefold().translate(_TRANSLATION)
    # a letter mapped above may itself carry a mark in its NFKD form (none does today);
    # control characters (a separator among them) become spaces
    cleaned = "".join(" " if unicodedata.category(char) == "Cc" else char for char in folded)
    return _SPACE.sub(" ", cleaned).strip()


def digits(text: str) -> str:
    """The digits of ``text``, in order."""
    return _NON_DIGIT.sub("", text)


def is_phone_word(word: str) -> bool:
    """Whether a query word is (part of) a phone number: digits and ``+ ( ) . / -`` only."""
    return _PHONE_WORD.fullmatch(word) is not None


def query_terms(query: str) -> list[str]:
    """The words a free-text query looks for, each to be found in a candidate's folded text:
    ``query`` folded, split on white space, punctuation around words dropped, and consecutive
    phone-number words joined into their digits (``+44 20 7946 0958`` -> ``442079460958``).
    Repeated words count once. Empty when the query holds nothing to look for."""
    terms: list[str] = []
    phone: list[str] = []

    def end_phone() -> None:
        if phone:
            terms.append("".join(phone))
            phone.clear()

    for raw in fold(query).split(" "):
        word = raw.strip(_EDGE_PUNCTUATION)
        if not word:
            continue
        if is_phone_word(word):
            phone.append(digits(word))
            continue
        end_phone()
        terms.append(word)
    end_phone()
    return list(dict.fromkeys(terms))


def phone_forms(item: dict[str, Any]) -> list[str]:
    """The digit strings a stored phone item is found by: its E.164 digits (``442079460958``),
    its national form with trunk prefix (``02079460958``) and the digits as typed."""
    forms = [digits(str(item.get("phoneNumber") or ""))]
    e164 = item.get("e164")
    if isinstance(e164, str) and e164.startswith("+"):
        forms.append(digits(e164))
        try:
            parsed = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is not None:
            national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
            forms.append(digits(national))
    return [form for form in dict.fromkeys(forms) if form]


def joined(words: Iterable[str], separator: str) -> str:
    """``words`` (empty ones skipped) between and around ``separator``: ``|a|b|``, so that a
    whole word is found by ``%|word|%``; empty when there are none."""
    kept = [word for word in words if word]
    return separator + separator.join(kept) + separator if kept else ""
