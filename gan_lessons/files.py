"""Files the package writes: one way to write them, so a cache can be shared.

Everything the course keeps on disk (MNIST in the cache, the MNIST classifiers, a ``Trainer``'s
checkpoints) goes through :func:`write_atomically`: the content is written to a temporary file beside
the target and renamed over it only once it is complete, so a reader never sees half a file and an
interrupted write leaves the old file (or none). The new file gets the mode ``open()`` gives, 0666 less
the umask (0644 under the usual umask 022), so one cache folder can serve a whole class (README, "Data
and caches"); ``tempfile.mkstemp`` would make it 0600, readable by its writer alone.
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
