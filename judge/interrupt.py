"""Stopping a judging run cleanly on Ctrl-C or SIGTERM.

Inside `interruptible()` the first SIGINT or SIGTERM raises `Interrupted` in the
judging process (once; later ones are ignored while it shuts down), so the
`Judge` context closes normally: running jobs finish, every worker closes its
sandbox (runner stopped, mount folder removed) and every result judged so far is
already in the cache. The judge's workers, and the sandbox runners they start,
ignore both signals at the kernel level: a terminal's Ctrl-C (or `timeout`)
signals the whole process group, and only the judging process decides what
happens, so no worker or runner dies half-way or prints a traceback."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """The judging process was asked to stop; `signal_name` says by which signal."""

    def __init__(self, signal_number: int) -> None:
        self.signal_number = signal_number
        self.signal_name = signal.Signals(signal_number).name
        super().__init__(f"stopped by {self.signal_name}")


class Stopper:
    """The signal handling of one `interruptible()` block."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.raised = False

    def handle(self, number: int, _frame: FrameType | None) -> None:
        """Raise `Interrupted` in the judging process, the first time only."""
        if os.getpid() != self.owner:
            # A child forked after `arm` that has not exec'd: the signal is for
            # the judging process to handle (it stops its children in order).
            return
        if self.raised:
            return
        self.raised = True
        raise Interrupted(number)

    def arm(self) -> None:
        """Call once the judge's workers are started (they inherited SIG_IGN, and
        so do the sandbox runners they start): from now on SIGINT and SIGTERM
        raise `Interrupted` in this process."""
        for number in STOP_SIGNALS:
            signal.signal(number, self.handle)


@contextmanager
def interruptible() -> Iterator[Stopper]:
    """SIGINT and SIGTERM raise `Interrupted` in this process once
    `Stopper.arm()` is called; until then they are ignored, so that processes
    started meanwhile (the judge's workers, and through them the sandbox
    runners) inherit that: a signal sent to the whole process group (a
    terminal's Ctrl-C, `timeout`, a service manager) is then handled by the
    judging process alone, which stops its workers in order. The previous
    handlers are restored on exit."""
    stopper = Stopper()
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    try:
        yield stopper
    finally:
        for number, old in previous.items():
            signal.signal(number, old if old is not None else signal.SIG_DFL)
