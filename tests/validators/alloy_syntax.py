"""A small reader of Alloy configuration syntax, enough for tests to inspect config/alloy/*.alloy.

It follows Alloy's documented syntax (https://grafana.com/docs/alloy/latest/get-started/configuration-syntax/
and its "Syntax" pages: comments, expressions, types and values): `//` and `/* */` comments, statements
ended by a newline, double-quoted strings with Go's escape sequences (any other escape is an error) and
backtick raw strings, blocks with an optional quoted label. Blocks keep their order; attribute values are
decoded when they are literals and kept as source text otherwise. With ALLOY_BIN set, test_alloy_syntax.py
checks that it accepts and refuses what the real `alloy fmt` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}
_HEX_LENGTH = {"x": 2, "u": 4, "U": 8}
_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+) | (?P<nl>\n) | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*") | (?P<raw>`[^`]*`)
  | (?P<number>[0-9]+(?:\.[0-9]+)?) | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[{}\[\](),.=+\-*/%^!<>])
""", re.VERBOSE | re.DOTALL)
_ENDS_STATEMENT = {"ident", "string", "raw", "number", "}", ")", "]"}


class AlloySyntaxError(ValueError):
    pass


def unquote(literal: str) -> str:
    """The value of a double-quoted Alloy string literal, with Alloy's escape rules."""
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1]
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
            i += 2
        elif esc in "01234567":
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        elif esc in _HEX_LENGTH:
            n = _HEX_LENGTH[esc]
            out.append(chr(int(body[i + 2:i + 2 + n], 16)))
            i += 2 + n
        else:
            raise AlloySyntaxError(f"unknown escape sequence \\{esc} in {literal}")
    return "".join(out)


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, number, op text, or "\n" for a terminator
    text: str
    start: int
    end: int


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if not m:
            raise AlloySyntaxError(f"illegal character {source[pos]!r} at offset {pos}")
        kind, text = m.lastgroup, m.group()
        ends = bool(tokens) and tokens[-1].kind in _ENDS_STATEMENT
        if kind == "nl" or (kind == "comment" and "\n" in text):
            if ends:  # Alloy inserts a terminator where a statement may end
                tokens.append(Token("\n", "\n", m.start(), m.start()))
        elif kind == "op":
            tokens.append(Token(text, text, m.start(), m.end()))
        elif kind not in ("ws", "comment"):
            tokens.append(Token(kind, text, m.start(), m.end()))
        pos = m.end()
    return tokens


@dataclass
class Expr:
    """An attribute value that is not a plain literal (a reference, a call, an operation)."""
    text: str


@dataclass
class Block:
    name: str
    label: str | None = None
    attrs: dict[str, object] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f'{self.name}.{self.label}' if self.label else self.name

    def find(self, name: str) -> list[Block]:
        return [b for b in self.blocks if b.name == name]


class _Parser:
    def __init__(self, source: str):
        self.source, self.tokens, self.i = source, tokenize(source), 0

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self, kind: str | None = None) -> Token:
        tok = self.peek()
        if tok is None or (kind and tok.kind != kind):
            raise AlloySyntaxError(f"expected {kind}, found {tok.text if tok else 'end of file'}")
        self.i += 1
        return tok

    def body(self, block: Block, closing: str | None) -> Block:
        while True:
            while self.peek() and self.peek().kind == "\n":
                self.take()
            tok = self.peek()
            if tok is None or tok.kind == closing:
                if closing:
                    self.take(closing)
                return block
            name = self.take("ident").text
            while self.peek() and self.peek().kind == ".":
                self.take(".")
                name += "." + self.take("ident").text
            if self.peek() and self.peek().kind == "=":
                self.take("=")
                block.attrs[name] = self.value()
            else:
                label = unquote(self.take("string").text) if self.peek().kind == "string" else None
                self.take("{")
                block.blocks.append(self.body(Block(name, label), "}"))

    def value(self) -> object:
        """Reads an expression up to its terminator; decodes it when it is a literal."""
        first, depth = self.i, 0
        while (tok := self.peek()) is not None:
            if tok.kind in "([{" and len(tok.kind) == 1:
                depth += 1
            elif tok.kind in ")]}" and len(tok.kind) == 1:
                if depth == 0:
                    break
                depth -= 1
            elif tok.kind == "\n" and depth == 0:
                break
            self.i += 1
        tokens = [t for t in self.tokens[first:self.i] if t.kind != "\n"]
        if not tokens:
            found = self.peek()
            raise AlloySyntaxError(f"expected an expression, found {found.text if found else 'end of file'}")
        return _literal(tokens, self.source)


def _literal(tokens: list[Token], source: str) -> object:
    text = source[tokens[0].start:tokens[-1].end] if tokens else ""
    if len(tokens) == 1:
        tok = tokens[0]
        if tok.kind == "string":
            return unquote(tok.text)
        if tok.kind == "raw":
            return tok.text[1:-1]
        if tok.kind == "number":
            return float(tok.text) if "." in tok.text else int(tok.text)
        if tok.text in ("true", "false"):
            return tok.text == "true"
    if tokens and tokens[0].kind in "[{" and tokens[-1].kind in "]}":
        items = _split_items(tokens[1:-1])
        if tokens[0].kind == "[":
            return [_literal(item, source) for item in items]
        pairs = [(item[0], item[2:]) for item in items if len(item) > 2 and item[1].kind == "="]
        if len(pairs) == len(items):
            return {(unquote(k.text) if k.kind == "string" else k.text): _literal(v, source) for k, v in pairs}
    return Expr(text)


def _split_items(tokens: list[Token]) -> list[list[Token]]:
    items, current, depth = [], [], 0
    for tok in tokens:
        depth += (tok.kind in ("(", "[", "{")) - (tok.kind in (")", "]", "}"))
        if tok.kind == "," and depth == 0:
            items.append(current)
            current = []
        else:
            current.append(tok)
    return [item for item in items + [current] if item]


def parse(source: str) -> Block:
    """The file as a root block whose `blocks` are its components, in file order."""
    return _Parser(source).body(Block("<root>"), None)
