"""Fixtures shared by the test files.

- ``capability``: runs a test once per CPU instruction-set variant of the kernels that this CPU
  supports (default, avx2, avx512), restoring the previous choice afterwards.
- ``device``: runs a test on "cpu" and, when ``ember.cuda.is_available()`` (a real GPU or the
  SIMT emulator of an ``EMBER_CUDA=EMULATE`` build), on "cuda".
"""
import pytest

import ember

_CAPABILITY_ORDER = ("default", "avx2", "avx512")
CAPABILITIES = _CAPABILITY_ORDER[:_CAPABILITY_ORDER.index(ember._C.build_config()["cpu_detected"]) + 1]
DEVICES = ("cpu", "cuda") if ember.cuda.is_available() else ("cpu",)


@pytest.fixture(params=CAPABILITIES)
def capability(request):
    before = ember._C.cpu_capability()
    ember._C.set_cpu_capability(request.param)
    assert ember._C.cpu_capability() == request.param
    yield request.param
    ember._C.set_cpu_capability(before)


@pytest.fixture(params=DEVICES)
def device(request):
    return request.param
