"""The installed C++ package: a CMake program finds ember with find_package and runs."""
import os
import pathlib
import shutil
import subprocess

import pytest

import ember

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "cpp"


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")
def test_find_package_builds_and_runs_a_cpp_program(tmp_path):
    prefix = ember.cmake_prefix_path()
    assert os.path.isfile(os.path.join(prefix, "ember", "emberConfig.cmake"))
    env = dict(os.environ)
    subprocess.run(["cmake", "-S", str(EXAMPLE), "-B", str(tmp_path), f"-DCMAKE_PREFIX_PATH={prefix}",
                    "-DCMAKE_BUILD_TYPE=Release"], check=True, capture_output=True, env=env)
    subprocess.run(["cmake", "--build", str(tmp_path)], check=True, capture_output=True, env=env)
    run = subprocess.run([str(tmp_path / "ember_demo")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ember_demo ok" in run.stdout
    assert "copy_: source of shape (5,) cannot be broadcast" in run.stdout
