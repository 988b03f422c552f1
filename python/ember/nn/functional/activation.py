"""Functional activations (``torch.nn.functional`` names and defaults).

Each differentiable activation is one fused C++ kernel forward and one backward (grad_input from
grad_output and the saved input, or the saved output for sigmoid/tanh), on CPU and CUDA. Without
grad the kernel runs directly, with no autograd bookkeeping.

``inplace=True`` writes into the input and returns it, as in PyTorch, except when the input
requires grad while grad mode is on: ember's autograd does not record in-place ops, so the result
is then computed out of place (same values, the input unchanged).
"""
from __future__ import annotations

from ... import _C
from ... import _tensor
from ...autograd import grad_mode as _grad_mode
from ...autograd.function import Function

__all__ = [
    "threshold", "threshold_", "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "leaky_relu",
    "leaky_relu_", "prelu", "rrelu", "rrelu_", "elu", "elu_", "selu", "selu_", "celu", "celu_",
    "gelu", "silu", "mish", "softplus", "softsign", "hardsigmoid", "hardswish", "sigmoid", "tanh",
    "logsigmoid", "softmax", "log_softmax", "softmin", "heaviside", "one_hot",
]

_A = _C.ActivationOp
_Params = _C.ActivationParams

# SELU's constants (Klambauer et al., 2017), as in PyTorch.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _Activation(Function):
    """y = f(x) for one fused activation kernel; backward is one fused kernel too."""

    @staticmethod
    def forward(ctx, x, op, params):
        y = _tensor.wrap(_C.activation_forward(op, x._impl, params))
        ctx.op, ctx.params = op, params
        ctx.save_for_backward(y if _C.activation_backward_uses_result(op) else x)
        return y

    @staticmethod
    def backward(ctx, grad):
        saved, = ctx.saved_tensors
        grad = on_device_of(grad, saved)
        return (_tensor.wrap(_C.activation_backward(ctx.op, grad._impl, saved._impl, ctx.params)),
                None, None)


def on_device_of(grad, like):
    """grad on like's device: the engine may seed a backward pass with a CPU gradient."""
    return grad if grad.device == like.device else grad.to(like.device)


def _check_tensor(x, name: str) -> None:
    if not isinstance(x, _tensor.Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(x).__name__}")


def _records(*tensors) -> bool:
    return _grad_mode._enabled and any(t is not None and t.requires_grad for t in tensors)


def _activate(x, op, params, name: str, inplace: bool = False):
    _check_tensor(x, name)
    if _records(x):
        return _Activation.apply(x, op, params)
    if inplace:
        _C.activation_forward(op, x._impl, params, True)
        return x
    return _tensor.wrap(_C.activation_forward(op, x._impl, params))


def threshold(input, threshold: float, value: float, inplace: bool = False):
    """``value`` where input <= threshold, else input."""
    return _activate(input, _A.threshold, _Params(threshold, value), "threshold", inplace)


def threshold_(input, threshold: float, value: float):
    """In-place ``threshold``."""
    return _activate(input, _A.threshold, _Params(threshold, value), "threshold_", True)


def relu(input, inplace: bool = False):
    """max(input, 0); NaN passes through."""
    _check_tensor(input, "relu")
    if not input.is_floating_point():  # integer relu: the elementwise kernel
        if inplace:
            _C.unary_(_C.UnaryOp.relu, input._impl)
            return input
        return _tensor.wrap(_C.unary(_C.UnaryOp.relu, input._impl))
    return _activate(input, _A.threshold, _Params(0.0, 0.0), "relu", inplace)


def relu_(input):
    """In-place ``relu``."""
    return relu(input, True)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """input clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("hardtanh: min_val cannot be greater than max_val")
    return _activate(input, _A.hardtanh, _Params(min_val, max_val), "hardtanh", inplace)


def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace: bool = False):
    """min(max(input, 0), 6)."""
    return _activate(input, _A.hardtanh, _Params(0.0, 6.0), "relu6", inplace)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """input where input > 0, else negative_slope * input."""
    return _activate(input, _A.leaky_relu, _Params(negative_slope), "leaky_relu", inplace)


def leaky_relu_(input, negative_slope: float = 0.01):
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """input where input > 0, else alpha * (exp(input) - 1)."""
    return _activate(input, _A.elu, _Params(alpha, 1.0, 1.0), "elu", inplace)


def elu_(input, alpha: float = 1.0):
    """In-place ``elu``."""
    return elu(input, alpha, True)


def selu(input, inplace: bool = False):
    """scale * elu(input, alpha) with SELU's fixed constants."""
    return _activate(input, _A.elu, _Params(_SELU_ALPHA, _SELU_SCALE, 1.0), "selu", inplace)


def selu_(input):
    """In-place ``selu``."""
    return selu(input, True)


def celu(input, alpha: float = 1.0, inplace: bool = False):
    """max(0, input) + min(0, alpha * (exp(input / alpha) - 1))."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0")
    return _activate(input, _A.elu, _Params(alpha, 1.0, 1.0 / alpha), "celu", inplace)


def celu_(input, alpha: float = 1.0):
    """In-place ``celu``."""
    return celu(input, alpha, True)


def gelu(input, approximate: str = "none"):
    """input * Phi(input) (exact, with erf), or its tanh approximation (``approximate='tanh'``)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    op = _A.gelu if approximate == "none" else _A.gelu_tanh
    return _activate(input, op, _Params(), "gelu")


def silu(input, inplace: bool = False):
    """input * sigmoid(input)."""
    return _activate(input, _A.silu, _Params(), "silu", inplace)


def mish(input, inplace: bool = False):
    """input * tanh(softplus(input))."""
    return _activate(input, _A.mish, _Params(), "mish", inplace)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """log(1 + exp(beta * input)) / beta; input itself where beta * input > threshold."""
    return _activate(input, _A.softplus, _Params(beta, threshold), "softplus")


def softsign(input):
    """input / (1 + |input|)."""
    return _activate(input, _A.softsign, _Params(), "softsign")


def hardsigmoid(input, inplace: bool = False):
    """min(max(input + 3, 0), 6) / 6."""
    return _activate(input, _A.hardsigmoid, _Params(), "hardsigmoid", inplace)


def hardswish(input, inplace: bool = False):
    """input * hardsigmoid(input)."""
    return _activate(input, _A.hardswish, _Params(), "hardswish", inplace)


def sigmoid(input):
    """1 / (1 + exp(-input)), computed stably."""
    return _activate(input, _A.sigmoid, _Params(), "sigmoid")


def tanh(input):
    """The hyperbolic tangent."""
    return _activate(input, _A.tanh, _Params(), "tanh")


def logsigmoid(input):
    """log(sigmoid(input)) = min(input, 0) - log1p(exp(-|input|)), without overflow."""
    return _activate(input, _A.log_sigmoid, _Params(), "logsigmoid")


# --- PReLU and RReLU ---------------------------------------------------------------------------

class _PReLU(Function):
    """y = x where x > 0, else weight[c] * x, c the channel (dim 1); one fused backward."""

    @staticmethod
    def forward(ctx, x, weight):
        ctx.save_for_backward(x, weight)
        return _tensor.wrap(_C.prelu_forward(x._impl, weight._impl))

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad = on_device_of(grad, x)
        grad_input, grad_weight = _C.prelu_backward(grad._impl, x._impl, weight._impl)
        return _tensor.wrap(grad_input), _tensor.wrap(grad_weight)


def prelu(input, weight):
    """PReLU with a learnable slope per channel (dim 1; weight of 1 or C elements)."""
    _check_tensor(input, "prelu")
    _check_tensor(weight, "prelu")
    if _records(input, weight):
        return _PReLU.apply(input, weight)
    return _tensor.wrap(_C.prelu_forward(input._impl, weight._impl))


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False):
    """Randomized leaky ReLU: in training each non-positive element gets a slope drawn from
    U(lower, upper) (ember's Philox generator); in eval the slope is (lower + upper) / 2."""
    _check_tensor(input, "rrelu")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    from ... import _creation, _elementwise
    with _grad_mode.no_grad():
        slopes = _creation.rand_like(input)
        slopes = slopes * (upper - lower) + lower
        noise = _elementwise.where(input <= 0, slopes, 1.0)
    if _records(input) or not inplace:
        return input * noise
    input.mul_(noise)
    return input


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False):
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, True)


# --- softmax family ------------------------------------------------------------------------------

class _Softmax(Function):
    """softmax (or log_softmax) along dim: one kernel forward, one backward from the output."""

    @staticmethod
    def forward(ctx, x, dim, log):
        y = _tensor.wrap(_C.softmax_forward(x._impl, dim, log))
        ctx.dim, ctx.log = dim, log
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        grad = on_device_of(grad, y)
        return _tensor.wrap(_C.softmax_backward(grad._impl, y._impl, ctx.dim, ctx.log)), None, None


def _softmax_dim(ndim: int) -> int:
    # PyTorch's legacy choice when dim is not given.
    return 0 if ndim in (0, 1, 3) else 1


def _softmax(input, dim, dtype, log: bool, name: str):
    _check_tensor(input, name)
    if dim is None:
        dim = _softmax_dim(input.dim())
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise TypeError(f"{name}: expected a float32 or float64 tensor, got {input.dtype}")
    if _records(input):
        return _Softmax.apply(input, dim, log)
    return _tensor.wrap(_C.softmax_forward(input._impl, dim, log))


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """exp(input) / sum(exp(input)) along dim, computed stably (max subtracted)."""
    return _softmax(input, dim, dtype, False, "softmax")


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """input - logsumexp(input) along dim."""
    return _softmax(input, dim, dtype, True, "log_softmax")


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    """softmax(-input) along dim."""
    _check_tensor(input, "softmin")
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(-input, dim, None, False, "softmin")


# --- step functions and encodings --------------------------------------------------------------

class _Heaviside(Function):
    """The unit step; its gradient is zero wherever it is defined."""

    @staticmethod
    def forward(ctx, x, values):
        from ... import _elementwise
        step = (x > 0).to(x.dtype)
        return _elementwise.where(x == 0, values, step)

    @staticmethod
    def backward(ctx, grad):
        from ...autograd.ops_elementwise import zeros_like
        return zeros_like(grad), None


def heaviside(input, values):
    """0 where input < 0, values where input == 0, 1 where input > 0 (``torch.heaviside``);
    values broadcasts against input and must have its dtype."""
    _check_tensor(input, "heaviside")
    _check_tensor(values, "heaviside")
    if input.dtype != values.dtype:
        raise TypeError(f"heaviside is not yet implemented for tensors with different dtypes: "
                        f"input is {input.dtype}, values is {values.dtype}")
    return _Heaviside.apply(input, values)


def one_hot(tensor, num_classes: int = -1):
    """int64 tensor of shape (*tensor.shape, num_classes) with a 1 at each class index;
    num_classes=-1 takes the largest index + 1."""
    from ... import _creation, _dtype
    _check_tensor(tensor, "one_hot")
    if tensor.dtype != _dtype.int64:
        raise TypeError(f"one_hot is only applicable to index tensor of dtype int64, "
                        f"got {tensor.dtype}")
    if tensor.numel() > 0:
        if tensor.min().item() < 0:
            raise RuntimeError("one_hot: class values must be non-negative")
        largest = tensor.max().item()
        if num_classes == -1:
            num_classes = largest + 1
        elif largest >= num_classes:
            raise RuntimeError(f"one_hot: class values must be smaller than num_classes "
                               f"({num_classes}), got {largest}")
    elif num_classes == -1:
        raise RuntimeError("one_hot: can not infer the number of classes from an empty tensor")
    classes = _creation.arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


# Tensor methods that forward to the functions above.
def _tensor_softmax(self, dim, dtype=None):
    """See ``ember.nn.functional.softmax``."""
    return softmax(self, dim, dtype=dtype)


def _tensor_log_softmax(self, dim, dtype=None):
    """See ``ember.nn.functional.log_softmax``."""
    return log_softmax(self, dim, dtype=dtype)


for _name, _method in (("softmax", _tensor_softmax), ("log_softmax", _tensor_log_softmax)):
    if not hasattr(_tensor.Tensor, _name):
        setattr(_tensor.Tensor, _name, _method)
