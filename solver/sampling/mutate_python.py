"""Mutation operators for Python programs, on the AST (`ast` + `ast.unparse`).

Each operator gets the tree's nodes (`ast.walk` order, the Module first) and
lists the edits it could make (closures that change the tree in place).
`mutate_python` applies `count` of them in turn, each time picking an operator
uniformly among those with at least one site and then one of its edits, so that
a rare operator is not drowned by a common one. The result always parses,
because it is produced by `ast.unparse` from a well-formed tree.
"""

from __future__ import annotations

import ast
import builtins
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Edit = Callable[[], None]

_FLIPPED_COMPARISONS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_SWAPPED_ARITHMETIC: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.FloorDiv: ast.Mult,
}
_DROPPABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True)
class PythonMutant:
    """A mutated program and the operators applied, in order."""

    source: str
    operators: tuple[str, ...]


def _is_int_constant(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    )


def _set_field(node: ast.AST, field: str, value: object) -> Edit:
    def apply() -> None:
        setattr(node, field, value)

    return apply


def _plus_minus_one(expr: ast.expr, sign: int) -> ast.expr:
    op: ast.operator = ast.Add() if sign > 0 else ast.Sub()
    return ast.BinOp(left=expr, op=op, right=ast.Constant(1))


def constant_off_by_one(nodes: list[ast.AST]) -> list[Edit]:
    """Integer constants moved by +1 or -1."""
    edits = []
    for node in nodes:
        if isinstance(node, ast.Constant) and _is_int_constant(node):
            assert isinstance(node.value, int)
            edits += [_set_field(node, "value", node.value + d) for d in (1, -1)]
    return edits


def range_bound(nodes: list[ast.AST]) -> list[Edit]:
    """Non-constant range() arguments turned into `arg + 1` / `arg - 1` (constant
    arguments are covered by `constant_off_by_one`)."""
    edits: list[Edit] = []
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id != "range":
                continue
            for position, arg in enumerate(node.args):
                if _is_int_constant(arg) or isinstance(arg, ast.Starred):
                    continue
                for sign in (1, -1):
                    new_args = list(node.args)
                    new_args[position] = _plus_minus_one(arg, sign)
                    edits.append(_set_field(node, "args", new_args))
    return edits


def flip_comparison(nodes: list[ast.AST]) -> list[Edit]:
    """`<` <-> `<=`, `>` <-> `>=`, `==` <-> `!=` in one comparison operator."""
    edits = []
    for node in nodes:
        if isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                flipped = _FLIPPED_COMPARISONS.get(type(op))
                if flipped is not None:
                    new_ops = list(node.ops)
                    new_ops[position] = flipped()
                    edits.append(_set_field(node, "ops", new_ops))
    return edits


def swap_min_max(nodes: list[ast.AST]) -> list[Edit]:
    """A call of min() made max() or the other way round."""
    swap = {"min": "max", "max": "min"}
    return [
        _set_field(node.func, "id", swap[node.func.id])
        for node in nodes
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in swap
    ]


def swap_arithmetic(nodes: list[ast.AST]) -> list[Edit]:
    """`+` <-> `-` and `*` <-> `//` in a binary operation or augmented assignment."""
    return [
        _set_field(node, "op", _SWAPPED_ARITHMETIC[type(node.op)]())
        for node in nodes
        if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _SWAPPED_ARITHMETIC
    ]


def _bodies(nodes: list[ast.AST]) -> Iterator[tuple[ast.AST, str, list[ast.stmt]]]:
    """Every statement list in the tree with its owner node and field name."""
    for node in nodes:
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield node, field, body


def drop_statement(nodes: list[ast.AST]) -> list[Edit]:
    """One expression statement or (augmented) assignment removed; a body left
    empty gets `pass`."""
    edits = []
    for node, field, body in _bodies(nodes):
        for position, statement in enumerate(body):
            if isinstance(statement, _DROPPABLE):
                rest = body[:position] + body[position + 1 :]
                edits.append(_set_field(node, field, rest or [ast.Pass()]))
    return edits


def _exit_sites(
    node: ast.AST, in_loop: bool, in_function: bool
) -> Iterator[tuple[ast.AST, str, list[ast.stmt], bool, bool]]:
    """Statement lists with whether a `break` / a `return` is legal there."""
    for field in ("body", "orelse", "finalbody"):
        body = getattr(node, field, None)
        if not (isinstance(body, list) and body and isinstance(body[0], ast.stmt)):
            continue
        loop_here = in_loop or (isinstance(node, _LOOPS) and field == "body")
        yield node, field, body, loop_here, in_function
        for child in body:
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from _exit_sites(child, False, True)
            elif isinstance(child, ast.ClassDef):
                yield from _exit_sites(child, False, False)
            else:
                yield from _exit_sites(child, loop_here, in_function)
    for handler in getattr(node, "handlers", []):
        yield from _exit_sites(handler, in_loop, in_function)


def early_exit(nodes: list[ast.AST]) -> list[Edit]:
    """A `break` inserted into a loop body, or a `return` into a function body, at
    any position (before a statement or at the end)."""
    edits = []
    for node, field, body, can_break, can_return in _exit_sites(nodes[0], False, False):
        exits: list[Callable[[], ast.stmt]] = []
        if can_break:
            exits.append(ast.Break)
        if can_return:
            exits.append(ast.Return)
        for make in exits:
            for position in range(len(body) + 1):
                new_body = body[:position] + [make()] + body[position:]
                edits.append(_set_field(node, field, new_body))
    return edits


def negate_condition(nodes: list[ast.AST]) -> list[Edit]:
    """The test of an if / while / conditional expression negated (`not` added, or
    removed when already there)."""
    edits = []
    for node in nodes:
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            test = node.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                edits.append(_set_field(node, "test", test.operand))
            else:
                edits.append(_set_field(node, "test", ast.UnaryOp(op=ast.Not(), operand=test)))
    return edits


def slice_bounds(nodes: list[ast.AST]) -> list[Edit]:
    """A slice bound moved by one: `a[i:j]` -> `a[i+1:j]`, `a[i:j-1]`, ...; a missing
    lower bound becomes 1 and a missing upper bound -1."""
    edits = []
    for node in nodes:
        if not isinstance(node, ast.Slice):
            continue
        for field, default in (("lower", 1), ("upper", -1)):
            bound = getattr(node, field)
            if bound is None:
                edits.append(_set_field(node, field, ast.Constant(default)))
            elif not _is_int_constant(bound):
                edits += [_set_field(node, field, _plus_minus_one(bound, s)) for s in (1, -1)]
    return edits


def _assigned_names(nodes: list[ast.AST]) -> list[str]:
    """Names the program binds (assignments, loop targets, parameters), in order."""
    names: dict[str, None] = {}
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names[node.id] = None
        elif isinstance(node, ast.arg):
            names[node.arg] = None
    return [n for n in names if n not in _BUILTIN_NAMES]


def swap_variable(nodes: list[ast.AST]) -> list[Edit]:
    """A read of one variable replaced by another variable of the program (the
    classic wrong-variable slip)."""
    names = _assigned_names(nodes)
    known = set(names)
    edits = []
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in known:
            edits += [_set_field(node, "id", other) for other in names if other != node.id]
    return edits


PYTHON_OPERATORS: dict[str, Callable[[list[ast.AST]], list[Edit]]] = {
    "constant_off_by_one": constant_off_by_one,
    "range_bound": range_bound,
    "flip_comparison": flip_comparison,
    "swap_min_max": swap_min_max,
    "swap_arithmetic": swap_arithmetic,
    "drop_statement": drop_statement,
    "early_exit": early_exit,
    "negate_condition": negate_condition,
    "slice_bounds": slice_bounds,
    "swap_variable": swap_variable,
}


def canonical_python(source: str) -> str:
    """The unmutated program as the mutator would print it (for dedup against the
    original); raises SyntaxError when the source does not parse."""
    return ast.unparse(ast.parse(source))


def mutate_python(source: str, rng: random.Random, count: int) -> PythonMutant | None:
    """Apply `count` random mutations to a Python program. None when the program
    has no mutation site at all; raises SyntaxError when it does not parse."""
    tree = ast.parse(source)
    applied: list[str] = []
    for _ in range(count):
        nodes = list(ast.walk(tree))
        options = [(name, edits) for name, op in PYTHON_OPERATORS.items() if (edits := op(nodes))]
        if not options:
            break
        name, edits = rng.choice(options)
        rng.choice(edits)()
        applied.append(name)
    if not applied:
        return None
    ast.fix_missing_locations(tree)
    return PythonMutant(source=ast.unparse(tree) + "\n", operators=tuple(applied))
