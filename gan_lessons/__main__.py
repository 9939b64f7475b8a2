"""``python -m gan_lessons COMMAND [options]``: the course's commands; alone, the list of them.

    python -m gan_lessons                    # each command with one line
    python -m gan_lessons evaluate --help    # a command's options
"""

from __future__ import annotations

import importlib
import sys

from .commands import COMMANDS


def usage() -> str:
    width = max(map(len, COMMANDS))
    return ("usage: python -m gan_lessons COMMAND [options]   (COMMAND --help for its options)\n\ncommands:\n"
            + "\n".join(f"  {name:<{width}}  {what}" for name, (_, what) in COMMANDS.items()))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    return importlib.import_module(COMMANDS[name][0]).main(rest)


if __name__ == "__main__":
    raise SystemExit(main())
