"""Every command (`python -m gan_lessons.X`) refuses a mistake in its arguments or in the environment it reads
the way argparse does (`prog: error: ...` on stderr, exit status 2), before it trains or writes anything."""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch

from gan_lessons import pretrained
from gan_lessons.commands import bench, evaluate, pretrain, studies


class Started(Exception):
    """Raised by a stand-in for the work a command does once its checks pass."""


def never(*args, **kwargs):
    raise Started("the command started its work")


@pytest.fixture
def no_work(monkeypatch):
    """Each command's work replaced by `never`: a test that reaches it fails with Started."""
    monkeypatch.setattr(bench, "run", never)
    monkeypatch.setattr(bench, "run_quality", never)
    monkeypatch.setattr(evaluate, "load_classifier", never)
    monkeypatch.setattr(evaluate, "main_pretrained", never)
    monkeypatch.setattr(pretrain, "night_before", never)
    monkeypatch.setattr(pretrained.Model, "train", never)
    monkeypatch.setattr(pretrain, "score_record", never)
    for name, study in studies.STUDIES.items():
        monkeypatch.setitem(studies.STUDIES, name, studies.Study(study.lesson, study.what, never, study.methods))
    monkeypatch.delenv("GAN_LESSONS_BUDGET", raising=False)
    monkeypatch.delenv("GAN_LESSONS_DEVICE", raising=False)


def refused(main, argv, capsys) -> str:
    """Run ``main(argv)``, check that it exits with status 2, and return what it wrote to stderr."""
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # not even a header: nothing started
    return captured.err


COMMANDS = {  # a run of each command that would train (each reaches `never` if its checks pass)
    "bench": (bench.main, ["--quick", "--models", "1d"]),
    "bench --quality": (bench.main, ["--quality", "--quick", "--models", "mnist_mlp"]),
    "evaluate": (evaluate.main, ["--models", "mnist_mlp"]),
    "pretrain": (pretrain.main, ["--models", "dcgan"]),
    "pretrain --night-before": (pretrain.main, ["--night-before", "NIGHT"]),
    "studies": (studies.main, ["mixtures", "--quick"]),
}


def command(name, tmp_path):
    main, argv = COMMANDS[name]
    return main, [str(tmp_path / "night") if a == "NIGHT" else a for a in argv]


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_starts_its_work_when_all_is_well(name, no_work, empty_cache, tmp_path):
    main, argv = command(name, tmp_path)
    with pytest.raises(Started):
        main(argv)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_budget_that_is_not_one_is_refused_by_every_command(name, no_work, empty_cache, tmp_path, monkeypatch,
                                                                capsys):
    monkeypatch.setenv("GAN_LESSONS_BUDGET", "nonsense")
    main, argv = command(name, tmp_path)
    err = refused(main, argv, capsys)
    assert "error: GAN_LESSONS_BUDGET='nonsense' is not a budget; use one of test, lecture, full" in err


@pytest.mark.parametrize("name", COMMANDS)
def test_a_device_that_is_not_here_is_refused_by_every_command(name, no_work, empty_cache, tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("GAN_LESSONS_DEVICE", "cuda")
    main, argv = command(name, tmp_path)
    err = refused(main, argv, capsys)
    assert "error: GAN_LESSONS_DEVICE='cuda': cuda is not available on this machine; unset it or set it to cpu" in err


# --- bench ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, message", [
    (["--models", "nosuch", "--quick"], "unknown model(s) nosuch; choose from 1d, 2d, mnist_mlp, dcgan, conditional"),
    (["--quality", "--models", "nosuch"],
     "unknown model(s) nosuch; choose from mnist_mlp, dcgan, conditional, pytorch_gan"),
    (["--quality", "--marks", "15,x"], "argument --marks: '15,x' is not a comma-separated list of floats"),
    (["--quality", "--marks", "30,30"], "marks must be distinct seconds of training >= 0"),
    (["--quality", "--marks", "-5"], "marks must be distinct seconds of training >= 0"),
    (["--quality", "--seeds", "0,-1"], "seeds must be non-negative ints"),
    (["--quality", "--samples", "1"], "samples per score must be at least 2"),
    (["--rounds", "0"], "argument --rounds: '0' is not a positive whole number"),
    (["--marks", "15"], "argument --marks: only with argument --quality"),
    (["--quality", "--rounds", "3"], "argument --rounds: not allowed with argument --quality"),
    (["--notebooks", "--budgets", "huge"], "unknown budget(s) huge; choose from test, lecture, full"),
    (["--device", "nonsense"], "device 'nonsense' is not a torch device"),
])
def test_bench_refuses_bad_arguments_before_timing(argv, message, no_work, capsys):
    assert message in refused(bench.main, argv, capsys)


def test_bench_refuses_a_json_path_it_could_not_write(no_work, tmp_path, capsys):
    assert "that is a folder, not a file" in refused(bench.main, ["--quick", "--json", str(tmp_path)], capsys)
    (tmp_path / "a_file").write_text("")
    err = refused(bench.main, ["--quick", "--json", str(tmp_path / "a_file" / "bench.json")], capsys)
    assert "is a file, so no file can be made under it" in err


def test_bench_json_may_replace_earlier_results(no_work, tmp_path):
    path = tmp_path / "bench.json"
    path.write_text("{}")  # the results of an earlier run: naming the file again asks for new ones
    with pytest.raises(Started):
        bench.main(["--quick", "--models", "1d", "--json", str(path)])


def test_the_library_refuses_unknown_models_too(monkeypatch):
    monkeypatch.setattr(bench, "matmul_limit", never)
    with pytest.raises(ValueError, match="unknown model"):
        bench.run(quick=True, models=["nosuch"], device="cpu")
    with pytest.raises(ValueError, match="unknown model"):
        bench.run_quality(quick=True, models=["nosuch"], device="cpu")


# --- evaluate --------------------------------------------------------------------------------------------


def test_evaluate_refuses_to_overwrite_samples_before_training(no_work, tmp_path, capsys):
    (tmp_path / "mnist_mlp_samples.npy").write_bytes(b"an earlier run")
    err = refused(evaluate.main, ["--budget", "test", "--models", "mnist_mlp", "dcgan", "--samples", str(tmp_path)],
                  capsys)
    assert f"--samples {tmp_path} already holds mnist_mlp_samples.npy; pass --overwrite" in err
    assert (tmp_path / "mnist_mlp_samples.npy").read_bytes() == b"an earlier run"
    with pytest.raises(Started):  # --overwrite: the files are replaced, so training starts
        evaluate.main(["--budget", "test", "--models", "mnist_mlp", "--samples", str(tmp_path), "--overwrite"])


def test_evaluate_refuses_a_samples_folder_that_is_a_file(no_work, tmp_path, capsys):
    (tmp_path / "out").write_text("")
    err = refused(evaluate.main, ["--budget", "test", "--samples", str(tmp_path / "out")], capsys)
    assert "that is a file, not a folder" in err


def test_evaluate_pretrained_checks_its_samples_too(no_work, tmp_path, capsys):
    np.save(tmp_path / "dcgan_samples.npy", np.zeros(1))
    err = refused(evaluate.main, ["--pretrained", "--models", "dcgan", "--samples", str(tmp_path)], capsys)
    assert "already holds dcgan_samples.npy" in err


@pytest.mark.parametrize("argv, message", [
    (["--seed", "-1"], "argument --seed: must be a non-negative int"),
    (["--pretrained", "--budget", "test"], "argument --budget: not allowed with argument --pretrained"),
    (["--pretrained-dir", "."], "argument --pretrained-dir: only with argument --pretrained"),
    (["--pretrained", "--pretrained-dir", "/no/such/folder"], "--pretrained-dir /no/such/folder is not a folder"),
    (["--overwrite"], "argument --overwrite: only with argument --samples"),
])
def test_evaluate_refuses_bad_arguments(argv, message, no_work, capsys):
    assert message in refused(evaluate.main, argv, capsys)


# --- pretrain ----------------------------------------------------------------------------------------------


@pytest.fixture
def saved(no_work, monkeypatch):
    """pretrain's training and writing replaced: returns the list of folders it would have written to."""
    folders = []
    monkeypatch.setattr(pretrained.Model, "train", lambda self, budget, seed: None)
    monkeypatch.setattr(pretrain, "save", lambda name, trainer, directory, **kw: folders.append(directory) or
                        {"steps": 1, "training_seconds": 0.0, "file": {"bytes": 0}})
    return folders


def test_pretrain_writes_into_the_course_cache_by_default(saved, empty_cache):
    assert pretrained.default_out() == empty_cache.resolve() / "pretrained"
    assert pretrain.main(["--models", "dcgan", "--no-score"]) == 0
    assert saved == [empty_cache.resolve() / "pretrained"]


def test_pretrain_writes_into_the_package_only_when_asked(saved, empty_cache, capsys):
    assert pretrain.main(["--models", "dcgan", "--no-score", "--into-package"]) == 0
    assert saved == [pretrained.PRETRAINED_DIR]
    capsys.readouterr()
    err = refused(pretrain.main, ["--into-package", "--out", "somewhere"], capsys)
    assert "argument --out: not allowed with argument --into-package" in err


def test_pretrain_rescore_needs_the_files_in_the_folder_it_scores(no_work, empty_cache, capsys):
    err = refused(pretrain.main, ["--rescore", "--models", "dcgan"], capsys)
    assert f"{empty_cache.resolve() / 'pretrained'} holds no generator dcgan" in err
    assert err.rstrip().endswith("train it first: python -m gan_lessons pretrain --models dcgan")  # the default folder
    with pytest.raises(Started):  # the shipped files are there
        pretrain.main(["--rescore", "--models", "dcgan", "--into-package"])


def test_night_before_trains_in_the_budget_of_the_environment(tmp_path, monkeypatch):
    budgets = []
    trainer = types.SimpleNamespace(step=1, seconds=0.0)
    for lesson in pretrain.NIGHT_BEFORE:  # each lesson's run replaced by one that notes the budget it was given
        monkeypatch.setitem(pretrain.NIGHT_BEFORE, lesson,
                            lambda budget, seed: budgets.append(budget) or (trainer, None))
    monkeypatch.delenv("GAN_LESSONS_DEVICE", raising=False)
    monkeypatch.setenv("GAN_LESSONS_BUDGET", "test")
    assert pretrain.main(["--night-before", str(tmp_path / "runs")]) == 0
    monkeypatch.delenv("GAN_LESSONS_BUDGET")
    assert pretrain.main(["--night-before", str(tmp_path / "runs")]) == 0
    assert pretrain.main(["--night-before", str(tmp_path / "runs"), "--budget", "full"]) == 0
    assert budgets == ["test"] * 3 + ["lecture"] * 3 + ["full"] * 3


@pytest.mark.parametrize("argv, message", [
    (["--night-before", "DIR", "--models", "dcgan"], "argument --models: not allowed with argument --night-before"),
    (["--night-before", "DIR", "--out", "x"], "argument --out: not allowed with argument --night-before"),
    (["--rescore", "--budget", "test"], "argument --budget: not allowed with argument --rescore"),
    (["--rescore", "--no-score"], "argument --no-score: not allowed with argument --rescore"),
    (["--models", "stylegan"], "unknown model(s) stylegan; choose from mnist_mlp, dcgan"),
    (["--seed", "-1"], "argument --seed: must be a non-negative int"),
])
def test_pretrain_refuses_bad_arguments(argv, message, no_work, empty_cache, capsys):
    assert message in refused(pretrain.main, argv, capsys)


def test_pretrain_refuses_folders_that_are_files(no_work, empty_cache, tmp_path, capsys):
    (tmp_path / "a_file").write_text("")
    assert "that is a file, not a folder" in refused(pretrain.main, ["--out", str(tmp_path / "a_file")], capsys)
    err = refused(pretrain.main, ["--night-before", str(tmp_path / "a_file")], capsys)
    assert "--night-before" in err and "that is a file, not a folder" in err
