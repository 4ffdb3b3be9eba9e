"""The precompiled <bits/stdc++.h> (judge/pch.py): which builds may use it, that
a build using it compiles and runs the same as without it, that it is never
used where the flags differ or something comes before the include, and that
nothing a sandboxed program does can change it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judge import pch
from judge.compile import Build, compile_build
from judge.languages import get_language
from judge.pool import WorkerPool, worker_sandbox
from judge.programs import Program
from judge.sandbox import (
    LocalSandbox,
    Process,
    ResourceLimits,
    RunRequest,
    RunResult,
    RunStatus,
    Sandbox,
)

INCLUDE = b"#include <bits/stdc++.h>\n"
PROGRAM = INCLUDE + (
    b"using namespace std;\n"
    b"int main(){ long long n; cin >> n; vector<long long> v(n); iota(v.begin(), v.end(), 1);\n"
    b"  map<long long,int> m; for (auto x : v) m[x % 7]++;\n"
    b"  cout << accumulate(v.begin(), v.end(), 0LL) << ' ' << m.size() << '\\n'; }\n"
)
RUN_LIMITS = ResourceLimits(
    cpu_time_s=5.0, wall_time_s=20.0, memory_bytes=256 * 1024**2, output_bytes=1024**2
)
AVAILABLE, WHY_NOT = LocalSandbox.available()

comment = st.sampled_from([b"// a comment\n", b"/* block\n comment */", b"\n", b"  \t", b"\r\n"])


# -- which builds may use the header (pure) ---------------------------------------------


@given(st.lists(comment, max_size=6))
def test_comments_and_space_before_the_include_keep_it_first(prefix: list[bytes]) -> None:
    assert pch.starts_with_header(b"".join(prefix) + INCLUDE + b"int main(){}\n")


@given(
    st.lists(comment, max_size=3),
    st.sampled_from(
        [
            b"#define int long long\n",
            b'#pragma GCC optimize("O3")\n',
            b"#include <cstdio>\n",
            b"int x;\n",
            b"\xef\xbb\xbf",  # a byte-order mark
            b"// continued \\\n",
        ]
    ),
)
@settings(max_examples=60)
def test_anything_but_comments_before_the_include_means_no_header(
    prefix: list[bytes], before: bytes
) -> None:
    source = b"".join(prefix) + before + INCLUDE + b"signed main(){}\n"
    assert not pch.starts_with_header(source)
    assert not pch.eligible([("main.cpp", source)])


def test_the_include_written_other_ways() -> None:
    assert pch.starts_with_header(b"#  include<bits/stdc++.h> // all\n")
    assert not pch.starts_with_header(b'#include "bits/stdc++.h"\n')
    assert not pch.starts_with_header(b"#include <bits/stdc++.h> \\\nint x;\n")
    assert not pch.starts_with_header(b"/* never closed #include <bits/stdc++.h>\n")


def test_eligible_builds() -> None:
    other = b"#include <cstdio>\nint f(){return 1;}\n"
    assert pch.eligible([("main.cpp", PROGRAM), ("grader.cpp", other)])
    assert not pch.eligible([("main.cpp", other)]), "nothing to gain without the include"
    late = b"#include <cstdio>\n#include <bits/stdc++.h>\n"
    assert not pch.eligible([("main.cpp", PROGRAM), ("grader.cpp", late)])
    assert not pch.eligible([("main.cpp", PROGRAM), ("task.h", INCLUDE)]), "a header is never"
    assert not pch.eligible([("main.cpp", PROGRAM)], [("task.h", INCLUDE)]), "nor a copied file"
    assert pch.eligible([("main.cpp", PROGRAM)], [("task.h", b"int f();\n")])
    assert pch.eligible([("main.cc", PROGRAM)], (), get_language("cpp").extensions)
    assert not pch.eligible([("main.cc", PROGRAM)], (), (".cpp",))


headers = st.sampled_from(["algorithm", "cstdio", "vector", "bits/stdc++.h", "sys/types.h"])


@given(st.lists(st.tuples(st.lists(comment, max_size=2), headers), max_size=5))
def test_leading_includes_read_the_block_through_comments(
    lines: list[tuple[list[bytes], str]],
) -> None:
    source = b"".join(b"".join(before) + f"#include <{name}>\n".encode() for before, name in lines)
    assert pch.leading_includes(source + b"int main(){}\n") == tuple(n for _, n in lines)


def test_the_block_ends_at_anything_else() -> None:
    assert pch.leading_includes(b"#include <cstdio> // io\n#include<vector>\nint x;\n") == (
        "cstdio",
        "vector",
    )
    assert pch.leading_includes(b'#include <cstdio>\n#include "a.h"\n#include <vector>\n') == (
        "cstdio",
    )
    assert pch.leading_includes(b"#define N 5\n#include <cstdio>\n") == ()
    assert pch.leading_includes(b"#include <cstdio> /* x */\n#include <vector>\n") == ()
    assert pch.leading_includes(b"#include <cstdio> // go on \\\n#include <vector>\n") == ()
    assert pch.leading_includes(b"#include <cstdio>\n#include <vector> \\\nint x;\n") == ("cstdio",)


def test_a_block_is_shared_by_every_compiled_source() -> None:
    one = b"#include <cstdio>\n#include <vector>\nint main(){}\n"
    other = b"#include <cstdio>\nint f(){return 1;}\n"
    assert pch.block_of([("main.cpp", one)]) == ("cstdio", "vector")
    assert pch.block_of([("main.cpp", one), ("grader.cpp", one)]) == ("cstdio", "vector")
    assert pch.block_of([("main.cpp", one), ("grader.cpp", other)]) == ()
    assert pch.block_of([("main.cpp", one), ("task.h", other)]) == ("cstdio", "vector")
    assert pch.block_of([("main.cpp", b"int main(){}\n")]) == ()


def test_flags_come_from_the_language_table() -> None:
    cpp, cpp20 = get_language("cpp"), get_language("cpp20")
    flags = pch.flags_of(cpp)
    assert flags is not None and flags[0].endswith("g++") and "-O2" in flags
    assert "-o" not in flags and all("{" not in flag for flag in flags)
    assert pch.flags_of(get_language("c")) is None
    assert pch.flags_of(get_language("python")) is None
    cpp20_flags = pch.flags_of(cpp20)
    assert cpp20_flags is not None
    assert pch.header_key(flags) != pch.header_key(cpp20_flags)


# -- the header in the sandbox -----------------------------------------------------------


class Recording:
    """The worker's real sandbox, remembering every request it ran."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.requests: list[RunRequest] = []

    def run(self, request: RunRequest) -> RunResult:
        self.requests.append(request)
        return self.sandbox.run(request)

    def close(self) -> None:
        self.sandbox.close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    if not AVAILABLE:
        pytest.skip(WHY_NOT)
    with WorkerPool(0):
        yield worker_sandbox()


@pytest.fixture(scope="module")
def cache(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the header for `cpp` (built once for the module, at
    the BUILD_AFTER-th request: the ones before get none and build nothing)."""
    folder = tmp_path_factory.mktemp("pch-cache")
    recording = Recording(sandbox)
    for _ in range(pch.BUILD_AFTER - 1):
        assert pch.header_for(get_language("cpp"), recording, folder) is None
    assert not recording.requests
    assert pch.header_for(get_language("cpp"), recording, folder) is not None
    assert len(recording.requests) == 1 and recording.requests[0].processes[0].trusted
    return folder


def _fresh(cache: Path, tmp_path: Path) -> Path:
    """A cache folder sharing `cache`'s header but no compiled program."""
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "pch").symlink_to(cache / "pch")
    return folder


def _run(sandbox: Sandbox, binary: Path, work: Path, stdin: bytes) -> bytes:
    (work / "input").write_bytes(stdin)
    result = sandbox.run(
        RunRequest(
            processes=(Process(argv=("./prog",), limits=RUN_LIMITS, stdin="in", stdout="out"),),
            files_in=(("prog", str(binary)), ("in", str(work / "input"))),
            files_out=(("out", str(work / "output")),),
        )
    )
    assert result.error is None and result.processes[0].status is RunStatus.OK, result
    return (work / "output").read_bytes()


@pytest.mark.slow
def test_a_program_compiles_and_runs_the_same_with_and_without(
    sandbox: Sandbox, cache: Path, tmp_path: Path
) -> None:
    program = Program("cpp", (("main.cpp", PROGRAM),), "p")
    recording = Recording(sandbox)
    with_header = compile_build(Build(program), recording, _fresh(cache, tmp_path))
    (request,) = recording.requests
    assert request.read_only_dirs and request.read_only_dirs[0][0] == pch.BOX_DIR
    assert f"-I{pch.BOX_DIR}" in request.processes[0].argv
    plain_cache = tmp_path / "plain"
    without = compile_build(Build(program), sandbox, plain_cache, precompiled=False)
    assert with_header.ok and without.ok
    assert not (plain_cache / "pch").exists()
    assert with_header.artifact_path.read_bytes() == without.artifact_path.read_bytes()
    for stdin in (b"1\n", b"1000\n", b"200000\n"):
        assert _run(sandbox, with_header.artifact_path, tmp_path, stdin) == _run(
            sandbox, without.artifact_path, tmp_path, stdin
        )


@pytest.mark.slow
def test_a_macro_before_the_include_compiles_exactly_as_before(
    sandbox: Sandbox, cache: Path, tmp_path: Path
) -> None:
    source = b"#define LOCAL 1\n" + PROGRAM
    program = Program("cpp", (("main.cpp", source),), "p")
    recording = Recording(sandbox)
    compiled = compile_build(Build(program), recording, _fresh(cache, tmp_path))
    assert compiled.ok
    (request,) = recording.requests
    assert request.read_only_dirs == ()
    assert request.processes[0].argv == get_language("cpp").compile_argv("main.cpp", ["main.cpp"])
    assert _run(sandbox, compiled.artifact_path, tmp_path, b"5\n") == b"15 5\n"


@pytest.mark.slow
def test_gcc_uses_the_header_only_with_the_flags_it_was_built_for(cache: Path) -> None:
    """The header is built in the sandbox for the table's flags: g++ (here on the
    host, reading the cached file) uses it with exactly those flags and refuses it
    with another standard or optimisation level."""
    flags = pch.flags_of(get_language("cpp"))
    assert flags is not None
    include = cache / "pch" / pch.header_key(flags) / "include"
    main = cache / "main.cpp"
    main.write_bytes(PROGRAM)

    def used(*options: str) -> bool:
        done = subprocess.run(
            [*options, f"-I{include}", "-H", "-Winvalid-pch", "-fsyntax-only", str(main)],
            capture_output=True,
            text=True,
            check=True,
        )
        return f"! {include}/bits/stdc++.h.gch" in done.stderr

    assert used(*flags)
    assert not used(*[("-std=gnu++20" if f.startswith("-std=") else f) for f in flags])
    assert not used(*[("-O0" if f == "-O2" else f) for f in flags])


@pytest.mark.slow
def test_a_sandboxed_program_cannot_change_the_header(
    sandbox: Sandbox, cache: Path, tmp_path: Path
) -> None:
    """A program in a box with the header mounted (as every compile that uses it
    has) tries to write, remove, rename and add files: every attempt fails and
    the cached header keeps its bytes. The next run without it sees no trace of
    it (no folder, no mount left behind)."""
    flags = pch.flags_of(get_language("cpp"))
    assert flags is not None
    include = cache / "pch" / pch.header_key(flags) / "include"
    gch = include / "bits" / "stdc++.h.gch"
    before = hashlib.sha256(gch.read_bytes()).hexdigest()
    attack = tmp_path / "attack.cpp"
    attack.write_text(
        "#include <cstdio>\n#include <cstring>\n#include <fcntl.h>\n#include <unistd.h>\n"
        "#include <sys/stat.h>\n"
        'int main(){ const char*g=".cpsolve-pch/bits/stdc++.h.gch"; int ok=0, mounts=0;\n'
        ' char line[4096], seen[4096]=""; FILE*m=fopen("/proc/self/mountinfo","r");\n'
        ' while(m&&fgets(line,sizeof line,m)) if(strstr(line,"cpsolve-pch")) {\n'
        "   mounts++; strcpy(seen, line); }\n"
        ' int present=access(".cpsolve-pch",F_OK)==0;\n'
        ' int fd=open(g,O_WRONLY); if(fd>=0&&write(fd,"x",1)==1) ok++;\n'
        " fd=open(g,O_RDWR|O_TRUNC); if(fd>=0) ok++;\n"
        ' if(unlink(g)==0) ok++; if(rename(g,"stolen")==0) ok++;\n'
        " if(chmod(g,0777)==0) ok++;\n"
        ' if(open(".cpsolve-pch/bits/new.h",O_CREAT|O_WRONLY,0644)>=0) ok++;\n'
        ' if(mkdir(".cpsolve-pch/x",0777)==0) ok++;\n'
        ' if(rmdir(".cpsolve-pch/bits")==0) ok++;\n'
        ' if(rename(".cpsolve-pch","moved")==0) ok++;\n'
        ' printf("%d %d %d\\n%s", present, mounts > 0, ok, seen); }\n'
    )
    compiled = compile_build(
        Build(Program("cpp", (("main.cpp", attack.read_bytes()),), "attack")),
        sandbox,
        tmp_path / "plain",
        precompiled=False,
    )
    assert compiled.ok, compiled.message
    for trusted, mounted in ((False, True), (True, True), (False, False)):
        result = sandbox.run(
            RunRequest(
                processes=(
                    Process(argv=("./prog",), limits=RUN_LIMITS, stdout="out", trusted=trusted),
                ),
                files_in=(("prog", str(compiled.artifact_path)),),
                files_out=(("out", str(tmp_path / "out")),),
                read_only_dirs=((pch.BOX_DIR, str(include)),) if mounted else (),
            )
        )
        assert result.error is None and result.processes[0].status is RunStatus.OK, result
        first, _, mount_line = (tmp_path / "out").read_text().partition("\n")
        assert first == ("1 1 0" if mounted else "0 0 0"), (trusted, mounted)
        assert str(cache) not in mount_line, "the mount names no host path"
        assert (pch.BOX_DIR in mount_line) == mounted, "no mount is left behind"
    assert hashlib.sha256(gch.read_bytes()).hexdigest() == before
    assert sorted(path.name for path in include.rglob("*")) == ["bits", "stdc++.h.gch"]


@pytest.mark.slow
def test_a_changed_system_header_makes_the_header_stale(cache: Path, tmp_path: Path) -> None:
    flags = pch.flags_of(get_language("cpp"))
    assert flags is not None
    folder = tmp_path / "copy"
    shutil.copytree(cache / "pch" / pch.header_key(flags), folder)
    manifest_path = folder / "manifest.json"
    assert pch._current(manifest_path)
    manifest = json.loads(manifest_path.read_text())
    manifest["headers"][0][1] += 1  # as if a system header had grown
    manifest_path.write_text(json.dumps(manifest))
    assert not pch._current(manifest_path)
    manifest_path.write_text("{")
    assert not pch._current(manifest_path)


def test_a_language_without_a_header_gets_none(tmp_path: Path) -> None:
    class Unused:
        def run(self, request: RunRequest) -> RunResult:
            raise AssertionError("no header is built for C")

        def close(self) -> None:
            pass

    language = get_language("c")
    assert pch.header_for(language, Unused(), tmp_path) is None
    assert not os.listdir(tmp_path)


BLOCK_PROGRAM = (
    b"// a candidate\n#include <algorithm>\n#include <cstdio>\n#include <vector>\n"
    b'int main(){ int n; if (scanf("%d", &n) != 1) return 1; std::vector<int> v(n);\n'
    b"  for (int i = 0; i < n; i++) v[i] = (i * 7919) % n; std::sort(v.begin(), v.end());\n"
    b"  long long s = 0; for (int i = 0; i < n; i++) s += (long long)v[i] * i;\n"
    b'  printf("%lld\\n", s); }\n'
)


@pytest.mark.slow
def test_an_include_block_is_precompiled_and_compiles_the_same(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A program that starts with three system includes gets their prefix header
    at the BUILD_AFTER-th build that could use it; it compiles to the same bytes
    and runs the same; a program that forgot an include still fails to compile."""
    folder = tmp_path / "cache"
    recording = Recording(sandbox)
    compiled = []
    for index in range(pch.BUILD_AFTER):
        source = BLOCK_PROGRAM + f"// variant {index}\n".encode()
        program = Program("cpp", (("main.cpp", source),), "p")
        compiled.append(compile_build(Build(program), recording, folder))
    argvs = [request.processes[0].argv for request in recording.requests]
    assert not any("-include" in argv for argv in argvs[: pch.BUILD_AFTER - 1])
    built, last = recording.requests[-2:]
    assert built.processes[0].trusted
    assert f"{pch.BOX_DIR}/{pch.PREFIX}" in last.processes[0].argv
    assert last.read_only_dirs and last.read_only_dirs[0][0] == pch.BOX_DIR
    plain = compile_build(
        Build(Program("cpp", (("main.cpp", BLOCK_PROGRAM + b"// variant 2\n"),), "p")),
        sandbox,
        tmp_path / "plain",
        precompiled=False,
    )
    assert compiled[-1].ok and plain.ok
    assert compiled[-1].artifact_path.read_bytes() == plain.artifact_path.read_bytes()
    for stdin in (b"1\n", b"1000\n"):
        assert _run(sandbox, compiled[-1].artifact_path, tmp_path, stdin) == _run(
            sandbox, plain.artifact_path, tmp_path, stdin
        )
    # the same block, a header missing from it: still a compile error, as without
    missing = BLOCK_PROGRAM.replace(b"int main(){", b"std::map<int, int> m;\nint main(){")
    recording.requests.clear()
    failed = compile_build(Build(Program("cpp", (("main.cpp", missing),), "p")), recording, folder)
    assert f"{pch.BOX_DIR}/{pch.PREFIX}" in recording.requests[0].processes[0].argv
    assert not failed.ok and "map" in failed.message
