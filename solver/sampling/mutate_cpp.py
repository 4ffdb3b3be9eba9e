"""Mutation operators for C++ programs, on tokens (no parser).

The source is lexed with `solver.code.cpp_lexer.tokenize_cpp` (comments, string/char
literals and preprocessor lines are single tokens and never touched). A light
structural pass over the significant tokens finds what the operators need:
matching brackets, template angle brackets (so `vector<int>` is not a
comparison), which braces open code blocks (function bodies, if/for/while
blocks - not classes, namespaces or initialisers), statement boundaries in code
blocks, declarations, and declared variable names.

An edit is a tuple of text replacements of token ranges; `mutate_cpp` applies
`count` edits one after the other, re-lexing in between, choosing an operator
uniformly among those with a site and then one of its edits. Inserted or
replaced punctuation is padded with spaces so that it cannot fuse with its
neighbours (`a- -b` must not become `a--b`). Mutants need not compile; most do.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from solver.code.cpp_lexer import CppKind, CppToken, tokenize_cpp
from solver.sampling.mutation import Mutant

_INT_LITERAL = re.compile(r"^(?P<digits>0|[1-9][0-9']*)(?P<suffix>[uUlL]*)$")
_FLIPPED = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
_SWAPPED_ARITHMETIC = {"+": "-", "-": "+", "+=": "-=", "-=": "+=", "++": "--", "--": "++"}
_TEMPLATE_INNER = {"::", ",", "*", "&", "...", "<", ">", ">>"}
_CODE_BLOCK_AFTER = {")", "]", "else", "do", "try", "const", "noexcept", "override", "mutable"}
_NESTED_BLOCK_AFTER = {";", "{", "}", ":"}
_NOT_DROPPABLE = {
    "if", "for", "while", "do", "switch", "return", "case", "default", "else", "goto",
    "try", "catch", "typedef", "using", "template", "struct", "class", "enum", "union",
    "namespace", "static_assert", "public", "private", "protected", "throw", "co_return",
}  # fmt: skip
_TYPE_WORDS = {
    "int", "long", "short", "char", "bool", "double", "float", "unsigned", "signed", "auto",
    "const", "constexpr", "static", "void", "register", "volatile", "inline", "extern",
    "thread_local", "wchar_t", "char8_t", "char16_t", "char32_t", "size_t", "mutable",
}  # fmt: skip
_CONTROL_WORDS = {"if", "for", "while", "switch", "catch", "return", "sizeof", "decltype"}
_NARROWER_TYPES = {"int64_t": "int32_t", "uint64_t": "uint32_t", "size_t": "int"}
_LOOP_WORDS = {"for", "while"}
_NO_INSERT_BEFORE = {"else", "catch", "while", ";", ")", ",", "]"}


@dataclass(frozen=True)
class Replacement:
    """Replace tokens[start:end] (full token list) by `text`; start == end inserts."""

    start: int
    end: int
    text: str


Edit = tuple[Replacement, ...]


@dataclass(frozen=True)
class Declared:
    """A declared variable: its name and a type key (e.g. "long long", "int[]")."""

    name: str
    type_key: str


@dataclass
class CppStructure:
    """What the operators need to know about a token list. Positions `p` index
    `sig` (significant tokens); `sig[p]` is the index in `tokens`."""

    tokens: list[CppToken]
    sig: list[int]
    texts: list[str]
    match: dict[int, int] = field(default_factory=dict)
    template_brackets: set[int] = field(default_factory=set)
    code_blocks: set[int] = field(default_factory=set)  # positions of `{` opening code
    block_of: list[int] = field(default_factory=list)  # innermost `{` position, -1 at top
    paren_depth: list[int] = field(default_factory=list)  # unclosed ( and [ before p
    statements: list[tuple[int, int]] = field(default_factory=list)  # (first, `;`) positions
    declarations: set[int] = field(default_factory=set)  # first positions of declarations
    declared_at: dict[int, Declared] = field(default_factory=dict)  # by declarator position
    function_of: list[int] = field(default_factory=list)  # outermost code block, -1 if none

    def is_ident(self, p: int) -> bool:
        """Whether significant token `p` is an identifier."""
        return self.tokens[self.sig[p]].kind is CppKind.IDENT

    def text(self, p: int) -> str:
        """Text of significant token `p`, "" when out of range."""
        return self.texts[p] if 0 <= p < len(self.texts) else ""


def _match_brackets(texts: list[str]) -> dict[int, int]:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[int] = []
    matched: dict[int, int] = {}
    for p, text in enumerate(texts):
        if text in ("(", "[", "{"):
            stack.append(p)
        elif text in pairs:
            while stack and texts[stack[-1]] != pairs[text]:
                stack.pop()
            if stack:
                opener = stack.pop()
                matched[opener] = p
                matched[p] = opener
    return matched


def _template_brackets(s: CppStructure) -> set[int]:
    """Positions of `<`, `>`, `>>` that are template brackets: a `<` after an
    identifier whose following tokens (identifiers, numbers, ::, commas, *, &,
    nested brackets) close it before anything else appears."""
    found: set[int] = set()
    for p, text in enumerate(s.texts):
        if text != "<" or p in found or p == 0 or not s.is_ident(p - 1):
            continue
        if s.texts[p - 1] == "operator":
            continue
        depth = 1
        inside = [p]
        q = p + 1
        while q < len(s.texts) and depth > 0:
            t = s.texts[q]
            kind = s.tokens[s.sig[q]].kind
            if t == "<":
                depth += 1
            elif t == ">":
                depth -= 1
            elif t == ">>":
                depth -= 2
            elif not (kind in (CppKind.IDENT, CppKind.NUMBER) or t in _TEMPLATE_INNER):
                break
            if t in ("<", ">", ">>"):
                inside.append(q)
            q += 1
        if depth <= 0:
            found.update(inside)
    return found


def _is_code_opener(s: CppStructure, p: int, enclosing: int) -> bool:
    before = s.text(p - 1)
    if before in _CODE_BLOCK_AFTER:
        return True
    return before in _NESTED_BLOCK_AFTER and enclosing in s.code_blocks


def _skip_type_name(s: CppStructure, p: int) -> int:
    """Position after a (qualified, templated) type name starting at `p`."""
    while True:
        if s.text(p) == "::":
            p += 1
        if p >= len(s.texts) or not s.is_ident(p):
            return p
        p += 1
        if s.text(p) == "<" and p in s.template_brackets:
            depth = 0
            while p < len(s.texts):
                t = s.text(p)
                depth += {"<": 1, ">": -1, ">>": -2}.get(t, 0)
                p += 1
                if depth <= 0:
                    break
        if s.text(p) != "::":
            return p


def _is_declaration(s: CppStructure, first: int) -> bool:
    if s.text(first) in _NOT_DROPPABLE:
        return False
    if s.text(first) in _TYPE_WORDS:
        return True
    if not s.is_ident(first) and s.text(first) != "::":
        return False
    after = _skip_type_name(s, first)
    while s.text(after) in ("*", "&"):
        after += 1
    return after < len(s.texts) and s.is_ident(after) and s.text(after) not in _TYPE_WORDS


def _declarators(s: CppStructure, first: int, last: int, *, params: bool) -> dict[int, Declared]:
    """Names declared by s.texts[first:last] (depth 0 identifiers followed by
    = , ; [ ( { ) and preceded by a type-ish token or a comma), each with a type
    key: the leading type words, plus `*` / `[]` for pointers and arrays. With
    `params` (a parameter list) every comma starts a new type."""
    names: dict[int, Declared] = {}
    depth = 0
    type_start = first
    type_end: int | None = None
    for p in range(first, last):
        t = s.texts[p]
        if t in ("(", "[", "{"):
            depth += 1
        elif t in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and t == "," and params:
            type_start, type_end = p + 1, None
        elif depth == 0 and s.is_ident(p) and t not in _TYPE_WORDS:
            before, after = s.text(p - 1), s.text(p + 1)
            typeish = p > type_start and (s.is_ident(p - 1) or before in ("*", "&", ">", ">>", ","))
            if typeish and after in ("=", ",", ";", "[", "(", "{", ")"):
                type_end = p if type_end is None else type_end
                words = [w for w in s.texts[type_start:type_end] if w not in ("*", "&")]
                key = (
                    " ".join(words)
                    + ("*" if before == "*" else "")
                    + ("[]" if after == "[" else "")
                )
                names[p] = Declared(t, key)
    return names


def _scan_statements(s: CppStructure) -> None:
    """Fill block/function membership, statements, declarations and declarators."""
    s.block_of = [-1] * len(s.texts)
    s.function_of = [-1] * len(s.texts)
    s.paren_depth = [0] * len(s.texts)
    stack: list[int] = []
    depth = 0
    for p, t in enumerate(s.texts):
        s.paren_depth[p] = depth
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(t, 0)
        if t == "{":
            enclosing = stack[-1] if stack else -1
            if _is_code_opener(s, p, enclosing):
                s.code_blocks.add(p)
            stack.append(p)
        elif t == "}" and stack:
            stack.pop()
        s.block_of[p] = stack[-1] if stack else -1
        s.function_of[p] = next((b for b in stack if b in s.code_blocks), -1)
    starts = [0] + [p + 1 for p, t in enumerate(s.texts) if t in (";", "{", "}")]
    for first in starts:
        if first >= len(s.texts) or s.texts[first] in (";", "}", "{", "#"):
            continue
        if not _at_statement_level(s, first):
            continue
        last = _statement_end(s, first)
        if last is None:
            continue
        s.statements.append((first, last))
        if _is_declaration(s, first):
            s.declarations.add(first)
            s.declared_at.update(_declarators(s, first, last, params=False))
    for p, t in enumerate(s.texts):
        if t == "for" and s.text(p + 1) == "(" and _is_declaration(s, p + 2):
            end = _statement_end(s, p + 2)
            if end is not None:
                s.declared_at.update(_declarators(s, p + 2, end, params=False))
        if t == "(" and p in s.match and s.text(p - 1) not in _CONTROL_WORDS:
            close = s.match[p]
            if s.is_ident(p - 1) and s.text(close + 1) in ("{", "const") and close > p + 1:
                s.declared_at.update(_declarators(s, p + 1, close, params=True))


def _at_statement_level(s: CppStructure, p: int) -> bool:
    """Whether position `p` is directly inside a code block (or at file level) and
    not inside parentheses, e.g. not in a for header."""
    block = s.block_of[p]
    if block != -1 and block not in s.code_blocks:
        return False
    return s.paren_depth[p] == (s.paren_depth[block] if block != -1 else 0)


def _statement_end(s: CppStructure, first: int) -> int | None:
    """Position of the `;` ending a simple statement starting at `first`, or None
    when a `{` or an unbalanced bracket comes first (compound statements, lambdas,
    braced initialisers)."""
    depth = 0
    for p in range(first, len(s.texts)):
        t = s.texts[p]
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            depth -= 1
            if depth < 0:
                return None
        elif t in ("{", "}"):
            return None
        elif t == ";" and depth == 0:
            return p
    return None


def analyse(tokens: list[CppToken]) -> CppStructure:
    """The structure of a token list (see `CppStructure`)."""
    sig = [
        i
        for i, tok in enumerate(tokens)
        if tok.kind not in (CppKind.SPACE, CppKind.COMMENT, CppKind.DIRECTIVE)
    ]
    s = CppStructure(tokens=tokens, sig=sig, texts=[tokens[i].text for i in sig])
    s.match = _match_brackets(s.texts)
    s.template_brackets = _template_brackets(s)
    _scan_statements(s)
    return s


def _replace(s: CppStructure, p: int, text: str) -> Edit:
    return (Replacement(s.sig[p], s.sig[p] + 1, f" {text} "),)


def _insert_before(s: CppStructure, p: int, text: str) -> Edit:
    return (Replacement(s.sig[p], s.sig[p], f" {text} "),)


def _in_code(s: CppStructure, p: int) -> bool:
    return s.function_of[p] != -1


def int_literal_off_by_one(s: CppStructure) -> list[Edit]:
    """A decimal integer literal moved by +1 or -1 (suffix kept; -1 parenthesised)."""
    edits: list[Edit] = []
    for p, t in enumerate(s.texts):
        m = _INT_LITERAL.match(t)
        if m is None or s.tokens[s.sig[p]].kind is not CppKind.NUMBER:
            continue
        value = int(m.group("digits").replace("'", ""))
        for new in (value + 1, value - 1):
            text = f"{new}{m.group('suffix')}" if new >= 0 else f"({new}{m.group('suffix')})"
            edits.append(_replace(s, p, text))
    return edits


def flip_comparison(s: CppStructure) -> list[Edit]:
    """`<` <-> `<=`, `>` <-> `>=`, `==` <-> `!=` (template brackets excluded)."""
    return [
        _replace(s, p, _FLIPPED[t])
        for p, t in enumerate(s.texts)
        if t in _FLIPPED and p not in s.template_brackets and _in_code(s, p)
    ]


def swap_min_max(s: CppStructure) -> list[Edit]:
    """`min` made `max` or the other way round."""
    swap = {"min": "max", "max": "min"}
    return [_replace(s, p, swap[t]) for p, t in enumerate(s.texts) if t in swap]


def narrow_integer_type(s: CppStructure) -> list[Edit]:
    """`long long` -> `int` (also in typedefs, so an `ll` alias narrows every use),
    `int64_t` -> `int32_t`, `size_t` -> `int`."""
    edits: list[Edit] = []
    for p, t in enumerate(s.texts):
        if t == "long" and s.text(p + 1) == "long" and s.text(p - 1) != "long":
            edits.append((Replacement(s.sig[p], s.sig[p + 1] + 1, " int "),))
        elif t in _NARROWER_TYPES:
            edits.append(_replace(s, p, _NARROWER_TYPES[t]))
    return edits


def _for_header_semicolons(s: CppStructure, p: int) -> tuple[int, int] | None:
    """The two `;` of a classic for header starting at `for` position `p`."""
    if s.text(p + 1) != "(" or (p + 1) not in s.match:
        return None
    close = s.match[p + 1]
    depth = 0
    semis = []
    for q in range(p + 2, close):
        t = s.texts[q]
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(t, 0)
        if t == ";" and depth == 0:
            semis.append(q)
    return (semis[0], semis[1]) if len(semis) == 2 else None


def loop_bound(s: CppStructure) -> list[Edit]:
    """In a for-loop condition with one relational operator: `<` <-> `<=` (and
    `>` <-> `>=`), or the bound moved by one (`i < n` -> `i < n + 1`, `n - 1`)."""
    edits: list[Edit] = []
    for p, t in enumerate(s.texts):
        if t != "for":
            continue
        semis = _for_header_semicolons(s, p)
        if semis is None:
            continue
        cond = range(semis[0] + 1, semis[1])
        relations = [q for q in cond if s.texts[q] in ("<", "<=", ">", ">=")]
        if len(relations) != 1 or relations[0] in s.template_brackets:
            continue
        if any(s.texts[q] in ("&&", "||", "?", ",", "and", "or") for q in cond):
            continue
        edits.append(_replace(s, relations[0], _FLIPPED[s.texts[relations[0]]]))
        for delta in ("+ 1", "- 1"):
            edits.append(_insert_before(s, semis[1], delta))
    return edits


def drop_statement(s: CppStructure) -> list[Edit]:
    """One `;`-terminated statement inside a code block removed - not a declaration,
    a control statement or a return."""
    edits: list[Edit] = []
    for first, last in s.statements:
        if s.block_of[first] not in s.code_blocks or first in s.declarations:
            continue
        if s.texts[first] in _NOT_DROPPABLE or s.text(first + 1) == ":":
            continue
        edits.append((Replacement(s.sig[first], s.sig[last] + 1, " "),))
    return edits


def _statement_starts_in(s: CppStructure, block: int) -> list[int]:
    """Positions where a statement may be inserted directly inside `block`: each
    statement start whose block is `block`, and the closing brace - not right
    after a return, break or continue."""
    close = s.match.get(block)
    if close is None:
        return []
    first_of = {last: first for first, last in s.statements}
    starts = []
    for p in range(block + 1, close + 1):
        if s.texts[p - 1] not in (";", "{", "}") or s.texts[p] in _NO_INSERT_BEFORE:
            continue
        if s.text(first_of.get(p - 1, -1)) in ("return", "break", "continue"):
            continue  # code after these is dead: an insertion there changes nothing
        if p == close or (s.block_of[p] == block and _at_statement_level(s, p)):
            starts.append(p)
    return starts


def _main_block(s: CppStructure) -> int | None:
    for p, t in enumerate(s.texts):
        if t == "main" and s.text(p + 1) == "(" and (p + 1) in s.match:
            brace = s.match[p + 1] + 1
            if s.text(brace) == "{" and brace in s.code_blocks:
                return brace
    return None


def early_return_in_main(s: CppStructure) -> list[Edit]:
    """`return 0;` inserted at a statement boundary of main's body."""
    block = _main_block(s)
    if block is None:
        return []
    return [
        _insert_before(s, p, "return 0;")
        for p in _statement_starts_in(s, block)
        if s.texts[p] != "return"
    ]


def early_break(s: CppStructure) -> list[Edit]:
    """`break;` inserted at a statement boundary of a braced for/while body."""
    edits: list[Edit] = []
    for block in sorted(s.code_blocks):
        if s.text(block - 1) != ")" or (block - 1) not in s.match:
            continue
        if s.text(s.match[block - 1] - 1) not in _LOOP_WORDS:
            continue
        edits += [_insert_before(s, p, "break;") for p in _statement_starts_in(s, block)]
    return edits


def swap_plus_minus(s: CppStructure) -> list[Edit]:
    """`+` <-> `-`, `+=` <-> `-=`, `++` <-> `--` inside code blocks."""
    return [
        _replace(s, p, _SWAPPED_ARITHMETIC[t])
        for p, t in enumerate(s.texts)
        if t in _SWAPPED_ARITHMETIC and _in_code(s, p)
    ]


def swap_logical(s: CppStructure) -> list[Edit]:
    """`&&` <-> `||` inside code blocks."""
    swap = {"&&": "||", "||": "&&"}
    return [_replace(s, p, swap[t]) for p, t in enumerate(s.texts) if t in swap and _in_code(s, p)]


def negate_condition(s: CppStructure) -> list[Edit]:
    """The condition of an `if` or `while` wrapped in `!( ... )`."""
    edits: list[Edit] = []
    for p, t in enumerate(s.texts):
        if t in ("if", "while") and s.text(p + 1) == "(" and (p + 1) in s.match:
            close = s.match[p + 1]
            if close == p + 2:
                continue
            opening = Replacement(s.sig[p + 2], s.sig[p + 2], " !( ")
            closing = Replacement(s.sig[close], s.sig[close], " ) ")
            edits.append((opening, closing))
    return edits


def swap_variable(s: CppStructure) -> list[Edit]:
    """A use of a declared variable replaced by another variable of the same type
    key declared in the same function or at file level (declarations themselves
    are left alone)."""
    scopes: dict[int, dict[str, str]] = {}
    for p, declared in s.declared_at.items():
        scopes.setdefault(s.function_of[p], {})[declared.name] = declared.type_key
    alternatives: dict[tuple[int, str], list[str]] = {}
    edits: list[Edit] = []
    for p, t in enumerate(s.texts):
        if p in s.declared_at or not _in_code(s, p) or not s.is_ident(p):
            continue
        if s.text(p - 1) in (".", "->", "::") or s.text(p + 1) in ("(", "::"):
            continue
        scope = s.function_of[p]
        if (scope, t) not in alternatives:
            visible = {**scopes.get(-1, {}), **scopes.get(scope, {})}
            key = visible.get(t)
            alternatives[scope, t] = sorted(
                n for n, k in visible.items() if key is not None and k == key and n != t
            )
        edits += [_replace(s, p, other) for other in alternatives[scope, t]]
    return edits


CPP_OPERATORS: dict[str, Callable[[CppStructure], list[Edit]]] = {
    "int_literal_off_by_one": int_literal_off_by_one,
    "flip_comparison": flip_comparison,
    "swap_min_max": swap_min_max,
    "narrow_integer_type": narrow_integer_type,
    "loop_bound": loop_bound,
    "drop_statement": drop_statement,
    "early_return_in_main": early_return_in_main,
    "early_break": early_break,
    "swap_plus_minus": swap_plus_minus,
    "swap_logical": swap_logical,
    "negate_condition": negate_condition,
    "swap_variable": swap_variable,
}


def apply_edit(tokens: list[CppToken], edit: Edit) -> str:
    """The source text with the edit's replacements made (applied back to front)."""
    texts = [t.text for t in tokens]
    for rep in sorted(edit, key=lambda r: (r.start, r.end), reverse=True):
        texts[rep.start : rep.end] = [rep.text]
    return "".join(texts)


def canonical_cpp(source: str) -> str:
    """The unmutated program as the mutator would print it: the source itself."""
    return source


@functools.lru_cache(maxsize=64)
def mutation_options(
    source: str,
) -> tuple[list[CppToken], tuple[tuple[str, tuple[Edit, ...]], ...]]:
    """The tokens of `source` and, per operator with at least one site, its edits.
    Memoised: every mutant of a reference solution starts from the same source."""
    structure = analyse(tokenize_cpp(source))
    options = tuple(
        (name, tuple(edits)) for name, op in CPP_OPERATORS.items() if (edits := op(structure))
    )
    return structure.tokens, options


def mutate_cpp(source: str, rng: random.Random, count: int) -> Mutant | None:
    """Apply `count` random mutations to a C++ program. None when the program has
    no mutation site at all."""
    applied: list[str] = []
    for _ in range(count):
        tokens, options = mutation_options(source)
        if not options:
            break
        name, edits = rng.choice(options)
        source = apply_edit(tokens, rng.choice(edits))
        applied.append(name)
    if not applied:
        return None
    return Mutant(source=source, operators=tuple(applied))
