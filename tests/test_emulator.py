"""Builds and runs the SIMT emulator self-tests (csrc/cuda/emu/tests) without sanitizers.

The C++ binary prints one PASS/FAIL line per test and per fiber backend and exits non-zero
on any failure; the ASan+UBSan build (planted out-of-bounds tests) is run by
csrc/cuda/emu/tests/run.sh asan in CI.
"""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ROOT / "csrc" / "cuda" / "emu" / "tests"
BUILD = ROOT / "build" / "emu-tests"

pytestmark = pytest.mark.skipif(
    shutil.which("cmake") is None or shutil.which("ninja") is None,
    reason="cmake and ninja are needed to build the emulator self-tests",
)


def _run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def selftest_binary():
    """Configures and builds the self-tests once per session (incremental)."""
    configure = _run(["cmake", "-S", str(SOURCE), "-B", str(BUILD), "-G", "Ninja"])
    assert configure.returncode == 0, configure.stdout + configure.stderr
    build = _run(["cmake", "--build", str(BUILD), "--target", "emu_selftest", "-j", "2"])
    assert build.returncode == 0, build.stdout + build.stderr
    return BUILD / "emu_selftest"


def _selftest(binary, *args, schedule=None, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMBER_EMU_")}
    if schedule is not None:
        env["EMBER_EMU_SCHEDULE"] = schedule
    env.update(extra_env or {})
    return _run([str(binary), *args], env=env)


def test_all_selftests_pass(selftest_binary):
    result = _selftest(selftest_binary)
    lines = result.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAIL")]
    passed = [line for line in lines if line.startswith("PASS")]
    assert result.returncode == 0 and not failed, result.stdout + result.stderr
    # Each family of checks ran, under both fiber backends.
    for name in ("indexing_3d", "shared_dynamic", "warp_shuffle_block_reduction",
                 "matmul_tiled_float", "atomics", "runtime_double_free",
                 "check_missing_barrier_differs_between_orders",
                 "check_barrier_not_reached_after_early_return", "check_launch_configuration"):
        assert f"PASS [asm] {name}" in lines, result.stdout
        assert f"PASS [ucontext] {name}" in lines, result.stdout
    assert len(passed) >= 60


def test_schedule_from_environment(selftest_binary):
    """EMBER_EMU_SCHEDULE sets the default order; the correct kernels do not depend on it."""
    for schedule in ("reverse", "random:7"):
        result = _selftest(selftest_binary, "matmul", schedule=schedule)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "PASS [asm] matmul_tiled_float" in result.stdout


@pytest.mark.parametrize("variable, value, message", [
    ("EMBER_EMU_SCHEDULE", "sideways", "forward, reverse or random:SEED"),
    ("EMBER_EMU_FIBER", "threads", "EMBER_EMU_FIBER must be 'asm' or 'ucontext'"),
    ("EMBER_EMU_STACK_SIZE", "64k", "EMBER_EMU_STACK_SIZE must be a byte count >= 16384"),
])
def test_bad_environment_is_a_clear_error(selftest_binary, variable, value, message):
    result = _selftest(selftest_binary, "indexing_1d", extra_env={variable: value})
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def test_stack_size_from_environment(selftest_binary):
    result = _selftest(selftest_binary, "matmul", extra_env={"EMBER_EMU_STACK_SIZE": "131072"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS [ucontext] matmul_tiled_double" in result.stdout


def test_filter_selects_tests(selftest_binary):
    result = _selftest(selftest_binary, "no_such_test")
    assert result.returncode == 0
    assert not [line for line in result.stdout.splitlines() if line.startswith("PASS")]
    assert "ALL PASSED: 0 failure(s)" in result.stdout
