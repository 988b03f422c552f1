"""Helpers for the activation, softmax and loss tests: run the same function on ember and on
PyTorch from the same numpy inputs and compare outputs and input gradients."""
import numpy as np

import ember

TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


def to_ember(a, device, requires_grad=False):
    t = ember.tensor(np.array(a), device=device)  # a copy; keeps 0-d arrays 0-d
    if requires_grad:
        t.requires_grad_()
    return t


def to_torch(a, requires_grad=False):
    import torch
    t = torch.from_numpy(np.array(a))
    if requires_grad:
        t.requires_grad_()
    return t


def compare(ember_fn, torch_fn, inputs, device, dtype, grad_of=(0,), seed=0, tol=None,
            transposed=()):
    """Runs ember_fn(*ember inputs) and torch_fn(*torch inputs) from numpy `inputs`, compares the
    outputs, then backpropagates one random upstream gradient through both and compares the
    gradients of the inputs listed in grad_of. Inputs listed in `transposed` are passed as
    non-contiguous views (the transpose of a contiguous copy of their swapped axes)."""
    import torch
    tol = tol or TOL[dtype]
    e_in, t_in = [], []
    for i, a in enumerate(inputs):
        needs = i in grad_of
        if i in transposed:
            base_e = to_ember(np.swapaxes(a, -1, -2), device, False)
            e = base_e.transpose(-1, -2)
            if needs:
                e = e.detach().requires_grad_()
                assert not e.is_contiguous()
            t = to_torch(a, needs)
        else:
            e = to_ember(a, device, needs)
            t = to_torch(a, needs)
        e_in.append(e)
        t_in.append(t)
    got = ember_fn(*e_in)
    want = torch_fn(*t_in)
    assert tuple(got.shape) == tuple(want.shape), (got.shape, want.shape)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), **tol)
    if not grad_of:
        return got
    rng = np.random.default_rng(seed + 1)
    upstream = rng.standard_normal(tuple(want.shape)).astype(dtype)
    got.backward(to_ember(upstream, device))
    want.backward(torch.from_numpy(upstream))
    for i in grad_of:
        g_e, g_t = e_in[i].grad, t_in[i].grad
        assert g_e is not None, f"no gradient for input {i}"
        np.testing.assert_allclose(g_e.cpu().numpy(), g_t.numpy(), **tol,
                                   err_msg=f"gradient of input {i}")
    return got


def randn(shape, dtype, seed=0, scale=1.0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale, dtype=dtype)
