"""``gradcheck``: compares the gradients autograd computes with central finite differences."""
from __future__ import annotations

import numpy as np

from .. import _C
from .. import _tensor
from . import engine
from . import grad_mode


def _outputs(result):
    result = result if isinstance(result, (tuple, list)) else (result,)
    return [o for o in result if isinstance(o, _tensor.Tensor) and o.dtype.is_floating_point]


def _from_numpy(a, like):
    return _tensor.wrap(_C.from_numpy(np.array(a, order="C"))).to(like.device)


def numerical_jacobian(fn, inputs, eps: float):
    """For each differentiable input, the (input numel, output numel) Jacobian of fn by central
    differences, evaluated with recording off."""
    arrays = [t.detach().cpu().numpy().copy() if isinstance(t, _tensor.Tensor) else t
              for t in inputs]

    def evaluate(k, perturbed):
        args = [_from_numpy(perturbed, inputs[i]) if i == k else
                _from_numpy(a, inputs[i]) if isinstance(a, np.ndarray) else a
                for i, a in enumerate(arrays)]
        with grad_mode.no_grad():
            return np.concatenate([o.cpu().numpy().reshape(-1).astype(np.float64)
                                   for o in _outputs(fn(*args))] or [np.zeros(0)])

    jacobians = []
    for k, t in enumerate(inputs):
        if not (isinstance(t, _tensor.Tensor) and t.requires_grad):
            continue
        a = arrays[k]
        rows = []
        for j in range(a.size):
            plus, minus = a.copy(), a.copy()
            plus.reshape(-1)[j] += eps
            minus.reshape(-1)[j] -= eps
            rows.append((evaluate(k, plus) - evaluate(k, minus)) / (2 * eps))
        jacobians.append(np.array(rows).reshape(a.size, -1))
    return jacobians


def analytical_jacobian(fn, inputs):
    """The same Jacobians from autograd: one backward pass per output element."""
    diff = [t for t in inputs if isinstance(t, _tensor.Tensor) and t.requires_grad]
    outputs = _outputs(fn(*inputs))
    sizes = [o._impl.numel for o in outputs]
    jac = [np.zeros((t._impl.numel, sum(sizes))) for t in diff]
    col = 0
    for oi, o in enumerate(outputs):
        for j in range(sizes[oi]):
            if o.requires_grad:
                onehot = np.zeros(sizes[oi])
                onehot[j] = 1
                seeds = [_from_numpy(onehot.reshape(p.shape).astype(p.dtype._numpy), p)
                         if p is o else None for p in outputs]
                used = [(p, s) for p, s in zip(outputs, seeds) if s is not None]
                grads = engine.grad([p for p, _ in used], diff, [s for _, s in used],
                                    retain_graph=True, allow_unused=True)
                for i, g in enumerate(grads):
                    if g is not None:
                        jac[i][:, col] = g.cpu().numpy().reshape(-1)
            col += 1
    return jac


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Whether the gradients of ``func(*inputs)`` with respect to the float64 tensors of
    ``inputs`` that require grad match finite differences (``torch.autograd.gradcheck``).
    Raises RuntimeError naming the input and the largest difference, unless
    ``raise_exception=False``."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [t for t in inputs if isinstance(t, _tensor.Tensor) and t.requires_grad]
    if not diff:
        raise ValueError("gradcheck: expected at least one input tensor that requires grad")
    for t in diff:
        if t.dtype.name != "float64":
            raise ValueError(f"gradcheck: inputs that require grad must be float64 for finite "
                             f"differences to be accurate, got {t.dtype}")
    numerical = numerical_jacobian(func, inputs, eps)
    analytical = analytical_jacobian(func, inputs)
    for i, (n, a) in enumerate(zip(numerical, analytical)):
        if n.shape != a.shape or not np.allclose(a, n, atol=atol, rtol=rtol):
            if not raise_exception:
                return False
            worst = np.max(np.abs(a - n)) if n.shape == a.shape else float("nan")
            raise RuntimeError(f"gradcheck: Jacobian mismatch for input {i} (largest difference "
                               f"{worst:.3g}):\nnumerical:\n{n}\nanalytical:\n{a}")
    return True
