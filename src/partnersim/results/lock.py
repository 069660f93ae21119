"""An exclusive lock on a results folder, held by one command at a time.

``sweep``, ``resume``, ``rerun`` and ``report`` write into a results folder; two of them at
once on one folder would duplicate runs or interleave files. Each holds an OS file lock
(``flock``) on a lock file beside the folder, ``.<name>.lock``, for the whole command. The lock
file says who holds it (command, PID, host, start time), so a second command exits naming the
holder. The OS releases the lock when its holder exits for any reason (even ``kill -9``), so a
crash never leaves a folder locked; the lock file itself is removed on a clean release.

The lock file sits beside the folder rather than in it because a new sweep's folder does not
exist until it is renamed into place, complete with its manifest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from partnersim.results.errors import ResultsError


class FolderLocked(ResultsError):
    """Another command holds the lock on a results folder."""


def lock_path(folder: Path) -> Path:
    """The lock file of a results folder: ``.<name>.lock`` in its parent folder."""
    folder = Path(folder).absolute()
    return folder.with_name(f".{folder.name}.lock")


@contextlib.contextmanager
def locked(folder: str | Path, command: str) -> Iterator[None]:
    """Hold the exclusive lock on ``folder`` while the block runs.

    Args:
        folder: the results folder (it need not exist yet; its parent is created).
        command: what holds the lock, shown to whoever finds it held (``"partnersim sweep"``).

    Raises:
        FolderLocked: another process holds the lock; the message names its PID and host.
        ResultsError: the lock file cannot be created.
    """
    path = lock_path(Path(folder))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(f"{folder}: cannot create its parent folder ({exc.strerror})") from None
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise ResultsError(f"{path}: cannot create the lock file ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise FolderLocked(
                f"{folder}: in use by {holder}; wait for it to finish (or stop it), then retry "
                f"(lock file {path})"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise ResultsError(f"{path}: cannot lock ({exc.strerror})") from None
        # A holder releasing as we opened may have unlinked the file we locked: lock the
        # file that is at the path now, or two commands would each hold a lock.
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        record = {
            "command": command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still held: nobody can be waiting on this inode's lock
        os.close(fd)


def _holder(fd: int) -> str:
    """Who holds a lock, from its lock file: ``partnersim sweep (PID 12, host h, since t)``."""
    try:
        record = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        return (
            f"{record['command']} (PID {record['pid']} on host {record['host']}, "
            f"since {record['since']})"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (its lock file names no holder yet)"
