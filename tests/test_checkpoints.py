"""The night before: with GAN_LESSONS_CHECKPOINTS set, a lesson's training function loads the run trained
ahead of class, and everything after it is as after the live run (gan_lessons.checkpoints, pretrain --night-before)."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
import torch

from gan_lessons import checkpoints, conditional, dcgan, mnist_mlp
from gan_lessons.commands import pretrain

ROOT = Path(__file__).resolve().parents[1]
DATA = torch.rand(256, 1, 28, 28) * 2 - 1
LABELS = torch.arange(256) % 10


def same_run(a, b, record_a, record_b):
    assert a.step == b.step and a.seconds == b.seconds and a.history == b.history
    assert all(torch.equal(x, y) for x, y in zip(a.G.state_dict().values(), b.G.state_dict().values()))
    assert all(torch.equal(x, y) for x, y in zip(a.D.state_dict().values(), b.D.state_dict().values()))
    assert a.opt_G.state_dict()["state"].keys() == b.opt_G.state_dict()["state"].keys()
    if record_a is not None:
        assert record_a.steps == record_b.steps
        assert all(torch.equal(x, y) for x, y in zip(record_a.samples, record_b.samples))


def test_without_the_variable_nothing_is_written_or_read(tmp_path, monkeypatch):
    monkeypatch.delenv(checkpoints.ENV, raising=False)
    assert checkpoints.path_for("dcgan", dcgan.Settings(), 0) is None
    dcgan.train(dcgan.Settings(steps=3, width=4, m=16), data=DATA, n_fixed=2, every=2)
    assert not list(tmp_path.iterdir())


def test_a_finished_run_is_written_then_loaded_instead_of_trained(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(checkpoints.ENV, str(tmp_path))
    settings = dcgan.Settings(steps=6, width=4, m=16)
    live, live_record = dcgan.train(settings, seed=1, data=DATA, n_fixed=4, every=2)
    (written,) = tmp_path.glob("dcgan-seed1-*.run.pt")
    assert "loaded" not in capsys.readouterr().out
    loaded, loaded_record = dcgan.train(settings, seed=1, data=DATA, n_fixed=4, every=2)
    assert "loaded 6 steps" in capsys.readouterr().out
    same_run(live, loaded, live_record, loaded_record)
    # what the lesson does next works: more training continues from the loaded state
    loaded.train(steps=2, progress=False)
    assert loaded.step == 8
    # another seed, other settings or other recorded samples are another run
    assert checkpoints.path_for("dcgan", settings, 2, n_fixed=4, every=2) != written
    assert checkpoints.path_for("dcgan", settings, 1, n_fixed=4, every=3) != written


def test_a_run_stopped_early_is_not_written_and_a_later_call_loads_the_whole_run(tmp_path, monkeypatch):
    monkeypatch.setenv(checkpoints.ENV, str(tmp_path))
    settings = mnist_mlp.Settings(epochs=0, m=16)
    part, _ = mnist_mlp.train(settings, seed=0, steps=10, until=4, data=DATA)
    assert part.step == 4 and not list(tmp_path.glob("*.run.pt"))  # a partial run is not kept
    whole, whole_record = mnist_mlp.train(settings, seed=0, steps=10, data=DATA)
    assert len(list(tmp_path.glob("*.run.pt"))) == 1
    # in class: the lesson's first cell asks for 4 steps and gets the whole run; its second cell has none left
    again, again_record = mnist_mlp.train(settings, seed=0, steps=10, until=4, data=DATA)
    same_run(whole, again, whole_record, again_record)
    again.train(steps=10 - again.step, callback=again_record, every=again_record.every, progress=False)
    assert again.step == 10 and again_record.steps == whole_record.steps


def test_the_conditional_run_keeps_its_labels_and_continues(tmp_path, monkeypatch):
    monkeypatch.setenv(checkpoints.ENV, str(tmp_path))
    settings = conditional.Settings(steps=6, m=16)
    live, live_record = conditional.train(settings, seed=0, data=DATA, labels=LABELS, n_fixed=1, every=3)
    loaded, loaded_record = conditional.train(settings, seed=0, until=2, data=DATA, labels=LABELS, n_fixed=1, every=3)
    same_run(live, loaded, live_record, loaded_record)
    assert torch.equal(loaded_record.labels, live_record.labels)
    loaded.train(steps=1, progress=False)  # the data and labels are in place
    assert loaded.step == 7


@pytest.mark.parametrize("damage", ["garbage", "other model"])
def test_a_file_that_is_not_this_run_is_refused_and_kept(tmp_path, monkeypatch, damage):
    monkeypatch.setenv(checkpoints.ENV, str(tmp_path))
    settings = dcgan.Settings(steps=2, width=4, m=16)
    path = checkpoints.path_for("dcgan", settings, 0, n_fixed=2, every=1)
    if damage == "garbage":
        path.write_bytes(b"not a checkpoint")
    else:  # a conditional run saved under the DCGAN's name
        conditional.train(conditional.Settings(steps=2, m=16), data=DATA, labels=LABELS)
        next(tmp_path.glob("conditional-*.run.pt")).rename(path)
    with pytest.raises(RuntimeError, match="Delete it, or unset GAN_LESSONS_CHECKPOINTS"):
        dcgan.train(settings, data=DATA, n_fixed=2, every=1)
    assert path.exists()


@pytest.fixture
def lesson_05_runs(tmp_path_factory, mnist_cache):
    """pretrain --night-before for lesson 05 in the test budget, into a fresh folder."""
    folder = tmp_path_factory.mktemp("night_before")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAN_LESSONS_DATA", str(mnist_cache))
        mp.setenv("GAN_LESSONS_BUDGET", "test")
        files = pretrain.night_before(folder, budget="test", lessons=["05_dcgan"])
    assert len(files) == 1
    return folder


def test_lesson_05_in_class_loads_its_run_and_every_cell_after_it_works(lesson_05_runs, real_mnist, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv(checkpoints.ENV, str(lesson_05_runs))
    monkeypatch.setenv("GAN_LESSONS_BUDGET", "test")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(ROOT / "notebooks" / "05_dcgan.ipynb", as_version=4)
    start = time.monotonic()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = ["".join(o.get("text", "")) for cell in nb.cells if cell.cell_type == "code"
               for o in cell.get("outputs", [])]
    loaded = [text for text in outputs if "instead of training" in text]
    assert len(loaded) == 1 and str(lesson_05_runs) in loaded[0], loaded  # the training cell loaded, once
    assert time.monotonic() - start < 600
