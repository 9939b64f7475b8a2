"""Files the package writes: one way to write them, so a cache can be shared.

Everything the course keeps on disk (MNIST in the cache, the MNIST classifiers, a ``Trainer``'s
checkpoints) goes through :func:`write_atomically`: the content is written to a temporary file beside
the target and renamed over it only once it is complete, so a reader never sees half a file and an
interrupted write leaves the old file (or none). The new file gets the mode ``open()`` gives, 0666 less
the umask (0644 under the usual umask 022), so one cache folder can serve a whole class (README, "Data
and caches"); ``tempfile.mkstemp`` would make it 0600, readable by its writer alone. The commands check
with :func:`check_writable`, before any work, that what they will write can be written.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO, Callable


def write_atomically(path, write: Callable[[BinaryIO], object]) -> Path:
    """Create or replace ``path`` with what ``write(f)`` writes to the binary file ``f``; return the path.

    The parent folders are created if needed. On any error (in ``write`` too) the temporary file is
    removed and the error raised; ``path`` is then as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "xb") as f:  # "x": a new file, never someone else's; its mode honours the umask
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def check_writable(path, option: str, *, folder: bool = False) -> None:
    """Raise ValueError unless ``path`` (given as ``option``) can be written: a file, or with ``folder`` a
    folder to write into. What does not exist yet is fine where the nearest existing folder is writable."""
    path = Path(path)
    kind = "folder" if folder else "file"
    if path.exists() and path.is_dir() != folder:
        raise ValueError(f"{option} {path}: that is a {'file' if folder else 'folder'}, not a {kind}")
    base = path if path.is_dir() else next(p for p in path.absolute().parents if p.exists())
    if not base.is_dir():
        raise ValueError(f"{option} {path}: {base} is a file, so no {kind} can be made under it")
    if not os.access(base, os.W_OK):
        raise ValueError(f"{option} {path}: {base} is not writable")
