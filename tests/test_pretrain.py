"""Prepared earlier: `python -m gan_lessons pretrain` writes loadable generators, `load` refuses what its
record does not describe, and every generator shipped in gan_lessons/pretrained/ scores as its record says."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from gan_lessons import pretrained
from gan_lessons.commands import evaluate, pretrain

SHIPPED = sorted(p.stem for p in pretrained.PRETRAINED_DIR.glob("*.json"))


@pytest.fixture(scope="module")
def made(tmp_path_factory, mnist_cache):
    """pretrain --budget test for one MNIST model and one 2-D model, scored by the test budget's classifier."""
    out = tmp_path_factory.mktemp("pretrained")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAN_LESSONS_DATA", str(mnist_cache))
        mp.delenv("GAN_LESSONS_MNIST_MIRROR", raising=False)
        assert pretrain.main(["--models", "dcgan", "mixture_ring", "--budget", "test", "--out", str(out),
                              "--quick-scores"]) == 0
    return out


def test_pretrain_writes_a_loadable_generator_and_its_record(made, real_mnist):
    for name in ("dcgan", "mixture_ring"):
        record = json.loads((made / f"{name}.json").read_text())
        assert record["model"] == name and record["budget"] == "test" and record["seed"] == 0
        assert record["file"]["bytes"] == (made / f"{name}.pt").stat().st_size
        assert record["scores_quick"] and (record["scores"] is not None) == (name == "mixture_ring")
        assert record["torch"] == torch.__version__ and record["machine"] and record["commit"]
    trainer, record = pretrained.load("dcgan", made)
    # the same run trained again: the loaded (float16) G draws what the trained one draws, to float16's precision
    model = pretrained.MODELS["dcgan"]
    fresh = model.train("test", 0, progress=False)
    z = torch.randn(8, 100)
    assert torch.allclose(trainer.sample(8, z=z), fresh.sample(8, z=z), atol=2e-2)
    assert trainer.step == fresh.step == record["steps"]


def test_a_rescore_reproduces_the_record(made, real_mnist):
    before = json.loads((made / "dcgan.json").read_text())["scores_quick"]
    trainer, _ = pretrained.load("dcgan", made)
    assert pretrain.quick_scores(pretrained.samples("dcgan", trainer)) == before


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "other model's file", "no weights", "bad record"])
def test_a_damaged_or_mismatched_file_is_refused_and_nothing_else_breaks(made, tmp_path, damage, real_mnist):
    d = tmp_path / "copy"
    shutil.copytree(made, d)
    pt, js = d / "dcgan.pt", d / "dcgan.json"
    if damage == "flip a byte":
        data = bytearray(pt.read_bytes())
        data[len(data) // 2] ^= 0xFF
        pt.write_bytes(bytes(data))
    elif damage == "truncate":
        pt.write_bytes(pt.read_bytes()[:1000])
    elif damage == "other model's file":
        shutil.copy(d / "mixture_ring.pt", pt)
    elif damage == "no weights":
        pt.unlink()
    else:
        js.write_text("{ not json")
    with pytest.raises(pretrained.PretrainedError, match="pretrain --models dcgan"):
        pretrained.load("dcgan", d)
    assert pt.exists() or damage == "no weights"  # nothing is deleted for the learner
    trainer, _ = pretrained.load("mixture_ring", d)  # the other model still loads
    assert torch.isfinite(trainer.sample(4)).all()
    assert evaluate.main(["--pretrained", "--pretrained-dir", str(d), "--models", "dcgan"]) == 1  # said, not crashed


def test_a_file_that_matches_its_record_but_holds_other_weights_is_refused(made, tmp_path):
    d = tmp_path / "copy"
    shutil.copytree(made, d)
    shutil.copy(d / "mixture_ring.pt", d / "dcgan.pt")  # and the record rewritten to match the file
    record = json.loads((d / "dcgan.json").read_text())
    record["file"]["bytes"] = (d / "dcgan.pt").stat().st_size
    record["file"]["sha256"] = pretrained.sha256(d / "dcgan.pt")
    (d / "dcgan.json").write_text(json.dumps(record))
    with pytest.raises(pretrained.PretrainedError, match="could not be loaded as dcgan's generator"):
        pretrained.load("dcgan", d)


def test_an_unknown_model_is_named():
    with pytest.raises(ValueError, match="choose from"):
        pretrained.load("stylegan")


def test_the_shipped_generators_fit_in_15_mb():
    total = sum(p.stat().st_size for p in pretrained.PRETRAINED_DIR.glob("*"))
    assert total <= 15e6, f"gan_lessons/pretrained/ holds {total / 1e6:.1f} MB"


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_generator_loads_and_scores_as_its_record_says(name, real_mnist):
    trainer, record = pretrained.load(name)
    assert record["budget"] == "full" and record["scores"] is not None
    fresh = pretrain.quick_scores(pretrained.samples(name, trainer))
    said = record["scores_quick"]
    if "modes" in said:  # 2,500 points from fixed noise through a tiny network: the same modes, HQ share within 1 point
        assert fresh["modes"] == said["modes"] and abs(fresh["high_quality"] - said["high_quality"]) <= 1.0
    else:  # 10,000 samples: other CPUs round a few pixels differently
        assert fresh["present"] == said["present"]
        assert abs(fresh["confident"] - said["confident"]) <= 0.01
        assert abs(fresh["max_share"] - said["max_share"]) <= 0.01
        if "agreement" in said:
            assert abs(fresh["agreement"] - said["agreement"]) <= 0.01


@pytest.mark.skipif(not {"mixture_ring", "mixture_grid"} <= set(SHIPPED), reason="the 2-D generators are not shipped")
def test_lesson_06_figure_shows_the_shipped_points_with_their_recorded_metrics():
    fig, out = pretrained.points_figure()
    assert len(fig.axes) == 2
    for name, (m, record) in out.items():
        assert m.modes == record["scores"]["modes"] and abs(m.high_quality - record["scores"]["high_quality"]) <= 1.0
        assert f"{m.modes}/{m.K} modes" in fig.axes[list(out).index(name)].get_title()
