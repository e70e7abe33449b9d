"""Stage 2, files: how the site's files are opened, read and written.

A page is opened without following a symbolic link or waiting on a FIFO, and read
whole (``read_page``: its bytes, or ``Unreadable`` saying why not). A page is written
atomically (``write_atomic``: a temporary file in the same folder, then a rename; mode,
owner and group kept as far as allowed) or in place (``write_in_place``: its space
reserved first), and in both cases only while it is still the file that was read
(else ``PageReplaced``). The site's lock (``site_lock``) keeps two runs that write from
working on one site at once; the ``Closer`` thread closes the pages a process has
replaced, so the wait for the disk to free them does not hold up the next page.

Nothing here knows what a page means: that is the page stage's, and what to write the
site stage's.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import queue
import resource
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import PageReplaced, RtpSnippetsError, SiteBusy

LOCK_NAME = ".rtp-snippets.lock"
_TEMPORARY = itertools.count()  # with the process id, names temporary files uniquely


# --- opening and reading ------------------------------------------------------------


def page_opener(path: str, flags: int) -> int:
    """The ``opener`` for what is read from a site (pages, our bundle files): no symbolic
    link is followed, and a FIFO put in a file's place since the listing is not waited on
    (the caller checks the kind with fstat)."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def not_a_regular_file(mode: int) -> str:
    """Why a file of this ``st_mode`` is not read as a page; '' for a regular file."""
    if stat.S_ISREG(mode):
        return ""
    kinds = {
        stat.S_IFIFO: "a FIFO",
        stat.S_IFCHR: "a character device",
        stat.S_IFBLK: "a block device",
        stat.S_IFSOCK: "a socket",
        stat.S_IFDIR: "a folder",
        stat.S_IFLNK: "a symbolic link",
    }
    return f"not a regular file ({kinds.get(stat.S_IFMT(mode), 'of an unknown kind')})"


@dataclass(frozen=True)
class Unreadable:
    """Why a page's bytes were not read: it cannot be opened or read, or it is no longer a
    regular file (it was listed as one)."""

    reason: str


def read_page(root: str, path: str) -> bytes | Unreadable:
    """The bytes of the page at ``path`` (``/``-rooted) under ``root``, or ``Unreadable``."""
    try:
        with open(os.path.join(root, path[1:]), "rb", opener=page_opener) as handle:
            kind = not_a_regular_file(os.fstat(handle.fileno()).st_mode)
            if kind:
                return Unreadable(kind)
            return handle.read()
    except OSError as error:
        return Unreadable(f"cannot read: {error.strerror}")


# --- writing ------------------------------------------------------------------------


def hard_links_warning(links: int) -> str:
    if links < 2:
        return ""
    others = links - 1
    return (
        f"the file had {links} hard links: this name now has the new content, the other "
        f"{others} {'keeps' if others == 1 else 'keep'} the old (pages are replaced, not "
        "edited in place)"
    )


def write_in_place(path: str, data: bytes, before: os.stat_result) -> None:
    """Rewrite the page at ``path`` with ``data`` in place. The space is reserved first, so
    a full disk fails before a byte of the page changes; the file must still be the one
    read (``before``: same device and inode), else OSError."""
    descriptor = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        now = os.fstat(descriptor)
        if not same_file(now, before):
            raise PageReplaced
        if len(data) > now.st_size:
            try:
                os.posix_fallocate(descriptor, 0, len(data))
            except OSError as error:
                if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                    raise
        view = memoryview(data)
        offset = 0
        while offset < len(data):
            offset += os.pwrite(descriptor, view[offset:], offset)
        os.ftruncate(descriptor, len(data))
    finally:
        os.close(descriptor)


def same_file(now: os.stat_result, before: os.stat_result) -> bool:
    """Whether the file is still the one read: the same file, of the same size and time."""
    return (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns) == (
        before.st_dev,
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def write_atomic(
    path: str | Path,
    data: bytes,
    mode: int,
    owner: tuple[int, int] | None = None,
    before: os.stat_result | None = None,
) -> str:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a part.

    ``owner`` (uid, gid) is given to the new file as far as this process may: only root
    may give a file away, and a user only to a group of their own. With ``before`` (the
    status of the file read), raises PageReplaced, leaving the file as it is, when the file
    at ``path`` is no longer that one just before it is replaced. Returns a warning when
    the owner could not be kept, else ''.
    """
    folder = os.path.dirname(path)
    # Not named after the file: a name of 230 bytes or more would not leave room for it.
    temporary = os.path.join(folder, f".{os.getpid()}.{next(_TEMPORARY)}.rtp-snippets.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    warning = ""
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            if owner is not None:
                warning = keep_owner(descriptor, *owner)
            os.fchmod(descriptor, mode)  # after the owner: a change of owner clears set-user-ID
        finally:
            os.close(descriptor)
        if before is not None and not same_file(os.stat(path, follow_symlinks=False), before):
            raise PageReplaced
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return warning


def keep_owner(descriptor: int, uid: int, gid: int) -> str:
    """Give the open file this owner and group, or as much of it as allowed; a warning
    when the file does not end up with both."""
    current = os.fstat(descriptor)
    if (current.st_uid, current.st_gid) == (uid, gid):
        return ""
    try:
        os.fchown(descriptor, uid, gid)
        return ""
    except OSError:
        pass
    if current.st_gid != gid:
        with contextlib.suppress(OSError):
            os.fchown(descriptor, -1, gid)
    now = os.fstat(descriptor)
    return (
        f"its owner could not be kept (it was uid {uid}, gid {gid}; it is now uid "
        f"{now.st_uid}, gid {now.st_gid}): make sure the web server can still read it"
    )


# --- the site's lock ----------------------------------------------------------------


_HELD_LOCKS: set[int] = set()  # descriptors of the lock files this process holds


def _forget_locks() -> None:
    """In a forked worker: close the lock's descriptor, so that the lock is the parent's
    alone and ends with it (a worker of a killed run may live on)."""
    for descriptor in _HELD_LOCKS:
        os.close(descriptor)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks)


@contextlib.contextmanager
def site_lock(root: str | Path) -> Iterator[None]:
    """Hold the site for one run; raise ``SiteBusy`` while another run holds it.

    The lock is ``flock`` on the file LOCK_NAME at the site root, which names the
    process holding it. The kernel drops a ``flock`` when its process dies, however it
    dies, so the file a killed run leaves behind is taken over, and a process id that
    happens to be in use again is never mistaken for a run. The holder deletes the file
    when it is done, before it unlocks; a run that only finds the lock held never
    deletes it.
    """
    import fcntl  # POSIX only: imported here so that the module still loads elsewhere

    path = os.path.join(root, LOCK_NAME)
    while True:
        try:
            descriptor = os.open(
                path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644
            )
        except OSError as error:
            raise RtpSnippetsError(
                f"{path}: cannot create the lock file: {error.strerror}"
            ) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _lock_owner(descriptor)
            os.close(descriptor)
            raise SiteBusy(
                f"another rtp-snippets run (pid {owner}) is working on this site; "
                "try again when it has finished"
            ) from None
        # The run before us may have deleted the file between our open and our lock.
        try:
            current = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            current = None
        held = os.fstat(descriptor)
        if current is not None and os.path.samestat(held, current):
            break
        os.close(descriptor)
    # O_NOFOLLOW refuses a symbolic link, not a hard link: a lock file with another name
    # may be another file's data, which writing the process id would destroy.
    if held.st_nlink != 1 or not stat.S_ISREG(held.st_mode):
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
        names = f"has {held.st_nlink} names (hard links)" if held.st_nlink != 1 else "is no file"
        raise RtpSnippetsError(
            f"{path}: the lock file {names}: it may be another file's; delete it if no "
            "rtp-snippets run is working on this site"
        )
    _HELD_LOCKS.add(descriptor)
    try:
        # The process id is for the message of a refused run; the lock works without it
        # (on a full disk, say).
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        _HELD_LOCKS.discard(descriptor)
        os.close(descriptor)


def _lock_owner(descriptor: int) -> str:
    """The process id in a held lock file; its holder may not have written it yet."""
    for _ in range(100):
        text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
        if text:
            return text if text.isdigit() else "unknown"
        time.sleep(0.01)
    return "unknown"


# --- closing replaced pages ---------------------------------------------------------


class Closer:
    """Closes, in a thread of its own, the pages that a process has replaced.

    A replaced page is freed when the last descriptor open on it is closed, and freeing
    can wait on the disk: on ext4 without a journal mounted with ``discard``, as here,
    each page's blocks wait for their discard. The site stage (``site._process``) keeps
    the page it read open until it is replaced, so that wait moves from the rename to the
    close, which this thread does while the process goes on with the next page. At most
    PENDING pages wait, and at most an eighth of the descriptors the process may open
    (the page being done needs two or three). The run's process makes one for its pages and
    ``finish``es it before it returns (closing them all; no thread of it is left for
    the next run's workers to be forked with); a worker has one (WORKER_CLOSER),
    which ends with the worker: its exit closes what is left, before the run waiting
    for it goes on.
    """

    PENDING = 64

    def __init__(self) -> None:
        self._queue: queue.Queue[BinaryIO | None] | None = None
        self._thread: threading.Thread | None = None

    def close(self, handle: BinaryIO) -> None:
        if self._queue is None or self._thread is None:
            # Read when the thread starts: the Go runtime in esbuild-py raises the soft
            # limit to the hard one when it starts, after this module is imported.
            allowed = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
            pending = self.PENDING
            if allowed != resource.RLIM_INFINITY:
                pending = max(1, min(pending, allowed // 8))
            self._queue = queue.Queue(maxsize=pending)
            self._thread = threading.Thread(
                target=self._run, args=(self._queue,), name="rtp-snippets-close", daemon=True
            )
            self._thread.start()
        self._queue.put(handle)

    @staticmethod
    def _run(handles: queue.Queue[BinaryIO | None]) -> None:
        while (handle := handles.get()) is not None:
            with contextlib.suppress(OSError):  # it was only read
                handle.close()

    def finish(self) -> None:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        self._queue = self._thread = None


WORKER_CLOSER = Closer()  # a worker process's (never started in the run's own process)
