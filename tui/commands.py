"""Provides the list of every action a screen offers (from its bindings), for the help screen and palette."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

# Keys shown in a friendlier way than Textual's key names.
KEY_NAMES = {"slash": "/", "question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]",
             "space": "space", "escape": "esc", "enter": "enter"}


@dataclass(frozen=True, slots=True)
class Command:
    keys: str
    action: str
    description: str
    owner: str  # the class that declares the binding
    tooltip: str = ""


def display_keys(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return ", ".join(KEY_NAMES.get(k, k) for k in binding.key.split(","))


def _bindings(node_type: type[DOMNode]) -> Iterator[tuple[str, Binding]]:
    seen: set[str] = set()
    for cls in node_type.__mro__:
        declared: list[BindingType] = cls.__dict__.get("BINDINGS", [])
        for binding in Binding.make_bindings(declared):
            if binding.action in seen or binding.system:
                continue
            seen.add(binding.action)
            yield cls.__name__, binding


def commands_of(node: DOMNode, *, collapse_quick_tags: bool = True) -> list[Command]:
    """The node's own bindings (not inherited from Textual's widgets), as commands with descriptions."""
    out: list[Command] = []
    for owner, binding in _bindings(type(node)):
        if not binding.description or owner in ("Screen", "ModalScreen", "App"):
            continue
        out.append(Command(display_keys(binding), binding.action, binding.description, owner, binding.tooltip))
    # quick tags 1-9 are one line in help
    quick = [c for c in out if c.action.startswith("quick_tag(")]
    if collapse_quick_tags and len(quick) > 1:
        first = out.index(quick[0])
        out = [c for c in out if c not in quick]
        out.insert(first, Command("1-9", "quick_tag(1)", "Toggle the case's first nine tags on the message",
                                  quick[0].owner))
    return out
