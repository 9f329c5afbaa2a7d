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
top", is the right one in both directions. `apply()` makes that one change: it parses
WeasyPrint's own function, keeps the left-to-right branch of the `if` on the containing
block's direction that sets `condition`, and compiles it again in WeasyPrint's module.
It checks the version and that exactly one such `if` is there first, and otherwise
leaves WeasyPrint alone. The PDF is the same either way: `tests/test_report.py` lays a
report out with and without the change and compares every box.
"""

from __future__ import annotations

import ast
import inspect
import logging
import textwrap
import threading

log = logging.getLogger(__name__)

DIRECTION_TEST = "containing_block.style['direction'] == 'ltr'"
_lock = threading.Lock()
_state: dict[str, object] = {}


def apply() -> bool:
    """Install the fix once per process; True if it is in place."""
    with _lock:
        if "applied" in _state:
            return bool(_state["applied"])
        _state["applied"] = _install()
        return bool(_state["applied"])


class _LeftToRightTest(ast.NodeTransformer):
    """Replace `if <direction is ltr>: condition = A else: condition = B` by its first branch."""

    def __init__(self) -> None:
        self.replaced = 0

    def visit_If(self, node: ast.If) -> ast.AST | list[ast.stmt]:
        self.generic_visit(node)
        if ast.unparse(node.test) == DIRECTION_TEST and _sets_condition(node.body) \
                and _sets_condition(node.orelse):
            self.replaced += 1
            return node.body
        return node


def _sets_condition(statements: list[ast.stmt]) -> bool:
    return len(statements) == 1 and isinstance(statements[0], ast.Assign) and [
        ast.unparse(target) for target in statements[0].targets] == ["condition"]


def _install() -> bool:
    import weasyprint
    from weasyprint.layout import inline

    if weasyprint.__version__ != "70.0":
        log.info("WeasyPrint %s: right-to-left line fix not applied", weasyprint.__version__)
        return False
    original = inline.get_next_linebox
    lines, first_line = inspect.getsourcelines(original)
    tree = ast.parse(textwrap.dedent("".join(lines)))
    change = _LeftToRightTest()
    tree = change.visit(tree)
    if change.replaced != 1:
        log.warning("WeasyPrint's get_next_linebox is not as expected; fix not applied")
        return False
    # Tracebacks keep pointing at WeasyPrint's own lines.
    ast.increment_lineno(tree, first_line - 1)
    _state["original"] = original
    # Compiled in the module's own namespace, the function replaces WeasyPrint's there.
    exec(compile(tree, inspect.getfile(original), "exec"), vars(inline))  # noqa: S102 # nosec B102
    return True


def remove() -> None:
    """Put WeasyPrint's own function back (for tests comparing both)."""
    from weasyprint.layout import inline

    with _lock:
        if _state.get("applied") and "original" in _state:
            inline.get_next_linebox = _state["original"]
        _state.clear()
