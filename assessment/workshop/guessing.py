"""One budget of wrong workshop codes per address, shared by the web pages and the API.

Every route that takes a workshop's code or a participant's token from a stranger (the
API's join, the web's code form, join page and resume link) carries `limited()`: the same
Flask-Limiter scope and key (the client's address), so 300 wrong codes a minute are 300
in total whichever routes they come through. Flask-Limiter only checks the budget before
the view; the view calls `missed()` when the code or token named nothing it could open,
which counts it there and then (one atomic increment, so requests racing each other
cannot get past the budget) and refuses it when it is one too many. Right codes never
count. Once an address is over its budget every such request is refused for the rest of
the window, right codes too: were right codes let through, the refusal itself would tell
a guesser which codes exist.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from flask import Response, current_app
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from werkzeug.exceptions import HTTPException, TooManyRequests

from ..config import rate_limit
from ..extensions import limiter

#: the Flask-Limiter scope of the budget, the same on every route that shares it
SCOPE = "workshop-code-miss"


class TooManyWrongCodes(TooManyRequests):
    """This wrong code was one too many for the address's budget."""


def _only_checked(_response: Response) -> bool:
    return False  # `missed` counts, as the view decides


def limited(**options: Any) -> Any:
    """The shared limit, as a decorator of a view (`options` as Flask-Limiter takes them)."""
    return limiter.shared_limit(rate_limit("API_RATELIMIT_JOIN_MISS"), scope=SCOPE,
                                key_func=get_remote_address, deduct_when=_only_checked,
                                **options)


@functools.lru_cache(maxsize=16)
def _item(text: str) -> RateLimitItem:
    return parse(text)


def _window() -> tuple[RateLimitItem, str]:
    return _item(str(current_app.config["API_RATELIMIT_JOIN_MISS"])), get_remote_address()


def missed() -> None:
    """Count this request's wrong code; raise TooManyWrongCodes past the budget."""
    if not limiter.enabled:
        return
    item, address = _window()
    if not limiter.limiter.hit(item, address, SCOPE):
        raise TooManyWrongCodes()


def breached(error: HTTPException) -> bool:
    """Whether a 429 is for too many wrong codes (not another of a route's limits)."""
    if isinstance(error, RateLimitExceeded):
        return error.limit.scope == SCOPE
    return isinstance(error, TooManyWrongCodes)


def wait_seconds() -> int:
    """Seconds until the address's budget starts again, at least 1."""
    item, address = _window()
    reset = limiter.limiter.get_window_stats(item, address, SCOPE).reset_time
    return max(1, int(reset + 1 - time.time()))  # counted as Flask-Limiter's Retry-After
