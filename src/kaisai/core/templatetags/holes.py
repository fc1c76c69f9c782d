"""`{% hole "fragment.html" name=value … %}`: a visitor's own part of a shared page
(core/holes.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, Parser, Token

from kaisai.core import holes

register = template.Library()


class HoleNode(template.Node):
    def __init__(self, name: FilterExpression, values: dict[str, FilterExpression]) -> None:
        self.name = name
        self.values = values

    def render(self, context: template.Context) -> str:
        name = self.name.resolve(context)
        values = {key: value.resolve(context) for key, value in self.values.items()}
        collector = context.get(holes.COLLECTOR)
        if collector is not None:
            return collector.add(name, values)
        personal: dict[str, Any] = {key: context.get(key) for key in holes.PERSONAL}
        return holes.fill(name, values, personal)


@register.tag
def hole(parser: Parser, token: Token) -> HoleNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("hole needs a fragment's template name")
    values = template.base.token_kwargs(bits[2:], parser, support_legacy=False)
    if len(values) != len(bits) - 2:
        raise template.TemplateSyntaxError("hole takes name=value pairs after the template")
    return HoleNode(parser.compile_filter(bits[1]), values)
