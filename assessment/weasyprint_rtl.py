"""Right-to-left lines laid out once, not twice, in WeasyPrint 70.

`weasyprint.layout.inline.get_next_linebox` lays a line out, then lays it out again if
the line grew taller and might now meet a float. It decides by comparing where the line
starts before and after. For a right-to-left block it compares the right edges as
"start + width", but the width it started from is the line box's width before the line
was laid out: 0 when there are no floats. The test therefore always fails the first
time, and every right-to-left line is laid out twice. For a Persian report that is
about a third of the whole rendering time.

For line boxes, `avoid_collisions` already returns the right bound in a right-to-left
block (the cursor the line starts from), so the left-to-right test, "same start, same
top", is the right one in both directions. `apply()` makes that one change by compiling
WeasyPrint's own function again with the right-to-left branch of the test removed. It
checks the version and the exact text first, and leaves WeasyPrint alone when either is
different. The PDF is the same either way: `tests/test_report.py` renders with and
without the change and compares the pages.
"""

from __future__ import annotations

import inspect
import logging
import threading

log = logging.getLogger(__name__)

#: The test as WeasyPrint 70.0 writes it, and what it becomes.
RTL_TEST = """\
        if containing_block.style['direction'] == 'ltr':
            condition = (position_x, position_y) == (
                original_position_x, original_position_y)
        else:
            condition = (position_x + line.width, position_y) == (
                original_position_x + original_width, original_position_y)
"""
SAME_START_TEST = """\
        condition = (position_x, position_y) == (
            original_position_x, original_position_y)
"""
_lock = threading.Lock()
_state: dict[str, object] = {}


def apply() -> bool:
    """Install the fix once per process; True if it is in place."""
    with _lock:
        if "applied" in _state:
            return bool(_state["applied"])
        _state["applied"] = _install()
        return bool(_state["applied"])


def _install() -> bool:
    import weasyprint
    from weasyprint.layout import inline

    if weasyprint.__version__ != "70.0":
        log.info("WeasyPrint %s: right-to-left line fix not applied", weasyprint.__version__)
        return False
    original = inline.get_next_linebox
    lines, first_line = inspect.getsourcelines(original)
    source = "".join(lines)
    if source.count(RTL_TEST) != 1:
        log.warning("WeasyPrint's get_next_linebox is not as expected; fix not applied")
        return False
    # Blank lines in front keep the line numbers of tracebacks pointing into WeasyPrint.
    fixed = "\n" * (first_line - 1) + source.replace(RTL_TEST, SAME_START_TEST)
    _state["original"] = original
    # Defined in the module's own namespace, it replaces the function there.
    exec(compile(fixed, inspect.getfile(original), "exec"), vars(inline))  # noqa: S102
    return True


def remove() -> None:
    """Put WeasyPrint's own function back (for tests comparing both)."""
    from weasyprint.layout import inline

    with _lock:
        if _state.get("applied") and "original" in _state:
            inline.get_next_linebox = _state["original"]
        _state.clear()
