"""``linear`` (one fused GEMM + bias call, GEMM backward) and ``bilinear``."""
from __future__ import annotations

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd import grad_mode
from ...autograd.function import Function

__all__ = ["linear", "bilinear"]


class Linear(Function):
    """y = x @ W^T + b for 2-D x, as one ``_C.gemm`` call with the bias in its epilogue.

    The backward is two GEMMs with transpose flags (no copies of W or x) and a column sum:
    grad_x = g @ W, grad_W = g^T @ x, grad_b = g.sum(0).
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        return wrap(_C.gemm(x._impl, weight._impl, trans_b=True,
                            bias=None if bias is None else bias._impl))

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = gw = gb = None
        if grad_mode._enabled:  # create_graph: differentiable ops, so the graph goes on
            if need_x:
                gx = g @ weight
            if need_w:
                gw = g.t() @ x
        else:
            if need_x:
                gx = wrap(_C.gemm(g._impl, weight._impl))
            if need_w:
                gw = wrap(_C.gemm(g._impl, x._impl, trans_a=True))
        if need_b:
            gb = g.sum(0)
        return gx, gw, gb


def _check_float(t, op: str, what: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {what} must be a Tensor, got {type(t).__name__}")
    if not t.dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating-point {what}, got {t.dtype}")


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` over the last dimension of ``input`` (any leading dims);
    weight (out_features, in_features), bias (out_features,)."""
    _check_float(input, "linear", "input")
    _check_float(weight, "linear", "weight")
    if weight.ndim != 2:
        raise RuntimeError(f"linear: weight must be 2-D (out_features, in_features), got shape "
                           f"{tuple(weight.shape)}")
    shape = input._impl.shape
    out_f, in_f = weight._impl.shape
    if input.ndim == 0 or shape[-1] != in_f:
        rows = 1 if input.ndim < 2 else int(input.numel() // max(shape[-1], 1))
        cols = shape[-1] if input.ndim else 1
        raise RuntimeError(f"linear: mat1 and mat2 shapes cannot be multiplied "
                           f"({rows}x{cols} and {in_f}x{out_f}): input of shape {tuple(shape)}, "
                           f"weight of shape {tuple(weight.shape)}")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise RuntimeError(f"linear: expected input, weight and bias of one dtype, got "
                           f"{input.dtype}, {weight.dtype}"
                           + ("" if bias is None else f", {bias.dtype}"))
    if bias is not None and tuple(bias._impl.shape) != (out_f,):
        raise RuntimeError(f"linear: bias must have shape ({out_f},), got {tuple(bias.shape)}")
    if input.ndim == 2:
        return Linear.apply(input, weight, bias)
    out = Linear.apply(input.reshape(-1, in_f), weight, bias)
    return out.reshape(tuple(shape[:-1]) + (out_f,))


def bilinear(input1, input2, weight, bias=None):
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``; weight
    (out, in1, in2). One GEMM (input1 against all of weight) and a reduction."""
    for t, what in ((input1, "input1"), (input2, "input2"), (weight, "weight")):
        _check_float(t, "bilinear", what)
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear: weight must be 3-D (out, in1, in2), got shape "
                           f"{tuple(weight.shape)}")
    out_f, in1, in2 = weight._impl.shape
    s1, s2 = tuple(input1.shape), tuple(input2.shape)
    if not s1 or not s2 or s1[-1] != in1 or s2[-1] != in2 or s1[:-1] != s2[:-1]:
        raise RuntimeError(f"bilinear: input1 of shape {s1} and input2 of shape {s2} do not "
                           f"match weight of shape {tuple(weight.shape)} (expected (*, {in1}) "
                           f"and (*, {in2}) with equal leading dims)")
    if bias is not None and tuple(bias.shape) != (out_f,):
        raise RuntimeError(f"bilinear: bias must have shape ({out_f},), got {tuple(bias.shape)}")
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (n, in1) @ (in1, out * in2) -> (n, out, in2), then contract with x2 over in2
    w = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = (x1 @ w).reshape(-1, out_f, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(s1[:-1] + (out_f,))
