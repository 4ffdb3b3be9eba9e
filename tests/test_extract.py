"""Code extraction from completions, normalisation and dedup keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.code.cpp_lexer import CppKind, tokenize_cpp
from solver.code.extract import extract_code, fenced_blocks
from solver.code.normalise import normalise, source_hash

FENCE = "```"


def test_last_block_of_requested_language_wins() -> None:
    text = (
        f"First try:\n{FENCE}cpp\nint a;\n{FENCE}\n"
        f"In Python:\n{FENCE}python\nprint(1)\n{FENCE}\n"
        f"Better:\n{FENCE}c++\nint b;\n{FENCE}\n"
        f"{FENCE}\nnot tagged\n{FENCE}\n"
    )
    assert extract_code(text, "cpp") == "int b;\n"
    assert extract_code(text, "python") == "print(1)\n"


@pytest.mark.parametrize("alias", ["cpp", "C++", "cc", "cxx"])
def test_cpp_aliases(alias: str) -> None:
    text = f"{FENCE}{alias}\nint main() {{}}\n{FENCE}\n{FENCE}text\nhello\n{FENCE}\n"
    assert extract_code(text, "cpp") == "int main() {}\n"


@pytest.mark.parametrize("alias", ["python", "python3", "py", "Python"])
def test_python_aliases(alias: str) -> None:
    text = f"{FENCE}{alias}\nprint(2)\n{FENCE}\n{FENCE}\nother\n{FENCE}\n"
    assert extract_code(text, "python") == "print(2)\n"


def test_falls_back_to_last_block_of_any_language() -> None:
    text = f"{FENCE}\nfirst\n{FENCE}\nand\n{FENCE}text\nsecond\n{FENCE}\n"
    assert extract_code(text, "cpp") == "second\n"


def test_no_block_is_a_failure() -> None:
    assert extract_code("I cannot solve this problem.", "cpp") is None
    assert extract_code("", "python") is None


def test_unterminated_block_counts_only_when_tagged_with_the_language() -> None:
    cut = f"Here:\n{FENCE}cpp\nint main() {{\n    return 0;"
    assert extract_code(cut, "cpp") == "int main() {\n    return 0;\n"
    assert extract_code(f"Here:\n{FENCE}\nint main() {{", "cpp") is None
    earlier = f"{FENCE}\nx = 1\n{FENCE}\n{FENCE}cpp\nint main"
    assert extract_code(earlier, "python") == "x = 1\n"
    blocks = fenced_blocks(cut)
    assert [b.closed for b in blocks] == [False]


def test_tilde_fences_and_longer_fences() -> None:
    text = "~~~python\nprint('```')\n~~~\n````cpp\nint x;\n```\nstill inside\n````\n"
    assert extract_code(text, "python") == "print('```')\n"
    assert extract_code(text, "cpp") == "int x;\n```\nstill inside\n"


def test_unknown_language_is_an_error() -> None:
    """Extraction knows every language of the identity table; normalising, only its own."""
    assert extract_code("```rust\nfn main(){}\n```", "rust") == "fn main(){}\n"
    with pytest.raises(ValueError, match="cobol"):
        extract_code("```cobol\nDISPLAY 'HI'.\n```", "cobol")
    with pytest.raises(ValueError, match="rust"):
        normalise("fn main(){}", "rust")


def test_cpp_normalisation_ignores_comments_and_formatting() -> None:
    a = '#include <cstdio>\nint main(){/* c */int x=1; // note\nprintf("%d",x+1);}\n'
    b = (
        "#include <cstdio>\n\n// header comment\n"
        'int main() {\n  int x = 1;\n  printf( "%d" , x + 1 ) ;\n}\n'
    )
    assert normalise(a, "cpp") == normalise(b, "cpp")
    assert source_hash(a, "cpp") == source_hash(b, "cpp")


def test_cpp_normalisation_keeps_string_contents_and_tokens() -> None:
    base = 'int main(){ puts("a  // b"); }'
    assert "a  // b" in normalise(base, "cpp")
    assert source_hash(base, "cpp") != source_hash('int main(){ puts("a // b"); }', "cpp")
    assert source_hash("x = a+b;", "cpp") != source_hash("x = a-b;", "cpp")
    assert source_hash("char c = '/'; int d; /* x */", "cpp") != source_hash(
        "char c = '*'; int d;", "cpp"
    )


def test_cpp_directives_stay_on_their_own_lines() -> None:
    a = "#define X 1 // one\nint y = X;"
    b = "#define   X 1\n int y=X ;"
    assert normalise(a, "cpp") == normalise(b, "cpp") == "#define X 1\nint y = X ;"


def test_python_normalisation_ignores_comments_blank_lines_and_indent_width() -> None:
    a = "import sys\n# comment\nfor x in sys.stdin:  # trailing\n    print(x+1)\n\n\n"
    b = "import sys\nfor x in sys.stdin:\n  print( x + 1 )"
    assert normalise(a, "python") == normalise(b, "python")


def test_python_normalisation_keeps_strings_and_structure() -> None:
    assert source_hash("print('# not a comment')", "python") != source_hash("print('')", "python")
    assert source_hash('"""doc"""\nx = 1', "python") != source_hash("x = 1", "python")
    nested = "if a:\n    x()\n    y()\n"
    dedented = "if a:\n    x()\ny()\n"
    assert source_hash(nested, "python") != source_hash(dedented, "python")
    with_space = 's = """a \nb"""'
    without = 's = """a\nb"""'
    assert source_hash(with_space, "python") != source_hash(without, "python")


def test_python_normalisation_survives_invalid_code() -> None:
    broken = "def f(:\n    return  (1,\n"
    assert normalise(broken, "python") == normalise("def f(:\n    return (1,   \n\n", "python")
    assert normalise('x = """never closed', "python") == 'x = """never closed'


def test_tokenizer_round_trips_and_classifies_tricky_literals() -> None:
    source = (
        "#include <bits/stdc++.h>\n#define F(x) \\\n  ((x) + 1)\n"
        'int main() { auto s = R"d(a "quoted" )" b)d"; char c = \'\\\'\'; '
        "long n = 1'000'000; n <<= 2; /* <= */ return n >= 0 ? 0 : 1; }\n"
    )
    tokens = tokenize_cpp(source)
    assert "".join(t.text for t in tokens) == source
    kinds = {t.text: t.kind for t in tokens}
    assert kinds['R"d(a "quoted" )" b)d"'] is CppKind.STRING
    assert kinds["'\\''"] is CppKind.CHAR
    assert kinds["1'000'000"] is CppKind.NUMBER
    assert kinds["<<="] is CppKind.PUNCT
    assert kinds["/* <= */"] is CppKind.COMMENT
    assert kinds["#define F(x) \\\n  ((x) + 1)"] is CppKind.DIRECTIVE


def test_tokenizer_round_trips_real_solutions(shared_problems: Path) -> None:
    files = sorted(shared_problems.glob("**/submissions/**/*.cpp"))[:40]
    files += sorted(shared_problems.glob("**/solutions/**/*.cpp"))[:20]
    assert files
    for path in files:
        source = path.read_text(encoding="utf-8", errors="replace")
        assert "".join(t.text for t in tokenize_cpp(source)) == source, path
