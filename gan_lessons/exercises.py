"""Checks for the exercises at the end of lessons 01 to 08, and their solutions.

Each exercise asks the learner for one small function. ``check_<name>(fn)`` runs ``fn`` and the
reference on the same random inputs (seeded, so a check is repeatable) and prints ``pass`` or what
differs with a hint; it never raises, so an exercise not yet answered (a stub that raises
``NotImplementedError``, or returns ``None``) only prints a hint and a notebook still runs as a test.
It returns True or False. Hints come in steps: the first failed check of an exercise prints a nudge, the
next one more (``hint("03.1")`` asks for the next step directly); no hint gives the answer away, which
only ``show_solution("03.1")`` prints, written out.

The reference of an exercise is the package's own function where the package has one (imported inside
the reference, so a renamed function breaks that one check and not the module), else the solution.
So every test of a check that passes its solution also checks the solution against the package.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from . import exercise_cases as C
from . import solutions as S
from .exercise_cases import as_array


@dataclass(frozen=True)
class Exercise:
    key: str                         # "03.1": lesson 03, exercise 1
    solution: Callable               # written out; show_solution prints it
    cases: Callable                  # np.random.Generator -> list of argument tuples
    hints: tuple[str, ...]           # a nudge first, then more on a later ask; the answer only in the solution
    reference: Callable | None = None  # the package's function, when it has one; else the solution
    outcome: Callable | None = None  # (fn, args) -> what is compared; default fn(*args)
    tol: tuple = (1e-5, 1e-6)        # (rtol, atol) for np.allclose


def _outcome(ex: Exercise, fn, args):
    return ex.outcome(fn, args) if ex.outcome else fn(*copy.deepcopy(args))


def _differs(got, expected, tol) -> str | None:
    """None if ``got`` matches ``expected``, else what differs, in words."""
    if isinstance(expected, dict):
        for name, value in expected.items():
            problem = _differs(got[name], value, tol)
            if problem:
                return f"{name}: {problem}"
        return None
    if isinstance(expected, bool):
        return None if bool(got) == expected else f"expected {expected}, got {bool(got)}"
    try:
        g, e = as_array(got), as_array(expected)
    except (TypeError, ValueError):
        return f"expected something like {expected!r}, got {got!r}"
    if g.shape != e.shape:
        return f"expected shape {e.shape}, got shape {g.shape}"
    if not np.allclose(g, e, rtol=tol[0], atol=tol[1], equal_nan=False):
        bad = np.argmax(np.abs(g - e).ravel() - tol[0] * np.abs(e).ravel())  # the worst entry (nan counts as worst)
        return f"expected {e.ravel()[bad]:.6g}, got {g.ravel()[bad]:.6g}" + ("" if e.ndim == 0 else f" (entry {bad})")
    return None


def _brief(args) -> str:
    def one(a):
        if isinstance(a, (torch.Tensor, np.ndarray)):
            return f"{type(a).__name__} of shape {tuple(a.shape)}"
        if isinstance(a, torch.nn.Module) or isinstance(a, torch.optim.Optimizer):
            return type(a).__name__
        return repr(a)
    return "(" + ", ".join(one(a) for a in args) + ")"


ASKED: dict[str, int] = {}  # hints shown so far, by exercise: each failed check shows the next step


def next_hint(key: str) -> str:
    """The next step of exercise ``key``'s hints (the last one again once all were shown), as printed."""
    hints = EXERCISES[key].hints
    step = min(ASKED.get(key, 0), len(hints) - 1)
    ASKED[key] = step + 1
    more = "run the check again for a further hint; " if step + 1 < len(hints) else ""
    return f"Hint {step + 1} of {len(hints)}: {hints[step]}\n({more}show_solution({key!r}) prints a solution.)"


def hint(key: str) -> None:
    """Print the next step of exercise ``key``'s hints ("03.1"): a nudge first, more on a second ask."""
    if key not in EXERCISES:
        print(f"no exercise {key!r}; there are {', '.join(EXERCISES)}")
        return
    print(next_hint(key))


def _check(ex: Exercise, fn) -> bool:
    """Run ``fn`` against the reference on every case; print pass or the next hint; never raise."""
    if not callable(fn):
        print(f"{ex.key}: pass your function itself (without calling it), e.g. check(my_function).")
        return False
    reference = ex.reference or ex.solution
    for i, args in enumerate(ex.cases(np.random.default_rng(16))):
        try:
            expected = _outcome(ex, reference, args)
        except Exception as err:  # noqa: BLE001 - a broken reference must not stop the lesson either
            print(f"{ex.key}: the course's reference failed ({type(err).__name__}: {err}), so your answer "
                  "cannot be checked now; please report it.")
            return False
        try:
            got = _outcome(ex, fn, args)
        except NotImplementedError:
            print(f"{ex.key}: not answered yet. Write the function's body, then run the cell again.\n"
                  f"{next_hint(ex.key)}")
            return False
        except Exception as err:  # noqa: BLE001 - the learner's error is shown, not raised
            print(f"{ex.key}: your function raised {type(err).__name__}: {err}\n"
                  f"on the inputs {_brief(args)}.\n{next_hint(ex.key)}")
            return False
        if got is None:
            print(f"{ex.key}: your function returned None: did you forget `return`?\n{next_hint(ex.key)}")
            return False
        problem = _differs(got, expected, ex.tol)
        if problem:
            print(f"{ex.key}: not yet. On test case {i + 1}, inputs {_brief(args)}:\n{problem}\n"
                  f"{next_hint(ex.key)}")
            return False
    print(f"{ex.key}: pass ({i + 1} random cases agree with the reference)")
    return True


IMPORTS = {"np.": "import numpy as np", "torch.": "import torch", "F.": "import torch.nn.functional as F"}


def solution_source(key: str) -> str:
    """The solution of exercise ``key``, with the imports it needs: it runs as it is in a fresh kernel."""
    source = inspect.getsource(EXERCISES[key].solution)
    imports = [line for name, line in IMPORTS.items() if name in source]
    return "\n".join(imports) + "\n\n\n" + source if imports else source


def show_solution(key: str) -> None:
    """Print the solution of exercise ``key`` ("03.1"), written out."""
    if key not in EXERCISES:
        print(f"no exercise {key!r}; there are {', '.join(EXERCISES)}")
        return
    print(solution_source(key))


EXERCISES = {e.key: e for e in [
    Exercise("01.1", S.discriminator_loss, C.logits, reference=S.ref_discriminator_loss, hints=(
        "The loss is minus V, averaged over the minibatch. Try your function with a real logit of -200: "
        "what is log(sigmoid(-200)) in float32?",
        "Rewrite log D(x) and log(1 - D(G(z))) for D = sigmoid(a) with torch.nn.functional.softplus, which "
        "computes log(1 + e^x) without overflow.")),
    Exercise("01.2", S.D_star, C.densities, reference=S.ref_D_star, hints=(
        "D* compares the two densities at each x: which one goes on top of the fraction?",
        "Both are normal densities, p_data = N(1, 1) and p_g = N(g_mean, g_std^2): with different widths each "
        "needs its own normalising factor.")),
    Exercise("01.3", S.generator_gradient, C.d_fake, reference=S.ref_generator_gradient, hints=(
        "Differentiate each loss with respect to D's logit a, not with respect to D.",
        "Write each loss in D = sigmoid(a) (log(1 - D) for minimax, -log D for non_saturating) and use "
        "d sigmoid(a) / da = D (1 - D): one factor cancels.")),
    Exercise("02.1", S.simultaneous_step, C.xy, reference=S.ref_simultaneous_step, hints=(
        "Simultaneous: both players read the same, old (x, y).",
        "x descends dV/dx and y ascends dV/dy: what are these two derivatives for V = xy?")),
    Exercise("02.2", S.alternating_step, C.xy, reference=S.ref_alternating_step, hints=(
        "Alternating: one player moves first, and the other sees where it moved.",
        "Algorithm 1 updates D, the max player y, first; x's step then reads the y just computed.")),
    Exercise("02.3", S.radius_factor, C.eta_k, reference=S.ref_radius_factor, hints=(
        "Write one simultaneous step as a 2 x 2 matrix acting on (x, y); k ascent steps of y act like one "
        "step with a k times larger rate (lesson 02).",
        "In the long run the distance grows, per step, by the modulus of that matrix's eigenvalues.")),
    Exercise("03.1", S.d_step, C.d_step_cases, outcome=lambda fn, a: C.after_step(fn, a, "D"), tol=(1e-5, 1e-6),
             hints=("D's step changes D alone and descends D's loss, minus V (section 2 of the lesson).",
                    "Zero the old gradients first; no gradient needs to flow into G (detach G(z)); backward, "
                    "then step D's optimizer. Descend the loss: do not negate it.")),
    Exercise("03.2", S.g_step, C.g_step_cases, outcome=lambda fn, a: C.after_step(fn, a, "G"), tol=(1e-5, 1e-6),
             hints=("G's step descends the non_saturating loss of lesson 01, averaged over the minibatch.",
                    "Write -log sigmoid(a) with softplus; zero the old gradients, backward, step G's optimizer.")),
    Exercise("03.3", S.w1, C.samples_1d, hints=(
        "In 1-D, to which sample of b should the smallest sample of a be moved?",
        "The optimal transport in 1-D pairs the samples by rank.")),
    Exercise("04.1", S.n_parameters, C.layer_sizes, reference=S.ref_n_parameters, hints=(
        "Count each Linear layer's weights and its biases separately.",
        "A Linear layer from a to b units has one weight per pair of units and one bias per output unit; the "
        "input itself has no parameters.")),
    Exercise("04.2", S.parzen_log_likelihood, C.parzen, reference=S.ref_parzen_log_likelihood, tol=(1e-4, 0.05),
             hints=("p(x) is the average of N Gaussian bumps of width sigma, one on each sample mu_i: take the "
                    "log of that average, with the Gaussian's normalising constant in d dimensions.",
                    "Stay in logs: exp(-|x - mu|^2 / (2 sigma^2)) underflows to 0 in 784 dimensions. "
                    "torch.logsumexp sums exponentials without leaving logs.")),
    Exercise("05.1", S.transposed_conv_size, C.conv_sizes, reference=S.ref_transposed_conv_size, hints=(
        "A transposed convolution runs a convolution backwards: the side it makes is the side a convolution "
        "with the same settings would turn into n.",
        "A convolution maps side m to (m + 2 padding - kernel) // stride + 1: solve that for m, with no "
        "remainder.")),
    Exercise("05.2", S.conv_multiply_adds, C.conv_layers, reference=S.ref_conv_multiply_adds, hints=(
        "Count the work for one output value, then the number of output values.",
        "Each output value sums over in_channels x kernel x kernel inputs; the output's side is an ordinary "
        "convolution's, and there is one output map per output channel.")),
    Exercise("06.1", S.minibatch_features, C.minibatch, reference=S.ref_minibatch_features, tol=(1e-4, 1e-5),
             hints=("Follow the paper's three steps: M = f T, distances between the samples' rows of M, "
                    "then a sum of exp(-distance) over the minibatch.",
                    "M has shape (N, B, C); the distance is an L1 norm over the C axis, and the sum over j "
                    "includes i itself.")),
    Exercise("06.2", S.modes_covered, C.mixture_samples, reference=S.ref_modes_covered, hints=(
        "Two conditions per mode: some sample has it as nearest mode, and that sample is close to it.",
        "Close means within n_std * std of the mode; count the modes that have such a sample, not samples.")),
    Exercise("07.1", S.condition, C.labels, reference=S.ref_condition, hints=(
        "The label joins z as extra input columns.",
        "Turn the labels into one-hot floats and join them to z along the feature dimension, z first.")),
    Exercise("07.2", S.label_agreement, C.probs, reference=S.ref_label_agreement, hints=(
        "What digit does the classifier read in a sample? Its most probable class.",
        "Compare that digit, one per sample, with the label asked for, and average the matches.")),
    Exercise("08.1", S.gradient_penalty, C.critics, reference=S.ref_gradient_penalty, outcome=C.penalty,
             tol=(1e-4, 1e-6), hints=(
        "Three steps: the points between real and fake, the critic's gradient at each of them, then the "
        "penalty on each gradient's norm. eps has one value per pair: reshape it so it broadcasts over a sample.",
        "torch.autograd.grad gives the gradient of the critic's summed scores with respect to x_hat (each score "
        "depends on its own sample only); keep it in the graph so that the critic's step can descend the "
        "penalty. Each sample's norm runs over all of its coordinates, then square (norm - 1) and average.")),
    Exercise("08.2", S.wgan_losses, C.scores, reference=S.ref_wgan_losses, outcome=C.two_losses, hints=(
        "Both losses are means of raw scores: no sigmoid, no log. Which of the two does G's step change?",
        "The critic descends its loss, so its loss is minus the gap it wants to open, E f(x) - E f(G(z)); G "
        "descends its loss, so its loss is minus the score it wants for its samples.")),
    Exercise("08.3", S.best_critic, C.two_samples, outcome=C.critic_gap, hints=(
        "Between two neighbouring grid points a 1-Lipschitz f can rise or fall by at most their distance. Raising "
        "f on one stretch raises it at every grid point to the right: which sample has more of its points there?",
        "Rising by s on [t_i, t_i+1] adds s times (share of p right of t_i - share of q right of t_i) to the "
        "gap, that is s (F_q(t_i) - F_p(t_i)) with the samples' CDFs F (np.searchsorted counts the points at "
        "or left of t_i). Rise at slope 1 where that is positive, fall where it is negative.")),
]}


def check_discriminator_loss(fn) -> bool: return _check(EXERCISES["01.1"], fn)
def check_D_star(fn) -> bool: return _check(EXERCISES["01.2"], fn)
def check_generator_gradient(fn) -> bool: return _check(EXERCISES["01.3"], fn)
def check_simultaneous_step(fn) -> bool: return _check(EXERCISES["02.1"], fn)
def check_alternating_step(fn) -> bool: return _check(EXERCISES["02.2"], fn)
def check_radius_factor(fn) -> bool: return _check(EXERCISES["02.3"], fn)
def check_d_step(fn) -> bool: return _check(EXERCISES["03.1"], fn)
def check_g_step(fn) -> bool: return _check(EXERCISES["03.2"], fn)
def check_w1(fn) -> bool: return _check(EXERCISES["03.3"], fn)
def check_n_parameters(fn) -> bool: return _check(EXERCISES["04.1"], fn)
def check_parzen_log_likelihood(fn) -> bool: return _check(EXERCISES["04.2"], fn)
def check_transposed_conv_size(fn) -> bool: return _check(EXERCISES["05.1"], fn)
def check_conv_multiply_adds(fn) -> bool: return _check(EXERCISES["05.2"], fn)
def check_minibatch_features(fn) -> bool: return _check(EXERCISES["06.1"], fn)
def check_modes_covered(fn) -> bool: return _check(EXERCISES["06.2"], fn)
def check_condition(fn) -> bool: return _check(EXERCISES["07.1"], fn)
def check_label_agreement(fn) -> bool: return _check(EXERCISES["07.2"], fn)
def check_gradient_penalty(fn) -> bool: return _check(EXERCISES["08.1"], fn)
def check_wgan_losses(fn) -> bool: return _check(EXERCISES["08.2"], fn)
def check_best_critic(fn) -> bool: return _check(EXERCISES["08.3"], fn)
