"""``Parameter``: a tensor that a Module registers as one of its learnable weights."""
from __future__ import annotations

from .. import _tensor
from .._tensor import Tensor


class Parameter(Tensor):
    """A Tensor that, assigned as an attribute of a ``Module``, joins its ``parameters()``.

    It shares memory with ``data`` and requires grad by default (``torch.nn.Parameter``).
    """

    def __new__(cls, data=None, requires_grad: bool = True):
        if data is None:
            from .. import _creation
            data = _creation.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter: expected a Tensor as data, got {type(data).__name__}")
        p = Tensor.__new__(cls)
        p._impl = data._impl
        p.grad = None
        p.grad_fn = None
        p.requires_grad = False
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad: bool = True):
        pass  # everything happens in __new__ (Tensor.__init__ refuses direct construction)

    @property
    def data(self) -> Tensor:
        return _tensor.wrap(self._impl)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Parameter.data: expected a Tensor, got {type(value).__name__}")
        self._impl = value._impl

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (Tensor.__reduce__(self), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(self.detach().clone(), self.requires_grad)
        if self.grad is not None:
            out.grad = self.grad.clone()
        memo[id(self)] = out
        return out


def _rebuild_parameter(reduced, requires_grad):
    fn, args = reduced
    return Parameter(fn(*args), requires_grad)
