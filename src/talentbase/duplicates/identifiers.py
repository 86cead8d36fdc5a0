"""Contact identifiers and their normalised form, which duplicate detection compares (issue 4 §5).

A candidate's identifiers are its email addresses, phone numbers and the social media URLs of the
four kinds that name one person: LinkedIn, Instagram, Facebook and X (``socialMedia`` types
``LINKEDIN``, ``INSTAGRAM``, ``FACEBOOK``, ``TWITTER``). GitHub, website and other URLs are not
identifiers: a company website or a shared page is not a person. Two identifiers are the same
when their normalised forms are:

- email: the address case-folded (``Jane.Doe@Example.COM`` = ``jane.doe@example.com``);
- phone: the E.164 form kept with the number (``+44 20 7946 0958`` = ``+442079460958``);
- social URL: host and path, case-folded and percent-decoded, without scheme, ``www.`` (or
  ``m.`` / ``mobile.``), port, trailing slash, query string and fragment; LinkedIn's country
  hosts (``de.linkedin.com``) are ``linkedin.com`` and a locale segment after the profile
  (``/in/jdoe/de``) is dropped; ``twitter.com`` is ``x.com``; a Facebook ``profile.php`` keeps
  its ``id`` parameter, the profile's only name. So
  ``https://www.linkedin.com/in/jdoe/?locale=de_DE`` = ``linkedin.com/in/jdoe``.

A normalised form longer than ``MAX_VALUE_BYTES`` (UTF-8) is replaced by its SHA-256 digest, so
every value fits a B-tree index entry.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

EMAIL: Final = "email"
PHONE: Final = "phone"
LINKEDIN: Final = "linkedin"
INSTAGRAM: Final = "instagram"
FACEBOOK: Final = "facebook"
X: Final = "x"
# the contactType values of POST /candidates/{id}/contact-identifiers, which are also the kinds
CONTACT_TYPES: Final = (EMAIL, PHONE, LINKEDIN, INSTAGRAM, FACEBOOK, X)
# socialMedia[].type of each social contact type, and back
SOCIAL_TYPES: Final = {
    LINKEDIN: "LINKEDIN",
    INSTAGRAM: "INSTAGRAM",
    FACEBOOK: "FACEBOOK",
    X: "TWITTER",
}
KIND_OF_SOCIAL_TYPE: Final = {social: kind for kind, social in SOCIAL_TYPES.items()}

MAX_VALUE_BYTES: Final = 500

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_MOBILE_PREFIXES = ("www.", "m.", "mobile.")
_HOST_ALIASES = {"twitter.com": "x.com"}
# a locale after a LinkedIn profile: de, pt-br, fr_FR (case-folded by then)
_LOCALE = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2})?$")


@dataclass(frozen=True)
class Identifier:
    """One identifier of a candidate: its ``kind`` (a contact type), its normalised ``value``,
    the item as stored (``shown``) and the path of that item in a candidate body
    (``emails.0.email``)."""

    kind: str
    value: str
    shown: str
    path: str


def _bounded(value: str) -> str:
    if len(value.encode("utf-8")) <= MAX_VALUE_BYTES:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def email_key(email: str) -> str:
    """The normalised form of an email address: case-folded."""
    return _bounded(email.casefold())


def url_key(url: str) -> str:
    """The normalised form of a social media URL (module docstring); a URL without a scheme
    (``linkedin.com/in/jdoe``) is read as one with it."""
    text = url.strip()
    parts = urlsplit(text if _SCHEME.match(text) else "//" + text)
    try:
        host = (parts.hostname or "").casefold().rstrip(".")
    except ValueError:
        host = ""
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix):
            host = host.removeprefix(prefix)
            break
    if host.endswith(".linkedin.com"):
        host = "linkedin.com"
    host = _HOST_ALIASES.get(host, host)
    segments = [segment for segment in unquote(parts.path).casefold().split("/") if segment]
    if (
        host == "linkedin.com"
        and len(segments) == 3
        and segments[0] == "in"
        and _LOCALE.match(segments[2])
    ):
        segments.pop()
    key = "/".join([host, *segments])
    if host == "facebook.com" and segments == ["profile.php"]:
        profile = dict(parse_qsl(parts.query)).get("id", "")
        key += f"?id={profile.casefold()}"
    return _bounded(key)


def phone_key(item: dict[str, Any]) -> str | None:
    """The normalised form of a stored phone item: its E.164 form, None when it has none."""
    e164 = item.get("e164")
    return e164 if isinstance(e164, str) and e164.startswith("+") else None


def item_identifier(field: str, item: dict[str, Any], index: int) -> Identifier | None:
    """The identifier of one stored item of the list ``field`` (``emails``, ``phoneNumbers``,
    ``socialMedia``) at ``index``; None for an item that is no identifier (a GitHub URL)."""
    if field == "emails":
        return Identifier(EMAIL, email_key(item["email"]), item["email"], f"emails.{index}.email")
    if field == "phoneNumbers":
        key = phone_key(item)
        if key is None:
            return None
        return Identifier(PHONE, key, item["phoneNumber"], f"phoneNumbers.{index}.phoneNumber")
    kind = KIND_OF_SOCIAL_TYPE.get(item.get("type", ""))
    if kind is None:
        return None
    return Identifier(kind, url_key(item["url"]), item["url"], f"socialMedia.{index}.url")


def of_lists(
    emails: Iterable[dict[str, Any]],
    phone_numbers: Iterable[dict[str, Any]],
    social_media: Iterable[dict[str, Any]],
) -> list[Identifier]:
    """The identifiers of a candidate's stored lists, in list order, each ``(kind, value)``
    once (the first item holding it)."""
    unique: dict[tuple[str, str], Identifier] = {}
    for field, items in (
        ("emails", emails),
        ("phoneNumbers", phone_numbers),
        ("socialMedia", social_media),
    ):
        for index, item in enumerate(items):
            identifier = item_identifier(field, item, index)
            if identifier is not None:
                unique.setdefault((identifier.kind, identifier.value), identifier)
    return list(unique.values())
