"""Provides ThreadTree: the open message's thread as a navigable tree (replies under what they answer)."""

from __future__ import annotations

from dataclasses import dataclass

from discovery.tui.data.rows import ThreadNode
from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode


def node_label(node: ThreadNode, current: bool) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append((node.date or "")[:10] + " ", style="dim")
    text.append(node.sender or "(no sender)", style="bold" if current else "")
    return text


class ThreadTree(Tree[str]):
    """Choosing a message posts Chosen with its id."""

    DEFAULT_CSS = """
    ThreadTree { width: 40%; min-width: 30; border-left: vkey $border-blurred; }
    """

    @dataclass
    class Chosen(Message):
        message_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Thread", id=id)
        self.guide_depth = 2
        self.auto_expand = False  # enter opens the message; space or a click folds a branch
        self.thread_id: str | None = None

    def show_thread(self, thread_id: str | None, nodes: list[ThreadNode], current: str) -> None:
        self.clear()
        self.thread_id = thread_id
        self.root.set_label(Text(f"Thread of {len(nodes)} message{'s' * (len(nodes) != 1)}", style="bold"))
        self.root.expand()
        by_id = {n.id: n for n in nodes}
        children: dict[str | None, list[ThreadNode]] = {}
        for n in nodes:
            parent = n.parent if n.parent in by_id else None
            children.setdefault(parent, []).append(n)
        target: TreeNode[str] | None = None
        stack: list[tuple[TreeNode[str], ThreadNode]] = [(self.root, n) for n in reversed(children.get(None, []))]
        while stack:
            parent_node, item = stack.pop()
            kids = children.get(item.id, [])
            label = node_label(item, item.id == current)
            if kids:
                tree_node = parent_node.add(label, data=item.id, expand=True)
            else:
                tree_node = parent_node.add_leaf(label, data=item.id)
            if item.id == current:
                target = tree_node
            stack.extend((tree_node, k) for k in reversed(kids))
        if target is not None:
            self.call_after_refresh(self.move_cursor, target)

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data:
            self.post_message(self.Chosen(event.node.data))
