"""Julia syntax checks without Julia: the tree-sitter-julia parser, shared by the
static checks of julia_src/ (tests/julia/) and of the IJulia notebook (test_examples)."""

from __future__ import annotations

import pytest


def parser():
    """A tree-sitter parser for Julia (the test extra installs both packages)."""
    try:
        import tree_sitter
        import tree_sitter_julia
    except ImportError as exc:
        pytest.fail(
            f"tree-sitter-julia is needed for the static Julia checks ({exc}); "
            "pip install -e '.[test]'"
        )
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_julia.language()))


def syntax_errors(source: bytes | str) -> list[str]:
    """``line:col kind`` of every ERROR or MISSING node of ``source``, sorted."""
    if isinstance(source, str):
        source = source.encode()
    problems, stack = [], [parser().parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, col = node.start_point
            problems.append(
                f"{row + 1}:{col + 1} {'MISSING ' + node.type if node.is_missing else 'ERROR'}"
            )
        stack.extend(node.children)
    return sorted(problems)
