"""Shared fixtures for engine tests: a tiny random Llama with a real tokenizer
(built by `solver.sampling.tiny_model`), shared by every test of a session, and
helpers for the test servers."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from solver.sampling.tiny_model import build_tiny_model


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama model directory, built once per test session."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """End a process this test started, by its pid: terminate, then kill."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
