"""`cpsolve doctor`: which sandbox and protections the judge will use here."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `doctor` parser."""
    parser = sub.add_parser(
        "doctor", help="show which sandbox backend and protections the judge will use"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the diagnosis of judge.sandbox.doctor; exit code 1 when no sandbox
    can run here (the reason is printed)."""
    from judge.sandbox.doctor import diagnose, format_text

    diagnosis = diagnose()
    if args.json:
        print(json.dumps(diagnosis.to_json(), indent=2))
    else:
        print(format_text(diagnosis))
    return 0 if diagnosis.mode is not None else 1
