"""What a workspace or a client gives the reports to look like theirs: a brand colour and
logos. Each is checked here and nowhere else, when it is saved and again when it is printed.

A brand colour is written `#rrggbb` (or the short `#rgb`, taken as `#rrggbb`) and kept
lower-case; it reaches the print CSS only through `print_colour`, so nothing but a checked
colour is ever written into a style sheet. A logo is a PNG or JPEG image of at most
LOGO_MAX_BYTES, recognised by its first bytes (not by its name or the type the browser
sends).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from .errors import FieldError

#: the colour of reports whose workspace has none (or an unusable one)
DEFAULT_BRAND = "#1f6f8b"
#: text on the brand colour: whichever of these two reads better on it
DARK_TEXT = "#1d2733"
LIGHT_TEXT = "#ffffff"
_COLOUR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

LOGO_MAX_BYTES = 512 * 1024
_LOGO_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def normal_colour(text: str | None) -> str | None:
    """`text` as a lower-case `#rrggbb` colour, or None when it is not one."""
    found = _COLOUR.fullmatch((text or "").strip())
    if found is None:
        return None
    digits = found.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def check_colour(text: str | None, field: str = "brand_colour") -> str:
    """The colour to store (lower-case `#rrggbb`); FieldError on `field` otherwise."""
    colour = normal_colour(text)
    if colour is None:
        raise FieldError(field, _l("Write the colour as # followed by six hexadecimal "
                                   "digits, as in the example under the field."))
    return colour


def print_colour(stored: str | None) -> str:
    """The colour a report prints for a stored value: the value checked again, ours when
    it is not a colour (a row written before the check, or by hand)."""
    return normal_colour(stored) or DEFAULT_BRAND


def _luminance(colour: str) -> float:
    """The relative luminance of a `#rrggbb` colour (WCAG 2)."""
    def channel(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.04045 else ((share + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two `#rrggbb` colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(colour: str) -> str:
    """The text colour, dark or white, that reads better on `colour` (checked `#rrggbb`)."""
    return max((LIGHT_TEXT, DARK_TEXT), key=lambda text: contrast(text, colour))


def logo_type(data: bytes, field: str = "logo") -> str:
    """The MIME type of an uploaded logo; FieldError on `field` when it is too large or
    not a PNG or JPEG image."""
    if len(data) > LOGO_MAX_BYTES:
        raise FieldError(field, _l("The logo is larger than %(n)s KiB.",
                                   n=LOGO_MAX_BYTES // 1024))
    for signature, mime in _LOGO_SIGNATURES.items():
        if data.startswith(signature):
            return mime
    raise FieldError(field, _l("The logo must be a PNG or JPEG image."))


def read_upload(upload: Any) -> bytes | None:
    """The bytes of a file field's upload (one byte past the limit at most, so a larger
    file is refused without reading it all); None when no file was chosen."""
    if upload and getattr(upload, "filename", ""):
        try:
            data: bytes = upload.read(LOGO_MAX_BYTES + 1)
        finally:
            upload.close()
        return data
    return None
