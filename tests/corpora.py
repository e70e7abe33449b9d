"""The real-page corpora, read from the archives in tests/corpus/ (see its README.md).

Each archive holds one folder, ``<name>/``, with the corpus byte for byte. Tests
that only read pages take them from memory (``pages``, ``read_corpus``); tests
that need files on disk, such as ``inject_site`` runs, write a fresh copy with
``extract_corpus``. Benchmarks, run by hand, reuse one copy (``extracted``).
"""

from __future__ import annotations

import functools
import hashlib
import os
import tarfile
from pathlib import Path, PurePosixPath

ARCHIVES = Path(__file__).resolve().parent / "corpus"
NAMES = ("site-a", "html5lib-tests")


def read_corpus(name: str) -> dict[str, bytes]:
    """Every file of the corpus (README.md included), by path inside its folder, sorted."""
    return dict(_files(name))


def pages(name: str) -> dict[str, bytes]:
    """The corpus's ``.html`` documents, by path inside its folder, sorted."""
    return {path: data for path, data in _files(name).items() if path.endswith(".html")}


def extract_corpus(name: str, target: Path) -> Path:
    """Write every file of the corpus into ``target`` as writable copies (files 0644,
    folders 0755) and return ``target``."""
    for path, data in _files(name).items():
        file = target / path
        file.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        file.write_bytes(data)
        file.chmod(0o644)
    return target


def extracted(name: str, cache: Path) -> Path:
    """The corpus as files in ``cache``, extracted on first use. The folder is named
    after the archive's digest, so a changed archive never meets a stale copy."""
    digest = hashlib.sha256((ARCHIVES / f"{name}.tar.xz").read_bytes()).hexdigest()[:12]
    target = cache / f"{name}-{digest}"
    if not target.is_dir():
        # Extracted under another name and renamed, so an interrupted run leaves no
        # half-written copy behind under the final name.
        partial = extract_corpus(name, cache / f"{target.name}.partial-{os.getpid()}")
        partial.rename(target)
    return target


@functools.cache
def _files(name: str) -> dict[str, bytes]:
    if name not in NAMES:
        raise ValueError(f"no corpus {name!r}; the corpora are {', '.join(NAMES)}")
    files = {}
    with tarfile.open(ARCHIVES / f"{name}.tar.xz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            path = PurePosixPath(member.name)
            # Only plain relative paths inside the corpus folder are ever written to disk.
            if path.parts[0] != name or len(path.parts) < 2 or ".." in path.parts:
                raise ValueError(f"{name}.tar.xz: unexpected member {member.name!r}")
            files[path.relative_to(name).as_posix()] = archive.extractfile(member).read()
    return dict(sorted(files.items()))
