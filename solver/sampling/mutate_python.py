"""Mutation operators for Python programs, on the AST (`ast` + `ast.unparse`).

Each operator gets the tree's nodes (`ast.walk` order, the Module first) and
lists its sites as edits: closures that change the tree in place when applied,
drawing their variant (+1 or -1, the insertion position, the other variable)
from the random stream then, so that listing stays cheap. `mutate_python`
applies `count` edits in turn, each time picking an operator uniformly among
those with at least one site, then one of its sites, so that a rare operator is
not drowned by a common one. The result always parses,
because it is produced by `ast.unparse` from a well-formed tree.
"""

from __future__ import annotations

import ast
import builtins
import random
from collections.abc import Callable, Iterator

from solver.sampling.mutation import Mutant

Edit = Callable[[random.Random], None]

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


def _is_int_constant(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    )


def _set(node: ast.AST, field: str, make: Callable[[random.Random], object]) -> Edit:
    """An edit setting node.field to make(rng), computed only when applied."""

    def apply(rng: random.Random) -> None:
        setattr(node, field, make(rng))

    return apply


def _plus_minus_one(expr: ast.expr, rng: random.Random) -> ast.expr:
    op: ast.operator = ast.Add() if rng.random() < 0.5 else ast.Sub()
    return ast.BinOp(left=expr, op=op, right=ast.Constant(1))


def _fixed(value: object) -> Callable[[random.Random], object]:
    return lambda rng: value


def _fresh(make: Callable[[], object]) -> Callable[[random.Random], object]:
    return lambda rng: make()


def _shifted(value: int) -> Callable[[random.Random], object]:
    return lambda rng: value + rng.choice((1, -1))


def _moved(bound: ast.expr) -> Callable[[random.Random], object]:
    return lambda rng: _plus_minus_one(bound, rng)


def _other_name(names: list[str], own: str) -> Callable[[random.Random], object]:
    others = [n for n in names if n != own]
    return lambda rng: rng.choice(others)


def constant_off_by_one(nodes: list[ast.AST]) -> list[Edit]:
    """Integer constants moved by +1 or -1."""
    edits: list[Edit] = []
    for node in nodes:
        if isinstance(node, ast.Constant) and _is_int_constant(node):
            assert isinstance(node.value, int)
            edits.append(_set(node, "value", _shifted(node.value)))
    return edits


def range_bound(nodes: list[ast.AST]) -> list[Edit]:
    """Non-constant range() arguments turned into `arg + 1` / `arg - 1` (constant
    arguments are covered by `constant_off_by_one`)."""
    edits: list[Edit] = []
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id != "range":
            continue
        for position, arg in enumerate(node.args):
            if _is_int_constant(arg) or isinstance(arg, ast.Starred):
                continue

            def new_args(rng: random.Random, call: ast.Call = node, i: int = position) -> object:
                args = list(call.args)
                args[i] = _plus_minus_one(args[i], rng)
                return args

            edits.append(_set(node, "args", new_args))
    return edits


def flip_comparison(nodes: list[ast.AST]) -> list[Edit]:
    """`<` <-> `<=`, `>` <-> `>=`, `==` <-> `!=` in one comparison operator."""
    edits: list[Edit] = []
    for node in nodes:
        if isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                flipped = _FLIPPED_COMPARISONS.get(type(op))
                if flipped is not None:
                    new_ops = list(node.ops)
                    new_ops[position] = flipped()
                    edits.append(_set(node, "ops", _fixed(new_ops)))
    return edits


def swap_min_max(nodes: list[ast.AST]) -> list[Edit]:
    """A call of min() made max() or the other way round."""
    swap = {"min": "max", "max": "min"}
    return [
        _set(node.func, "id", _fixed(swap[node.func.id]))
        for node in nodes
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in swap
    ]


def swap_arithmetic(nodes: list[ast.AST]) -> list[Edit]:
    """`+` <-> `-` and `*` <-> `//` in a binary operation or augmented assignment."""
    return [
        _set(node, "op", _fresh(_SWAPPED_ARITHMETIC[type(node.op)]))
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
    edits: list[Edit] = []
    for node, field, body in _bodies(nodes):
        for position, statement in enumerate(body):
            if isinstance(statement, _DROPPABLE):

                def rest(rng: random.Random, b: list[ast.stmt] = body, i: int = position) -> object:
                    return b[:i] + b[i + 1 :] or [ast.Pass()]

                edits.append(_set(node, field, rest))
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
    a random position (before a statement or at the end)."""
    edits: list[Edit] = []
    for node, field, body, can_break, can_return in _exit_sites(nodes[0], False, False):
        exits: list[Callable[[], ast.stmt]] = []
        if can_break:
            exits.append(ast.Break)
        if can_return:
            exits.append(ast.Return)
        for make in exits:

            def inserted(
                rng: random.Random, b: list[ast.stmt] = body, m: Callable[[], ast.stmt] = make
            ) -> object:
                position = rng.randrange(len(b) + 1)
                return b[:position] + [m()] + b[position:]

            edits.append(_set(node, field, inserted))
    return edits


def negate_condition(nodes: list[ast.AST]) -> list[Edit]:
    """The test of an if / while / conditional expression negated (`not` added, or
    removed when already there)."""
    edits: list[Edit] = []
    for node in nodes:
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            test = node.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                negated: ast.expr = test.operand
            else:
                negated = ast.UnaryOp(op=ast.Not(), operand=test)
            edits.append(_set(node, "test", _fixed(negated)))
    return edits


def slice_bounds(nodes: list[ast.AST]) -> list[Edit]:
    """A slice bound moved by one: `a[i:j]` -> `a[i+1:j]`, `a[i:j-1]`, ...; a missing
    lower bound becomes 1 and a missing upper bound -1."""
    edits: list[Edit] = []
    for node in nodes:
        if not isinstance(node, ast.Slice):
            continue
        for field, default in (("lower", 1), ("upper", -1)):
            bound = getattr(node, field)
            if bound is None:
                edits.append(_set(node, field, _fixed(ast.Constant(default))))
            elif not _is_int_constant(bound):
                edits.append(_set(node, field, _moved(bound)))
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
    classic wrong-variable slip); one site per read, the other name drawn when
    the edit is applied."""
    names = _assigned_names(nodes)
    known = set(names)
    if len(names) < 2:
        return []
    return [
        _set(node, "id", _other_name(names, node.id))
        for node in nodes
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in known
    ]


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


def mutate_python(source: str, rng: random.Random, count: int) -> Mutant | None:
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
        rng.choice(edits)(rng)
        applied.append(name)
    if not applied:
        return None
    ast.fix_missing_locations(tree)
    return Mutant(source=ast.unparse(tree) + "\n", operators=tuple(applied))
