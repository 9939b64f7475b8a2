"""The test suite itself: a contributor's `make test` runs the MNIST tests from the cache it fills, as CI does.

Each case runs pytest on two MNIST tests in a child process with no mirror and no ../shared (hidden through
GAN_LESSONS_TEST_SHARED), so only the cache that ``python -m gan_lessons data`` fills can supply MNIST.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TWO_MNIST_TESTS = ["tests/test_data.py::test_real_files_from_a_mirror_folder",
                   "tests/test_data.py::test_gan_training_set_leaves_the_parzen_validation_unseen"]


def run_two_mnist_tests(tmp_path: Path, cache: Path, **env) -> tuple[int, str]:
    child = {k: v for k, v in os.environ.items() if not k.startswith("GAN_LESSONS_")}
    child.update(GAN_LESSONS_DATA=str(cache), GAN_LESSONS_TEST_SHARED=str(tmp_path / "no-shared"), **env)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *TWO_MNIST_TESTS],
                          cwd=ROOT, env=child, capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def test_the_mnist_tests_run_from_the_filled_cache_without_a_mirror(tmp_path, mnist_cache):
    code, out = run_two_mnist_tests(tmp_path, mnist_cache, GAN_LESSONS_REQUIRE_MNIST="1")
    assert code == 0 and re.search(r"\b2 passed\b", out) and "skipped" not in out, out


def test_without_mnist_they_skip_and_say_why_or_fail_when_required(tmp_path):
    code, out = run_two_mnist_tests(tmp_path, tmp_path / "empty-cache")
    assert code == 0 and re.search(r"\b2 skipped\b", out) and "python -m gan_lessons data" in out, out
    code, out = run_two_mnist_tests(tmp_path, tmp_path / "empty-cache", GAN_LESSONS_REQUIRE_MNIST="1")
    assert code != 0 and "may not be skipped" in out, out
