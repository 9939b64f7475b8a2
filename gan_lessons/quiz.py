"""A short quiz at the end of a lesson: one multiple-choice question a row, a Check button, and why.

``quiz(questions)`` takes plain data, one dict a question::

    {"question": "What does D output?",
     "options": ["a probability that x is real", "a sample"],
     "answer": 0,                      # index of the right option
     "why": ["D(x) is in (0, 1) ...",  # one explanation per option, shown when it is picked and checked
             "G makes samples; D judges them."]}

Pick an option and press Check: the feedback says right or not, and explains the option picked. The quiz
shows three ways, from one mimebundle: as ipywidgets where a kernel runs it (JupyterLab, Colab); as an
HTML form whose Check runs in the browser alone, every option's feedback carried in the page, where there
is no kernel (the course's site, a saved notebook rendered as HTML), with a "show the answers" reveal for
a page that runs no scripts; and as plain text everywhere else (nbval, a terminal).
Tests and scripts drive it from code: ``q.answer(0, 1)`` picks option 1 of question 0 and presses Check.
"""

from __future__ import annotations

import functools
import html
import uuid

import ipywidgets as W

KEYS = ("question", "options", "answer", "why")


def _validate(i: int, q: dict) -> None:
    missing = [k for k in KEYS if k not in q]
    if missing:
        raise ValueError(f"question {i + 1} lacks {', '.join(missing)}; each question needs {', '.join(KEYS)}")
    n = len(q["options"])
    if n < 2 or len(set(q["options"])) != n:
        raise ValueError(f"question {i + 1} needs at least two options, all different")
    if len(q["why"]) != n:
        raise ValueError(f"question {i + 1} has {n} options but {len(q['why'])} explanations: give one per option")
    if not isinstance(q["answer"], int) or not 0 <= q["answer"] < n:
        raise ValueError(f"question {i + 1}: answer must be the index of the right option, 0 to {n - 1}")


class Question:
    """One question's widgets: the options (RadioButtons), a Check button and the feedback."""

    def __init__(self, number: int, q: dict):
        self.q, self.number = q, number
        self.options = W.RadioButtons(options=list(q["options"]), value=None, layout=W.Layout(width="auto"))
        self.button = W.Button(description="Check", icon="check")
        self.feedback = W.HTMLMath()
        self.right: bool | None = None  # None until checked with an option picked
        self.button.on_click(lambda _: self.check())
        self.widget = W.VBox([W.HTMLMath(f"<b>{number}.</b> {html.escape(q['question'], quote=False)}"), self.options,
                              W.HBox([self.button, self.feedback])])

    def check(self) -> bool | None:
        if self.options.value is None:
            self.feedback.value = "Pick an answer first."
            return None
        picked = self.q["options"].index(self.options.value)
        self.right = picked == self.q["answer"]
        verdict = "<span style='color:#070'>Right.</span>" if self.right else \
            "<span style='color:#b00'>Not quite.</span>"
        self.feedback.value = f"{verdict} {html.escape(self.q['why'][picked], quote=False)}"
        return self.right


class Quiz:
    """The questions of one lesson, each with its own Check button; ``score`` counts the right ones."""

    def __init__(self, questions, title: str = "Quiz"):
        questions = list(questions)
        if not questions:
            raise ValueError("a quiz needs at least one question")
        for i, q in enumerate(questions):
            _validate(i, q)
        self.title = title
        self.form_id = f"gan-quiz-{uuid.uuid4().hex[:12]}"  # the HTML form's radio groups: unique on a page
        self.questions = [Question(i + 1, q) for i, q in enumerate(questions)]
        self.widget = W.VBox([W.HTML(f"<h4>{html.escape(title, quote=False)}</h4>")]
                             + [q.widget for q in self.questions])

    def answer(self, index: int, option: int) -> bool | None:
        """Pick ``option`` (its index) for question ``index`` (from 0) and press Check, as a learner would."""
        q = self.questions[index]
        q.options.value = q.q["options"][option]
        q.button.click()
        return q.right

    @property
    def score(self) -> int:
        return sum(bool(q.right) for q in self.questions)

    def text(self) -> str:
        lines = [self.title]
        for q in self.questions:
            lines.append(f"{q.number}. {q.q['question']}")
            lines += [f"   ( ) {option}" for option in q.q["options"]]
        return "\n".join(lines)

    def html(self) -> str:
        """The quiz as a form that checks answers in the browser, with no kernel (see :func:`quiz_html`)."""
        return quiz_html([q.q for q in self.questions], self.title, form_id=self.form_id)

    def _repr_mimebundle_(self, **kwargs):
        """The widgets where a front end shows them, the HTML form where there is no kernel, text elsewhere.

        The widget view ranks first where a widget manager runs (JupyterLab, Colab); the course's site ranks
        text/html first for quizzes (site/conf.py), since its saved widgets cannot run Check.
        Written out, not asked of the VBox: ipywidgets 8 has ``_repr_mimebundle_`` but 7 (what Colab's
        kernel runs) shows a widget from ``_ipython_display_`` alone. Both send this view of the model.
        """
        view = {"version_major": 2, "version_minor": 0, "model_id": self.widget.model_id}
        return {"application/vnd.jupyter.widget-view+json": view, "text/html": self.html(), "text/plain": self.text()}

    def __repr__(self) -> str:
        return self.text()


# One handler for every quiz on the page, bound once: a click on Check reads the option picked and shows the
# explanation stored beside it. The form carries its data, so it works on a static page with no kernel. The
# Check buttons start hidden and the answers' reveal shown: a page that runs no scripts still has the answers.
_SCRIPT = """<script>
(function () {
  document.querySelectorAll("form.gan-quiz").forEach(function (form) { form.classList.add("gan-quiz-js"); });
  if (window.ganQuizBound) { return; }
  window.ganQuizBound = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.gan-quiz-check");
    if (!button) { return; }
    event.preventDefault();
    var q = button.closest(".gan-quiz-q"), out = q.querySelector(".gan-quiz-feedback");
    var picked = q.querySelector("input[type=radio]:checked");
    out.classList.remove("gan-quiz-right", "gan-quiz-wrong");
    if (!picked) { out.textContent = "Pick an answer first."; return; }
    var right = picked.value === q.getAttribute("data-answer");
    out.classList.add(right ? "gan-quiz-right" : "gan-quiz-wrong");
    out.innerHTML = "<b>" + (right ? "Right." : "Not quite.") + "</b> ";
    out.appendChild(document.createTextNode(picked.getAttribute("data-why")));
  });
})();
</script>"""

_STYLE = """<style>
form.gan-quiz fieldset { border: 0; padding: 0; margin: 0 0 1em; }
form.gan-quiz label { display: block; margin: 0.15em 0 0.15em 1em; cursor: pointer; }
form.gan-quiz .gan-quiz-check { display: none; margin: 0.3em 0.8em 0 1em; }
form.gan-quiz.gan-quiz-js .gan-quiz-check { display: inline-block; }
form.gan-quiz.gan-quiz-js .gan-quiz-reveal { display: none; }
form.gan-quiz .gan-quiz-right b { color: #070; }
form.gan-quiz .gan-quiz-wrong b { color: #b00; }
</style>"""


def quiz_html(questions, title: str = "Quiz", form_id: str | None = None) -> str:
    """A self-contained HTML form of ``questions``: Check gives each option's feedback in the browser alone."""
    e = functools.partial(html.escape, quote=True)
    form = form_id or f"gan-quiz-{uuid.uuid4().hex[:12]}"
    parts = [_STYLE, f'<form class="gan-quiz" id="{form}" onsubmit="return false"><h4>{e(title)}</h4>']
    for number, q in enumerate(questions, 1):
        parts.append(f'<fieldset class="gan-quiz-q" data-answer="{q["answer"]}">'
                     f"<legend><b>{number}.</b> {e(q['question'])}</legend>")
        for i, (option, why) in enumerate(zip(q["options"], q["why"])):
            parts.append(f'<label><input type="radio" name="{form}-{number}" value="{i}" data-why="{e(why)}"> '
                         f"{e(option)}</label>")
        parts.append('<button type="button" class="gan-quiz-check">Check</button>'
                     '<span class="gan-quiz-feedback" role="status"></span>')
        answer = q["options"][q["answer"]]
        parts.append(f'<details class="gan-quiz-reveal"><summary>Show the answer</summary>'
                     f"<p><b>{e(answer)}</b>: {e(q['why'][q['answer']])}</p></details></fieldset>")
    parts.append("</form>")
    return "".join(parts) + _SCRIPT


def quiz(questions, title: str = "Quiz") -> Quiz:
    """A quiz of ``questions`` (dicts with question, options, answer, why); the last line of a cell shows it."""
    return Quiz(questions, title)


def _q(question: str, answer: int, *options_and_whys) -> dict:
    """A question from (option, why) pairs, the right one at index ``answer``."""
    return {"question": question, "options": [o for o, _ in options_and_whys], "answer": answer,
            "why": [w for _, w in options_and_whys]}


QUESTIONS = {  # each lesson's quiz: 3-5 questions on what the lesson showed
    "01": [
        _q("For a fixed G, which discriminator maximises V(D, G)?", 0,
           ("D*(x) = p_data(x) / (p_data(x) + p_g(x))",
            "Maximising p_data log D + p_g log(1 - D) point by point gives a / (a + b)."),
           ("D*(x) = p_g(x) / (p_data(x) + p_g(x))",
            "That is 1 - D*: high where the fakes are, the opposite of what D wants."),
           ("D(x) = 1/2 everywhere", "Only when p_g = p_data; otherwise D can do better by comparing the densities.")),
        _q("With the best D, the game is C(G) = -log 4 + 2 JSD(p_data || p_g). Where is its minimum?", 1,
           ("0, when D is always right", "C(G) is computed with the best D for each G; its value depends on G alone."),
           ("-log 4, at p_g = p_data", "The JSD is 0 only when the two densities are equal, and never negative."),
           ("-log 4, when G's samples are all at the data's mean",
            "That p_g differs from p_data, so the JSD is positive.")),
        _q("Early in training D(G(z)) = 0.001. Which generator loss still gives G a useful gradient?", 1,
           ("minimax: descend log(1 - D(G(z)))", "Its gradient through D's logit is -D(G(z)) = -0.001: it vanishes."),
           ("non_saturating: descend -log D(G(z))",
            "Its gradient is -(1 - D(G(z))) = -0.999: largest when G is worst."),
           ("either: they have the same gradient", "They have the same fixed point, not the same gradient.")),
        _q("Why does the course compute the losses from D's logit a, with D = sigmoid(a)?", 0,
           ("log sigmoid(a) = -softplus(-a) stays finite when D saturates",
            "In float32 sigmoid(-200) rounds to 0 and its log to -inf; -softplus(200) gives the exact -200."),
           ("a logit is a probability", "A logit is any real number; sigmoid turns it into a probability."),
           ("it changes the value of the loss", "It is the same loss, computed without rounding D to 0 or 1.")),
    ],
    "02": [
        _q("On V(x, y) = xy, simultaneous gradient steps with a small learning rate eta...", 2,
           ("converge to (0, 0)", "Not for any eta > 0: every step multiplies the distance by sqrt(1 + eta^2) > 1."),
           ("orbit at a fixed distance", "That is alternating play; simultaneous steps gain a little each step."),
           ("spiral outward, slowly for small eta", "The distance grows by exactly sqrt(1 + eta^2) a step.")),
        _q("Alternating steps (Algorithm 1's order: y first, then x with the new y) with small eta...", 0,
           ("orbit the equilibrium for ever", "They conserve x^2 + y^2 + eta x y: a closed curve around (0, 0)."),
           ("converge to (0, 0)", "The conserved quantity keeps them on their orbit."),
           ("diverge like simultaneous steps", "Only for k eta^2 > 4; below that they orbit.")),
        _q("In the xy game, what do k ascent steps of y per step of x amount to?", 1,
           ("they make the game converge", "The rates depend on eta sqrt(k): more k only scales the same behaviour."),
           ("a k times larger learning rate for y",
            "dV/dy = x does not depend on y, so k steps of eta add up to one of k eta."),
           ("nothing at all", "They change the rates: the factors depend on eta sqrt(k).")),
        _q("Which method converges on the xy game for a small eta?", 2,
           ("simultaneous gradient steps", "They diverge for every eta > 0."),
           ("alternating gradient steps", "They orbit without converging."),
           ("extragradient",
            "It steps with the gradient at a look-ahead point and contracts by sqrt(1 - eta^2 + eta^4).")),
    ],
    "03": [
        _q("In D's step of Algorithm 1, why is G(z) detached?", 0,
           ("D's step trains D only: no gradients need to flow into G",
            "D's gradient is the same either way; detaching skips G's gradients, which this step would not use."),
           ("without it D's gradient would be wrong", "D's gradient does not depend on whether G's graph is kept."),
           ("so that G(z) is a fresh sample", "Detaching keeps the same values; it only cuts the graph.")),
        _q("At the end of a good run of Example 1, what does D(x) look like on Figure 1's axis?", 2,
           ("1 on the data, 0 elsewhere", "That D would be winning; at the equilibrium it cannot tell real from fake."),
           ("0 everywhere", "Then D would call the real data fake too, which lowers V."),
           ("about 1/2 where data and samples overlap, nearer 1 where only data reach, anything where neither is",
            "The best D is p_data / (p_data + p_g): 1/2 where G matches the data, 1 where only the data have mass "
            "(G's tanh output cannot reach the far tails), and where neither has samples nothing trains D.")),
        _q("W1 between two 1-D sample sets of the same size is...", 1,
           ("the mean |a_i - b_i| in the order given",
            "The order of samples is arbitrary; optimal transport pairs them by rank."),
           ("the mean |difference| of the sorted samples",
            "In 1-D the optimal transport pairs the i-th smallest with the i-th smallest."),
           ("|mean(a) - mean(b)|",
            "That is only a lower bound: two sets with the same mean but different spreads have W1 > 0.")),
        _q("In the lesson's failure runs, what happened when G learned much faster than D?", 0,
           ("G chased a stale D and collapsed into narrow clumps",
            "D's picture of the fakes lagged behind; G over-shot to where D last said 'real'."),
           ("training converged faster", "W1 ended far above the main run's: see the numbers under 'What we saw'."),
           ("nothing changed", "The histograms and W1 both changed: see 'What goes wrong'.")),
    ],
    "04": [
        _q("Example 2's G has layers 100 -> 256 -> 512 -> 1024 -> 784. How many parameters?", 1,
           ("1,483,776", "That counts the weights only; each layer also has one bias per output unit."),
           ("1,486,352", "Weights a * b plus biases b for each of the four Linear layers."),
           ("1,486,452", "The input z has no bias: that adds 100 too many.")),
        _q("How does the lesson check that G has not just memorised the training set?", 2,
           ("D's loss is low", "D's loss says how well D separates real from fake, not whether G copies."),
           ("the samples look like digits", "Copies of training digits would look like digits too."),
           ("each sample beside its nearest training image",
            "A copy would sit on a training image; the samples stay near but not on them.")),
        _q("What is the confident-sample rate?", 0,
           ("the share of samples whose top class probability is at least 0.9",
            "The classifier is sure of most real digits; a blob between two digits gets a low top probability."),
           ("D's average output on the samples", "D's output changes as D trains; the classifier is fixed."),
           ("the share of samples classified as the most common digit",
            "That is the largest share in the histogram, a sign of partial collapse.")),
        _q("Why is the Parzen-window log-likelihood a weak judge of a GAN?", 1,
           ("it needs labels", "It needs only samples and test images."),
           ("in 784 dimensions a sum of Gaussian bumps estimates p(x) poorly and depends on the width sigma",
            "Goodfellow et al. say so themselves: high variance, poor in high dimensions."),
           ("it is always negative", "It is the log of a density: it can take either sign.")),
    ],
    "05": [
        _q("A transposed convolution with kernel 4, stride 2, padding 1 on a 7x7 input makes...", 0,
           ("14x14", "(7 - 1) * 2 - 2 * 1 + 4 = 14: it doubles the side."),
           ("3x3", "That is an ordinary convolution with those settings: (7 + 2 - 4) // 2 + 1."),
           ("16x16", "That forgets the padding: (7 - 1) * 2 + 4.")),
        _q("Which of these is NOT one of the DCGAN guidelines?", 2,
           ("batch norm in G and D", "It is one: except on G's output and D's input."),
           ("LeakyReLU in D", "It is one; G uses ReLU with a tanh output."),
           ("max pooling in D", "DCGAN replaces pooling with strided convolutions in D.")),
        _q("Radford et al. trained with Adam at learning rate 2e-4 and beta_1 = 0.5. Why not the usual 0.9?", 1,
           ("0.5 is faster to compute", "Both cost the same."),
           ("with 0.9 they found training oscillated and was unstable",
            "The lesson quotes them; exercise 2 lets you try."),
           ("beta_1 is the learning rate", "beta_1 is the decay of Adam's running mean of gradients.")),
        _q("What does a straight line between two z vectors give in a trained DCGAN?", 0,
           ("a smooth walk from one digit to another", "G maps nearby z to similar images: no sudden jumps."),
           ("the same image all the way", "G depends on z: the images change along the line."),
           ("noise in the middle", "The lesson's walks change smoothly all the way.")),
    ],
    "06": [
        _q("What is mode collapse?", 1,
           ("D stops learning", "D keeps learning: the bright row of the histogram moves as D and G chase each other."),
           ("G puts its samples on only a few of the data's modes",
            "On the ring: every sample near one of the eight means."),
           ("the losses become not-a-number", "That is divergence; a collapsed run has finite losses.")),
        _q("Why does a D that judges one sample at a time not stop the collapse?", 0,
           ("each sample on one real mode looks real; only a batch shows that all are alike",
            "So the fixes let D (or G's objective) see several samples at once."),
           ("D is too small", "Bigger D judging one sample at a time has the same blind spot."),
           ("the learning rate is too low", "The learning rate changes the speed of the chase, not what D can see.")),
        _q("Mini-batch discrimination gives D, for each sample...", 2,
           ("its class label", "The mixtures have no labels."),
           ("the gradient of G", "D sees features, not gradients."),
           ("how close it is to the other samples of its minibatch",
            "o_b = sum_j exp(-||M_i,b - M_j,b||_1): near N for a collapsed batch.")),
        _q("PacGAN's D...", 0,
           ("judges several samples at once, all real or all fake",
            "A pack of collapsed fakes is easy to tell from a pack of real points."),
           ("has one output per sample", "It has one output per pack."),
           ("trains G on several packs of labels", "Packing changes only D's input.")),
        _q("When does a mode count as captured?", 1,
           ("when any sample has it as nearest mode", "Samples far from every mode would count too."),
           ("when a sample with it as nearest mode lies within 3 standard deviations of it",
            "PacGAN's definition: high-quality samples only."),
           ("when 1/K of the samples are near it", "That would be an even histogram, measured by the reverse KL.")),
    ],
    "07": [
        _q("How does this lesson's G(z, y) receive the label y?", 0,
           ("as a one-hot vector concatenated with z and with the input of every later layer",
            "So the label steers G from the first steps."),
           ("added to z", "z and the label keep separate columns."),
           ("only D sees the label", "Then G could not draw the digit asked for.")),
        _q("With one fixed z and the ten labels, what stays the same across the row?", 1,
           ("the digit", "The label sets the digit: it changes along the row."),
           ("the style: weight, slant, size", "z holds what the label does not say."),
           ("nothing", "The lesson's rows share a clear style.")),
        _q("What does D judge in a conditional GAN?", 2,
           ("images alone", "Then a real 3 labelled '7' would pass as real."),
           ("labels alone", "A label says nothing about whether an image is real."),
           ("(image, label) pairs", "A real image with the wrong label should look fake, so G must obey the label.")),
        _q("What does the label agreement measure?", 0,
           ("the share of samples the MNIST classifier reads as the requested digit",
            "argmax of the classifier's probabilities against the label asked for."),
           ("D's accuracy on real images", "D's accuracy says nothing about which digit G drew."),
           ("the Fréchet distance per digit", "That is MNIST-FID, a different measure.")),
    ],
    "08": [
        _q("p_data and p_g have disjoint supports. Why does the optimal D give G no gradient?", 1,
           ("D's sigmoid rounds to 0 or 1 in float32, so its gradient underflows",
            "Lesson 01's logits fix the rounding; the slope is zero in exact arithmetic too."),
           ("the JSD is log 2 for every such pair, so moving p_g does not change G's loss",
            "Section 1: the JSD's slope in theta vanishes once the bells part, while W1 = |theta| keeps slope 1."),
           ("the JSD is infinite when the supports are disjoint, so its gradient is too",
            "That is the KL divergence; the JSD is bounded by log 2.")),
        _q("The critic's loss is E f(G(z)) - E f(x). What does minus that loss estimate, and when?", 0,
           ("W1(p_data, p_g), once the critic is near the best 1-Lipschitz f (after enough critic steps)",
            "By Kantorovich-Rubinstein duality W1 is the largest score gap of a 1-Lipschitz f; an untrained "
            "critic's gap is just some number."),
           ("W1(p_data, p_g), at every step from the first",
            "Any 1-Lipschitz f gives a gap of at most W1; only the best one reaches it."),
           ("the probability that a sample is real",
            "The critic has no sigmoid: its scores are any real numbers, and only their differences matter.")),
        _q("What does weight clipping to [-c, c] do that the gradient penalty does not?", 2,
           ("it keeps the critic's slope at exactly 1 everywhere",
            "Clipping bounds the slope by some constant K set by c and the network, not by 1."),
           ("nothing: the two give the same critic",
            "Section 2 printed each critic's steepest slope and its gap: compare them."),
           ("it bounds the slope by an unknown K, so the gap estimates K W1",
            "And it pushes the critic towards simple functions, coarse in Gulrajani et al.'s Figure 1; the penalty "
            "instead charges lambda (||grad f|| - 1)^2 at points between real and fake samples.")),
        _q("Why does a WGAN-GP critic have no batch norm?", 0,
           ("a sample's score would depend on its minibatch; the penalty is on each sample's own gradient",
            "The penalty constrains f's gradient at each x_hat on its own; Gulrajani et al. use layer norm or none."),
           ("batch norm would squash the critic's scores into (0, 1), like D's sigmoid",
            "That is what a sigmoid does; batch norm rescales features inside the network."),
           ("the penalty needs G and the critic both free of batch norm",
            "Lesson 06's G keeps its batch norm here: only the critic drops it.")),
        _q("On MNIST (section 6), the critic's estimate first rose for a few snapshots, then fell. Why the rise?", 2,
           ("G's samples got worse at first, so the distance grew",
            "MNIST-FID fell over those same snapshots: the samples were improving."),
           ("the gradient penalty pulls the estimate up until lambda is reached",
            "The penalty holds the critic's slope near 1; it does not set the size of the gap."),
           ("the untrained critic's gap is just some number; its first steps climb towards the best gap, W1",
            "Only a critic near the best 1-Lipschitz f estimates W1, so the lesson reads the curve from its peak "
            "on, where it falls as the samples improve.")),
    ],
}
