"""Provides FacetTree: counts of sender domains, senders, tags and months; choosing one narrows the search."""

from __future__ import annotations

from dataclasses import dataclass

from discovery.tui.data.search import FACET_TITLES, FacetCount
from rich.text import Text
from textual.message import Message
from textual.widgets import Tree

from discovery.safe_text import safe_line

PER_FACET = 25


@dataclass(frozen=True, slots=True)
class FacetValue:
    facet: str
    value: str


class FacetTree(Tree[FacetValue | None]):
    """The facet sidebar. Enter on a value posts Chosen."""

    DEFAULT_CSS = """
    FacetTree { width: 30; border-right: vkey $border-blurred; padding: 0; }
    """

    @dataclass
    class Chosen(Message):
        facet: str
        value: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Facets", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = True

    def show_facets(self, facets: dict[str, list[FacetCount]]) -> None:
        self.clear()
        for name, title in FACET_TITLES.items():
            values = facets.get(name)
            if not values:
                continue
            branch = self.root.add(Text(title, style="bold"), expand=name in ("sender_domains", "tags"))
            for item in values[:PER_FACET]:
                label = Text(no_wrap=True, overflow="ellipsis")
                label.append(f"{item.count:>6,} ", style="dim")
                label.append(safe_line(item.value))  # shown safely; the value itself narrows exactly
                branch.add_leaf(label, data=FacetValue(name, item.value))

    def on_tree_node_selected(self, event: Tree.NodeSelected[FacetValue | None]) -> None:
        event.stop()
        data = event.node.data
        if data is not None:
            self.post_message(self.Chosen(data.facet, data.value))
