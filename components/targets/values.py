"""How every target turns a spec value into a Pulumi input: text as it is, a `Ref` through its Output."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.model import Content, Ref


def resolve(content: Content, values: Mapping[str, pulumi.Output[str]]) -> pulumi.Input[str]:
    """A `Ref` becomes its deploy-time value (secret unless the Ref says otherwise); text stays as it is."""
    if isinstance(content, Ref):
        output = values[content.name].apply(content.fill)
        return pulumi.Output.secret(output) if content.secret else output
    return content
