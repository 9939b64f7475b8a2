"""Claims: what a lesson says its run shows, checked by that run and shown as a line a learner reads.

A GAN run is random: another seed, another CPU or a GPU is another run, and a run that misses a bound is
not a broken notebook. So a lesson states each statistical self-check once, in words, with what its run
measured::

    claim("G has learned N(1, 1): its samples are within 0.1 of the data in W1",
          metrics["W1"] < 0.1, f"W1 {metrics['W1']:.3f}",
          otherwise="another seed may need more steps; the panel below shows what each setting does")

which prints ``✓ G has learned N(1, 1): ... (W1 0.071)``. When it does not hold, a learner sees
``✗ ...`` with what it means and what to try, and Run All goes on; in strict mode
(``GAN_LESSONS_STRICT=1``: CI's nbval run and the site build) it raises :class:`ClaimFailed`.
Facts that hold by mathematics or mechanics (shapes, identities, two code paths that must agree) stay
plain ``assert`` statements.

``checked_in`` names the budgets whose runs are long enough to show the claim; in the others the line
says so and nothing is checked. With ``GAN_LESSONS_CLAIMS_LOG`` set to a file, each claim appends one
JSON line (text, budget, checked, holds, measured): CI collects the logs of the ``test`` nbval run and
the ``lecture`` site build, and ``tests/test_claims.py`` fails when a claim in a lesson's source was
checked in neither (a claim moved under a condition no CI budget meets, say).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .config import BUDGETS, current_budget

STRICT_ENV = "GAN_LESSONS_STRICT"
LOG_ENV = "GAN_LESSONS_CLAIMS_LOG"


class ClaimFailed(AssertionError):
    """A lesson's claim did not hold in strict mode (an AssertionError, so nbval and Sphinx report it)."""


def strict() -> bool:
    """True where a failed claim must stop the run (``GAN_LESSONS_STRICT=1``)."""
    return os.environ.get(STRICT_ENV, "").strip() == "1"


def _record(entry: dict) -> None:
    path = os.environ.get(LOG_ENV, "").strip()
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:  # one line at a time: short appends do not interleave
            f.write(json.dumps(entry) + "\n")


def claim(text: str, holds, measured: str = "", *, otherwise: str = "",
          checked_in: tuple[str, ...] = BUDGETS) -> None:
    """Check one claim of a lesson and print it as a line.

    ``text`` says the claim in words (a literal string: tests find the claims in the lessons' sources by
    it); ``holds`` is the check; ``measured`` the figures it rests on, as this run measured them;
    ``otherwise`` what a miss means and what to try. ``checked_in``: the budgets in which it is checked.
    It returns nothing, so a cell that ends with a claim shows only its line (name the check, as
    ``shown = ...``, where the lesson's text depends on it).
    """
    unknown = set(checked_in) - set(BUDGETS)
    if unknown or not checked_in:
        raise ValueError(f"checked_in must name budgets among {', '.join(BUDGETS)}, got {checked_in!r}")
    budget = current_budget()
    checked = budget in checked_in
    held = bool(holds)
    _record({"claim": text, "budget": budget, "checked": checked, "holds": held, "measured": measured})
    detail = f" ({measured})" if measured else ""
    if not checked:
        print(f"· {text}{detail}: not checked in the {budget!r} budget, whose run is too short to show it")
        return
    if held:
        print(f"✓ {text}{detail}")
        return
    line = f"✗ {text}{detail}: this run did not show it."
    if otherwise:
        line += f" {otherwise}"
    if strict():
        raise ClaimFailed(f"{line} ({STRICT_ENV}=1)")
    print(line)
