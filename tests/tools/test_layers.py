"""The layers picture in docs/architecture.md is the import contract's (tools/layers.py)."""

from __future__ import annotations

from tools import layers


def test_layers_are_read_from_the_contract_top_first():
    stack = layers.layers()
    assert stack[0] == ["site", "api"]
    assert stack[-1] == ["core"]


def test_mermaid_links_each_layer_to_the_next():
    text = layers.mermaid([["site", "api"], ["talks"], ["core"]])
    assert "    site --> talks" in text
    assert "    api --> talks" in text
    assert "    talks --> core" in text
    assert "site --> core" not in text


def test_architecture_doc_shows_the_contracts_layers():
    text = layers.DOC.read_text()
    assert layers.doc_block(text) == layers.block(), "run: python tools/layers.py --write"
