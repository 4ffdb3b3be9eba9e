"""Kattis packages reuse tests through symlinks; checked out where links are not
supported, a link becomes a small file holding its target path. Both must read
as the linked test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from problems.load import load_problem

PROBLEM_YAML = "name: Echo\ntype: scoring\n"


def _package(root: Path, link: str) -> Path:
    (root / "problem.yaml").write_text(PROBLEM_YAML)
    g1 = root / "data" / "secret" / "group1"
    g2 = root / "data" / "secret" / "group2"
    g1.mkdir(parents=True)
    g2.mkdir(parents=True)
    (g1 / "a.in").write_text("1 2\n")
    (g1 / "a.ans").write_text("3\n")
    for suffix in (".in", ".ans"):
        target = f"../group1/a{suffix}"
        if link == "symlink":
            os.symlink(target, g2 / f"a{suffix}")
        else:
            (g2 / f"a{suffix}").write_text(target)
    (g2 / "b.in").write_text("../group1/not-a-test-but-data\n")
    (g2 / "b.ans").write_text("x\n")
    return root


@pytest.mark.parametrize("link", ["symlink", "stub"])
def test_linked_test_reads_the_target(tmp_path: Path, link: str) -> None:
    problem = load_problem(_package(tmp_path, link))
    linked = problem.test("secret/group2/a")
    assert linked.input_path.read_text() == "1 2\n"
    assert linked.answer_path is not None and linked.answer_path.read_text() == "3\n"


def test_text_that_names_no_file_stays_data(tmp_path: Path) -> None:
    problem = load_problem(_package(tmp_path, "stub"))
    plain = problem.test("secret/group2/b")
    assert plain.input_path.read_text() == "../group1/not-a-test-but-data\n"
