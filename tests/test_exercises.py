"""The exercise checks: each passes its solution, fails plausible wrong answers, and never raises."""

from __future__ import annotations

import html
import html.parser
import re
from pathlib import Path

import jupytext
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_lessons import exercises as ex
from gan_lessons import solutions as S
from gan_lessons.quiz import QUESTIONS as QUESTIONS_BY_LESSON
from gan_lessons.quiz import quiz

CHECKS = {  # key -> (check, solution)
    "01.1": (ex.check_discriminator_loss, S.discriminator_loss),
    "01.2": (ex.check_D_star, S.D_star),
    "01.3": (ex.check_generator_gradient, S.generator_gradient),
    "02.1": (ex.check_simultaneous_step, S.simultaneous_step),
    "02.2": (ex.check_alternating_step, S.alternating_step),
    "02.3": (ex.check_radius_factor, S.radius_factor),
    "03.1": (ex.check_d_step, S.d_step),
    "03.2": (ex.check_g_step, S.g_step),
    "03.3": (ex.check_w1, S.w1),
    "04.1": (ex.check_n_parameters, S.n_parameters),
    "04.2": (ex.check_parzen_log_likelihood, S.parzen_log_likelihood),
    "05.1": (ex.check_transposed_conv_size, S.transposed_conv_size),
    "05.2": (ex.check_conv_multiply_adds, S.conv_multiply_adds),
    "06.1": (ex.check_minibatch_features, S.minibatch_features),
    "06.2": (ex.check_modes_covered, S.modes_covered),
    "07.1": (ex.check_condition, S.condition),
    "07.2": (ex.check_label_agreement, S.label_agreement),
    "08.1": (ex.check_gradient_penalty, S.gradient_penalty),
    "08.2": (ex.check_wgan_losses, S.wgan_losses),
    "08.3": (ex.check_best_critic, S.best_critic),
}


def _pdf_unnormalised(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2)


def _d_step_no_detach(G, D, opt, x, z):
    loss = F.softplus(-D(x)).mean() + F.softplus(D(G(z))).mean()
    opt.zero_grad(); loss.backward(); opt.step()  # noqa: E702


def _d_step_no_zero_grad(G, D, opt, x, z):
    loss = F.softplus(-D(x)).mean() + F.softplus(D(G(z).detach())).mean()
    loss.backward(); opt.step()  # noqa: E702


def _d_step_ascends(G, D, opt, x, z):
    loss = -(F.softplus(-D(x)).mean() + F.softplus(D(G(z).detach())).mean())
    opt.zero_grad(); loss.backward(); opt.step()  # noqa: E702


def _g_step_minimax(G, D, opt, z):
    loss = -F.softplus(D(G(z))).mean()
    opt.zero_grad(); loss.backward(); opt.step()  # noqa: E702


def _g_step_no_zero_grad(G, D, opt, z):
    F.softplus(-D(G(z))).mean().backward(); opt.step()  # noqa: E702


def _minibatch_l2(f, T):
    M = torch.einsum("na,abc->nbc", f, T)
    return torch.exp(-(M[:, None] - M[None, :]).norm(dim=3)).sum(dim=1)


def _modes_ignoring_distance(samples, means, std, n_std=3.0):
    return len(torch.unique(torch.cdist(samples, means).argmin(dim=1)))


def _modes_counting_samples(samples, means, std, n_std=3.0):
    return int((torch.cdist(samples, means).min(dim=1).values <= n_std * std).sum())


def _penalty_from(critic, x_hat, norm=lambda g: g.flatten(1).norm(dim=1), square=True, create_graph=True):
    """The penalty at the points ``x_hat``, with one of its steps changed to a typical slip."""
    x_hat = x_hat.requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=create_graph)
    gap = norm(grad) - 1
    return (gap**2 if square else gap).mean()


def _eps(eps, real):
    return eps.view(-1, *([1] * (real.ndim - 1)))


def _interpolates(real, fake, eps):
    return _eps(eps, real) * real + (1 - _eps(eps, real)) * fake


def _critic_slope(p, q, t, slope):
    """f(t_0) = 0 and f rising by slope(F_p, F_q) * (t_i+1 - t_i) on each stretch, with the samples' CDFs."""
    F_p = np.searchsorted(np.sort(p), t, side="right") / len(p)
    F_q = np.searchsorted(np.sort(q), t, side="right") / len(q)
    return np.concatenate([[0.0], np.cumsum(slope(F_p, F_q)[:-1] * np.diff(t))])


def _critic_cdf_left(p, q, t):  # the CDFs without the grid point itself: off by one point at each sample
    F_p = np.searchsorted(np.sort(p), t, side="left") / len(p)
    F_q = np.searchsorted(np.sort(q), t, side="left") / len(q)
    return np.concatenate([[0.0], np.cumsum(np.sign(F_q - F_p)[:-1] * np.diff(t))])


WRONG = {  # key -> plausible wrong answers (sign errors, a missing mean, off-by-one, wrong axis, ...)
    "01.1": [lambda r, f: -(torch.log(torch.sigmoid(r)).mean() + torch.log(1 - torch.sigmoid(f)).mean()),  # unstable
             lambda r, f: -F.softplus(-r).mean() - F.softplus(f).mean(),                                  # V, not -V
             lambda r, f: F.softplus(-r).sum() + F.softplus(f).sum()],                                   # no mean
    "01.2": [lambda x, m, s: 1 - S.D_star(x, m, s),                                                      # p_g on top
             lambda x, m, s: _pdf_unnormalised(x, 1, 1) / (_pdf_unnormalised(x, 1, 1) + _pdf_unnormalised(x, m, s))],
    "01.3": [lambda d, kind: S.generator_gradient(d, "non_saturating" if kind == "minimax" else "minimax"),
             lambda d, kind: -S.generator_gradient(d, kind)],
    "02.1": [lambda x, y, eta: (x - eta * y, y - eta * x), S.alternating_step],
    "02.2": [S.simultaneous_step,
             lambda x, y, eta: (x - eta * y, y + eta * (x - eta * y))],                                 # x first
    "02.3": [lambda eta, k: float(np.sqrt(1 + eta**2)), lambda eta, k: 1 + k * eta**2],
    "03.1": [_d_step_no_detach, _d_step_no_zero_grad, _d_step_ascends],
    "03.2": [_g_step_minimax, _g_step_no_zero_grad],
    "03.3": [lambda a, b: float(np.mean(np.abs(a - b))), lambda a, b: abs(float(np.mean(a) - np.mean(b)))],
    "04.1": [lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])),                                       # no biases
             lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:])) + s[0]],                           # input biases
    "04.2": [lambda x, mu, s: S.parzen_log_likelihood(x, mu, s) + np.log(len(mu)),                      # no log N
             lambda x, mu, s: torch.log(torch.exp(-((mu - x) ** 2).sum(1) / (2 * s**2)).mean())
             - len(x) / 2 * np.log(2 * np.pi * s**2)],                                                  # underflows
    "05.1": [lambda n, k, s, p: (n + 2 * p - k) // s + 1,                                               # convolution
             lambda n, k, s, p: n * s - 2 * p + k],                                                     # off by one
    "05.2": [lambda i, o, k, s, p, n: n * n * o * i * k * k,                                            # input side
             lambda i, o, k, s, p, n: ((n + 2 * p - k) // s + 1) ** 2 * o * i * k],                     # k, not k^2
    "06.1": [_minibatch_l2, lambda f, T: S.minibatch_features(f, T) - 1],                               # L2; no self
    "06.2": [_modes_ignoring_distance, _modes_counting_samples],
    "07.1": [lambda z, y, c: torch.cat([F.one_hot(y, c).float(), z], dim=1),                            # label first
             lambda z, y, c: torch.cat([z, y[:, None].float()], dim=1)],                                # no one-hot
    "07.2": [lambda p, y: (p.argmax(dim=0)[: len(y)] == y).float().mean().item(),                      # wrong axis
             lambda p, y: p[torch.arange(len(y)), y].mean().item()],                                    # soft share
    "08.1": [lambda f, r, x, e: _penalty_from(f, r.clone()),                                          # on real points
             lambda f, r, x, e: _penalty_from(f, _interpolates(r, x, e), norm=lambda g: g.norm()),     # whole batch
             lambda f, r, x, e: _penalty_from(f, _interpolates(r, x, e), square=False),                 # no square
             lambda f, r, x, e: _penalty_from(f, _interpolates(r, x, e), create_graph=False),           # not descended
             lambda f, r, x, e: _penalty_from(f, _interpolates(r, x, e), norm=lambda g: g.norm(dim=1)),  # one axis
             lambda f, r, x, e: _penalty_from(f, _interpolates(x, r, e))],                              # eps on fake
    "08.2": [lambda r, f: (r.mean() - f.mean(), -f.mean()),                                             # critic ascends
             lambda r, f: (f.mean() - r.mean(), f.mean()),                                              # G's sign
             lambda r, f: (F.softplus(-r).mean() + F.softplus(f).mean(), F.softplus(-f).mean()),        # the GAN's
             lambda r, f: (f.sum() - r.sum(), -f.sum())],                                               # sums
    "08.3": [lambda p, q, t: _critic_slope(p, q, t, lambda Fp, Fq: np.sign(Fp - Fq)),                  # sign flipped
             lambda p, q, t: t - t[0],                                                                  # f(x) = x
             lambda p, q, t: _critic_slope(p, q, t, lambda Fp, Fq: Fq - Fp),                            # no sign
             lambda p, q, t: _critic_slope(p, q, t, lambda Fp, Fq: 2 * np.sign(Fq - Fp)),               # slope 2
             _critic_cdf_left],
}


def test_every_exercise_has_a_check_and_wrong_answers():
    assert set(CHECKS) == set(ex.EXERCISES) == set(WRONG)
    assert all(len(WRONG[key]) >= 2 for key in WRONG)
    lessons = {key[:2] for key in ex.EXERCISES}
    assert lessons == {"01", "02", "03", "04", "05", "06", "07", "08"}
    assert all(sum(k.startswith(lesson) for k in ex.EXERCISES) >= 2 for lesson in lessons)


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_the_solution_passes(key, capsys):
    check, solution = CHECKS[key]
    assert check(solution) is True
    assert f"{key}: pass" in capsys.readouterr().out


@pytest.mark.parametrize("key,i", [(key, i) for key in sorted(WRONG) for i in range(len(WRONG[key]))])
def test_a_wrong_answer_fails_with_a_hint(key, i, capsys):
    check, _ = CHECKS[key]
    assert check(WRONG[key][i]) is False
    out = capsys.readouterr().out
    assert "Hint " in out and "pass" not in out.split("\n")[0]


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_an_unanswered_stub_prints_a_hint_without_raising(key, capsys):
    def stub(*args):
        raise NotImplementedError  # your code

    check, _ = CHECKS[key]
    assert check(stub) is False
    out = capsys.readouterr().out
    assert "not answered yet" in out and "Hint " in out and f"show_solution({key!r})" in out


def test_a_function_that_returns_none_or_raises_gets_a_hint(capsys):
    assert ex.check_w1(lambda a, b: None) is False
    assert "returned None" in capsys.readouterr().out
    assert ex.check_w1(lambda a, b: 1 / 0) is False
    assert "raised ZeroDivisionError" in capsys.readouterr().out
    assert ex.check_w1(S.w1(np.zeros(2), np.ones(2))) is False  # the result, not the function
    assert "pass your function itself" in capsys.readouterr().out


def test_the_loss_solution_is_torch_bce_with_logits():
    real, fake = torch.tensor([30.0, -2.0, 0.1]), torch.tensor([-40.0, 1.5, 0.0])
    bce = F.binary_cross_entropy_with_logits(real, torch.ones(3)) + \
        F.binary_cross_entropy_with_logits(fake, torch.zeros(3))
    assert torch.allclose(S.discriminator_loss(real, fake), bce)
    assert S.discriminator_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == pytest.approx(2 * np.log(2))


def test_hand_worked_answers():
    assert S.transposed_conv_size(3, 3, 2, 1) == 5  # the lecture's 3x3 -> 5x5
    assert S.n_parameters([100, 256, 512, 1024, 784]) == 1_486_352  # Example 2's G
    assert S.conv_multiply_adds(16, 32, 4, 2, 1, 14) == 7 * 7 * 32 * 16 * 16  # 14x14 in, 7x7 out
    assert S.w1(np.array([0.0, 1.0]), np.array([3.0, 1.0])) == pytest.approx(1.5)  # pairs 0 with 1, 1 with 3
    assert S.radius_factor(1.0, 1) == pytest.approx(np.sqrt(2))
    p, q, t = np.array([0.0, 1.0]), np.array([3.0]), np.array([0.0, 1.0, 3.0])
    assert S.best_critic(p, q, t) == pytest.approx([0.0, -1.0, -3.0])  # falls towards q: gap 2.5 = (3 + 2) / 2
    scores = torch.tensor([2.0, 0.0]), torch.tensor([-1.0, 1.0])
    assert [v.item() for v in S.wgan_losses(*scores)] == pytest.approx([-1.0, 0.0])


def test_the_best_critics_gap_is_w1_for_samples_of_any_sizes():
    """The reference of 08.3 is its solution: its gap is W1, by lesson 08's exact sample_w1 on copies of
    the two samples brought to one size (n_q copies of p against n_p of q hold the same two distributions)."""
    from gan_lessons.wasserstein import sample_w1

    rng = np.random.default_rng(3)
    for n_p, n_q, shift in ((5, 5, 0.0), (7, 3, 0.0), (40, 25, -6.0)):
        p, q = rng.normal(1, 1, n_p), rng.uniform(-1, 1, n_q) + shift
        t = np.sort(np.concatenate([p, q, rng.uniform(-8, 5, 4)]))
        f = S.best_critic(p, q, t)
        gap = np.interp(p, t, f).mean() - np.interp(q, t, f).mean()
        exact = sample_w1(torch.as_tensor(np.repeat(p, n_q)), torch.as_tensor(np.repeat(q, n_p)))
        assert gap == pytest.approx(exact, rel=1e-9)
        assert np.all(np.abs(np.diff(f)) <= np.diff(t) + 1e-12)


def test_hints_come_in_steps_a_nudge_first(monkeypatch, capsys):
    monkeypatch.setattr(ex, "ASKED", {})
    steps = ex.EXERCISES["03.3"].hints
    assert ex.check_w1(lambda a, b: float(np.mean(np.abs(a - b)))) is False  # unsorted: the usual slip
    first = capsys.readouterr().out
    assert f"Hint 1 of {len(steps)}: {steps[0]}" in first and steps[1] not in first
    assert "run the check again for a further hint" in first
    ex.hint("03.3")
    second = capsys.readouterr().out
    assert f"Hint 2 of {len(steps)}: {steps[1]}" in second and "further hint" not in second
    ex.hint("03.3")  # past the last step: the last one again
    assert f"Hint 2 of {len(steps)}" in capsys.readouterr().out
    assert ex.check_w1(S.w1) is True  # a pass asks for no hint
    assert ex.ASKED["03.3"] == 2


def _code_lines(fn) -> list[str]:
    """The solution's statements (no docstring, no comments), those long enough to give something away."""
    import inspect

    body = inspect.getsource(fn).split('"""')[-1]
    lines = [line.split("#")[0].strip() for line in body.splitlines()]
    return [line.removeprefix("return ").strip() for line in lines if len(line) >= 12 and not line.startswith("def ")]


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_every_exercise_has_steps_and_no_hint_holds_a_line_of_its_solution(key):
    hints = ex.EXERCISES[key].hints
    assert len(hints) >= 2 and len(set(hints)) == len(hints)
    text = " ".join(hints).replace(" ", "")
    leaked = [line for line in _code_lines(ex.EXERCISES[key].solution) if line.replace(" ", "") in text]
    assert not leaked, f"{key}: the hints give away {leaked}"


def test_a_hint_with_a_line_of_the_solution_is_caught():
    """The test above fails on the hints the course had before they came in steps (its control)."""
    old = "a transposed convolution runs a convolution backwards: (n - 1) * stride - 2 * padding + kernel."
    lines = _code_lines(ex.EXERCISES["05.1"].solution)
    assert any(line.replace(" ", "") in old.replace(" ", "") for line in lines), lines


def test_show_solution_prints_the_written_out_solution(capsys):
    ex.show_solution("03.1")
    out = capsys.readouterr().out
    assert out.startswith("import torch.nn.functional as F\n") and "def d_step(G, D, optimizer, x, z):" in out
    assert "detach()" in out
    ex.show_solution("99.9")
    assert "no exercise '99.9'" in capsys.readouterr().out


QUESTIONS = [
    {"question": "What does D output?", "options": ["the probability that x is real", "a sample"], "answer": 0,
     "why": ["D(x) is in (0, 1): how real D thinks x is.", "G makes samples; D judges them."]},
    {"question": "Who minimises V?", "options": ["D", "G"], "answer": 1,
     "why": ["D maximises V: it wants log D(x) high.", "G minimises V: min over G, max over D."]},
]


def test_a_right_answer_is_marked_right():
    q = quiz(QUESTIONS)
    assert q.answer(0, 0) is True and q.answer(1, 1) is True and q.score == 2
    assert "Right." in q.questions[1].feedback.value and "G minimises V" in q.questions[1].feedback.value


def test_a_wrong_answer_shows_its_explanation():
    q = quiz(QUESTIONS)
    q.questions[1].options.value = "D"  # as a learner would: pick with the mouse, press Check
    q.questions[1].button.click()
    assert q.questions[1].right is False and q.score == 0
    assert "Not quite." in q.questions[1].feedback.value and "D maximises V" in q.questions[1].feedback.value


def test_checking_without_an_answer_asks_for_one():
    q = quiz(QUESTIONS)
    q.questions[0].button.click()
    assert q.questions[0].right is None and "Pick an answer" in q.questions[0].feedback.value


def test_without_a_front_end_the_quiz_is_text():
    q = quiz(QUESTIONS, title="Quiz: lesson 01")
    text = q._repr_mimebundle_()["text/plain"]
    assert text.startswith("Quiz: lesson 01") and "1. What does D output?" in text and "( ) a sample" in text


class _Form(html.parser.HTMLParser):
    """The quiz form's questions: each fieldset's answer, and each option's value and explanation."""

    def __init__(self):
        super().__init__()
        self.questions, self.checks, self.reveals, self.scripts = [], 0, 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "fieldset":
            self.questions.append({"answer": int(a["data-answer"]), "why": []})
        elif tag == "input" and a.get("type") == "radio":
            self.questions[-1]["why"].append((int(a["value"]), a["data-why"]))
        elif tag == "button" and "gan-quiz-check" in a.get("class", ""):
            self.checks += 1
        elif tag == "details":
            self.reveals += 1
        elif tag == "script":
            self.scripts += 1


@pytest.mark.parametrize("lesson", sorted(QUESTIONS_BY_LESSON))
def test_without_a_kernel_the_quiz_is_a_form_that_carries_every_answer(lesson):
    """The HTML in the quiz's mimebundle (the site shows it): every option's explanation and the right answer
    are in the page, so its script gives feedback with no kernel; a reveal stands in where scripts do not run."""
    questions = QUESTIONS_BY_LESSON[lesson]
    bundle = quiz(questions, title=f"Quiz: lesson {lesson}")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live quiz where a kernel runs
    form = _Form()
    form.feed(bundle["text/html"])
    assert form.scripts == 1 and form.checks == form.reveals == len(questions)
    for q, parsed in zip(questions, form.questions, strict=True):
        assert parsed["answer"] == q["answer"]
        assert parsed["why"] == list(enumerate(q["why"]))
    assert f"Quiz: lesson {lesson}" in bundle["text/html"]


def test_the_quiz_form_escapes_its_text():
    q = quiz([{"question": "Is 1 < 2 & 3 > 2?", "options": ['"yes"', "<no>"], "answer": 0,
               "why": ["both hold", "a <script> is text here"]}])
    page = q.html()
    assert "<no>" not in page and "&lt;script&gt;" in page and page.count("<script>") == 1


@pytest.mark.parametrize("bad,message", [
    ({"question": "q", "options": ["a", "b"], "answer": 0}, "lacks why"),
    ({"question": "q", "options": ["a", "a"], "answer": 0, "why": ["x", "y"]}, "all different"),
    ({"question": "q", "options": ["a", "b"], "answer": 2, "why": ["x", "y"]}, "answer must be"),
    ({"question": "q", "options": ["a", "b"], "answer": 0, "why": ["x"]}, "one per option"),
])
def test_a_malformed_question_is_a_clear_error(bad, message):
    with pytest.raises(ValueError, match=message):
        quiz([bad])


# --- the lessons carry them -------------------------------------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("0[1-8]_*.py"))


def test_there_is_a_quiz_for_each_lesson():
    assert sorted(QUESTIONS_BY_LESSON) == ["01", "02", "03", "04", "05", "06", "07", "08"]


@pytest.mark.parametrize("lesson", sorted(QUESTIONS_BY_LESSON))
def test_every_lesson_has_a_quiz_of_three_to_five_well_formed_questions(lesson):
    questions = QUESTIONS_BY_LESSON[lesson]
    assert 3 <= len(questions) <= 5
    q = quiz(questions)  # validates each question
    for i, question in enumerate(questions):  # the right answer is marked right, every other one explained
        assert q.answer(i, question["answer"]) is True
        wrong = (question["answer"] + 1) % len(question["options"])
        assert q.answer(i, wrong) is False
        assert html.escape(question["why"][wrong], quote=False) in q.questions[i].feedback.value


@pytest.mark.parametrize("py", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_opens_with_objectives_and_ends_with_checked_exercises_and_a_quiz(py):
    cells = jupytext.read(py).cells
    lesson = py.name[:2]
    assert cells[0].source.startswith("# ") and cells[1].source.startswith("## Learning objectives")
    assert re.search(r"^Time: about \d+ minutes", cells[1].source, flags=re.M)
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    for key, exercise in ex.EXERCISES.items():
        if key.startswith(lesson):
            name = CHECKS[key][0].__name__
            assert re.search(rf"^{name}\(\w+\);?$", code, flags=re.M), f"{py.name} does not call {name}"
            assert f'# show_solution("{key}")' in code
    headings = [c.source.splitlines()[0] for c in cells if c.cell_type == "markdown"]
    assert headings[-1] == "## Quiz" and f'quiz(QUESTIONS["{lesson}"]' in cells[-1].source


def test_start_here_has_a_glossary_before_its_exercises():
    sources = [c.source for c in jupytext.read(NOTEBOOKS / "00_start_here.py").cells]
    glossary = next(i for i, s in enumerate(sources) if s.startswith("## Glossary"))
    exercises = next(i for i, s in enumerate(sources) if "## Exercises" in s)
    assert glossary < exercises
    for term in ("$G$", "$D$", "$z$", "$p_\\text{data}$", "$p_g$", "$D^*$", "$k$", "$m$", "minimax", "non-saturating",
                 "JSD", "mode collapse", "FID", "Parzen window", "conditional GAN"):
        assert term in sources[glossary], term


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_the_solution_shown_runs_as_printed_and_passes(key, capsys):
    ex.show_solution(key)
    printed = capsys.readouterr().out
    name = CHECKS[key][1].__name__
    assert f"def {name}(" in printed
    namespace = {}  # a fresh kernel: only what the printed text defines and imports
    exec(printed, namespace)  # noqa: S102 - our own solution text
    assert CHECKS[key][0](namespace[name]) is True


@pytest.mark.parametrize("key", ["03.1", "08.1"])  # their cases build networks with torch's random state
def test_a_check_leaves_the_learners_random_state_alone(key):
    check, solution = CHECKS[key]
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check(solution)
    assert torch.equal(torch.rand(3), expected)
