"""Helpers of the convolution tests (test_conv_transpose.py, test_conv3d.py): the same random
operands in ember and PyTorch, and comparisons of outputs, gradients and second derivatives."""
import numpy as np

import ember

DTYPES = {"float32": ("float32", 1e-4), "float64": ("float64", 1e-10)}


def operands(torch, device, dtype, shapes, seed=0):
    """ember and torch tensors (requiring grad) with the same standard-normal values."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    e = [ember.tensor(a, dtype=getattr(ember, dtype), device=device, requires_grad=True)
         for a in arrays]
    t = [torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True) for a in arrays]
    return e, t


def close(e, t, tol):
    np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().numpy(), rtol=tol,
                               atol=tol * 10)


def check_forward_backward(torch, device, dtype, e_fn, t_fn, shapes, seed=0):
    """e_fn(*ember operands) against t_fn(*torch operands): the output and every gradient."""
    tol = DTYPES[dtype][1]
    e, t = operands(torch, device, dtype, shapes, seed)
    e_out, t_out = e_fn(*e), t_fn(*t)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    close(e_out, t_out, tol)
    g = np.random.default_rng(seed + 1).standard_normal(tuple(t_out.shape))
    e_out.backward(ember.tensor(g, dtype=getattr(ember, dtype), device=device))
    t_out.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    for ei, ti in zip(e, t):
        close(ei.grad, ti.grad, tol)


def check_second_derivatives(torch, device, e_fn, t_fn, shapes, seed=0):
    """Second derivatives in float64: with z = e_fn(*operands) and L = sum(z * z * c), the
    gradients g_i = dL/d operand_i are taken with create_graph=True, and then the gradients of
    sum_i sum(g_i * u_i) to every operand are compared with PyTorch's."""
    e, t = operands(torch, device, "float64", shapes, seed)
    rng = np.random.default_rng(seed + 1)
    e_out, t_out = e_fn(*e), t_fn(*t)
    c = rng.standard_normal(tuple(t_out.shape))
    e_loss = (e_out * e_out * ember.tensor(c, device=device)).sum()
    t_loss = (t_out * t_out * torch.tensor(c)).sum()
    e_g = ember.autograd.grad(e_loss, e, create_graph=True)
    t_g = torch.autograd.grad(t_loss, t, create_graph=True)
    us = [rng.standard_normal(s) for s in shapes]
    e_s = sum((g * ember.tensor(u, device=device)).sum() for g, u in zip(e_g, us))
    t_s = sum((g * torch.tensor(u)).sum() for g, u in zip(t_g, us))
    for eg, tg in zip(ember.autograd.grad(e_s, e), torch.autograd.grad(t_s, t)):
        close(eg, tg, 1e-9)


def gradgradcheck(fn, inputs, grad_output):
    """Finite differences of the gradients of fn (taken with create_graph=True) against their
    own autograd gradients, as torch.autograd.gradgradcheck; all in float64. gradcheck's finite
    differences call with plain tensors and recording off: those become leaves of a first-order
    graph of their own."""
    def grads(*args):
        *xs, go = args
        recording = ember.is_grad_enabled()
        with ember.enable_grad():
            xs = [x if x.requires_grad else x.detach().requires_grad_() for x in xs]
            gs = ember.autograd.grad(fn(*xs), xs, grad_outputs=go, create_graph=recording)
        return gs if recording else [g.detach() for g in gs]
    return ember.autograd.gradcheck(grads, (*inputs, grad_output))
