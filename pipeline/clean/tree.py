"""The document tree, built from the cleaned blocks: sections nested by heading level, lists with
their items (an item's paragraphs, then or between them its sub-lists), tables with rows and cells;
paragraphs, fields and captions as leaves.

The blocks stay the tree's leaves in reading order, so a stage can walk either: the flat sequence
for reading order and spans, the tree for what contains what.
"""
from __future__ import annotations

from ..records import Block, Node


def build_tree(blocks: list[Block]) -> Node:
    root = Node("document")
    sections: list[Node] = [root]  # open sections, outermost first
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "heading":
            level = block.level or 6
            while len(sections) > 1 and sections[-1].level >= level:
                sections.pop()
            section = Node("section", children=[Node("heading", block)], level=level)
            sections[-1].children.append(section)
            sections.append(section)
            i += 1
        elif block.kind == "list_item":
            j = i  # the list's items, and the items of its sub-lists (deeper, with lists of their own)
            while j < len(blocks) and (continues_item(blocks[j], block) or blocks[j].kind == "list_item"
                                       and (_same_group(blocks[j], block) or blocks[j].depth > block.depth)):
                j += 1
            sections[-1].children.append(_list(blocks[i:j]))
            i = j
        elif block.kind == "cell":
            j = i
            while j < len(blocks) and blocks[j].kind == "cell" and blocks[j].group == block.group:
                j += 1
            sections[-1].children.append(_table(blocks[i:j]))
            i = j
        else:
            sections[-1].children.append(Node(block.kind, block))
            i += 1
    return root


def continues_item(b: Block, item: Block) -> bool:
    """b is a further paragraph or field of `item` or of one of its sub-items (a loose list's
    item spans paragraphs: the HTML walk gives them the item's list and depth)."""
    return b.kind in ("paragraph", "field") and b.group != -1 and item.group != -1 \
        and (b.depth > item.depth or (b.depth == item.depth and b.group == item.group))


def _same_group(a: Block, b: Block) -> bool:
    return a.group == b.group if b.group != -1 else a.group == -1


def _list(items: list[Block]) -> Node:
    """Items nest under the last item of a shallower depth."""
    root = Node("list")
    open_lists: list[tuple[int, Node]] = [(-1, root)]  # (depth of its items, list node)
    base = min(b.depth for b in items)
    for block in items:
        depth = block.depth - base
        while len(open_lists) > 1 and open_lists[-1][0] > depth:
            open_lists.pop()
        if block.kind != "list_item" and open_lists[-1][1].children:
            # a further paragraph of the last item at its depth (after its sub-list, if any)
            open_lists[-1][1].children[-1].children.append(Node(block.kind, block))
            continue
        if open_lists[-1][0] < depth and open_lists[-1][1].children:
            parent_item = open_lists[-1][1].children[-1]
            sub = Node("list")
            parent_item.children.append(sub)
            open_lists.append((depth, sub))
        elif open_lists[-1][0] == -1:
            open_lists[-1] = (depth, root)
        open_lists[-1][1].children.append(Node("item", children=[Node("paragraph", block)]))
    return root


def _table(cells: list[Block]) -> Node:
    table = Node("table")
    rows: dict[int, Node] = {}
    for cell in cells:
        row = rows.get(cell.row)
        if row is None:
            row = rows[cell.row] = Node("row")
            table.children.append(row)
        row.children.append(Node("cell", cell))
    return table
