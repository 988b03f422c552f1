"""``ember.optim.Optimizer``: parameter groups, per-parameter state and state_dicts.

The layout follows ``torch.optim.Optimizer`` so that code and state_dicts move across:
``param_groups`` is a list of dicts (``'params'`` plus hyper-parameters), ``state`` maps each
parameter to a dict of named buffers, and ``state_dict()`` keys the state by the parameter's
index in the order of the groups. Subclasses implement ``step``: one fused C++/CUDA kernel per
parameter (``ember._C.<name>_step_``).
"""
from __future__ import annotations

from collections import OrderedDict, defaultdict
from copy import deepcopy
import itertools

from .. import _C
from .._tensor import Tensor, from_numpy
from .._creation import full, zeros_like
from .. import _dtype
from ..autograd import grad_mode as _grad_mode


class _RequiredParameter:
    """The default of a hyper-parameter that every group must give (PyTorch's ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class _HookHandle:
    """Removes a step hook it was returned for."""

    _next_id = itertools.count()

    def __init__(self, hooks: OrderedDict):
        self._hooks = hooks
        self.id = next(self._next_id)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


class Optimizer:
    """Base class of every optimizer: holds ``param_groups``, ``defaults`` and ``state``."""

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list = []
        self._step_pre_hooks: OrderedDict = OrderedDict()
        self._step_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got ember.Tensor")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]}" for k in sorted(group) if k != "params")
        return "\n".join(lines) + "\n)"

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._step_pre_hooks = OrderedDict()
        self._step_post_hooks = OrderedDict()

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (with its own hyper-parameters) to optimize."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__name__)
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        param_group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        existing = {id(p) for group in self.param_groups for p in group["params"]}
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: to None (the default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    with _grad_mode.no_grad():
                        p.grad = p.grad.detach()
                        p.grad.zero_()

    def step(self, closure=None):
        """Update the parameters from their gradients; ``closure`` re-evaluates the loss."""
        raise NotImplementedError

    # -- hooks --------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook) -> _HookHandle:
        """``hook(optimizer, args, kwargs)`` runs before each ``step``."""
        handle = _HookHandle(self._step_pre_hooks)
        self._step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook) -> _HookHandle:
        """``hook(optimizer, args, kwargs)`` runs after each ``step``."""
        handle = _HookHandle(self._step_post_hooks)
        self._step_post_hooks[handle.id] = hook
        return handle

    def __init_subclass__(cls, **kwargs):
        # Every subclass's step runs the hooks, as PyTorch's do.
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])

    # -- state_dict -----------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """``{'state': {index: {name: value}}, 'param_groups': [{..., 'params': [index]}]}``.

        Parameters are numbered in the order of the groups, as PyTorch does; the values are the
        optimizer's own buffers (not copies).
        """
        index = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()`` of an optimizer of the same kind over the same parameters.

        Tensors are copied onto each parameter's device and dtype (``'step'`` keeps its own);
        PyTorch tensors (a torch.optim state_dict) are converted.
        """
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        id_map = {saved_i: p for group, saved in zip(groups, saved_groups)
                  for saved_i, p in zip(saved["params"], group["params"])}
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key not in id_map:
                continue
            param = id_map[key]
            state[param] = {name: _load_value(name, v, param) for name, v in value.items()}
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            loaded = {k: deepcopy(v) for k, v in saved.items() if k != "params"}
            if "betas" in loaded:
                loaded["betas"] = tuple(loaded["betas"])
            loaded["params"] = group["params"]
            new_groups.append(loaded)
        self.state = state
        self.param_groups = new_groups


def _with_step_hooks(step):
    def step_with_hooks(self, *args, **kwargs):
        for hook in list(self._step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                args, kwargs = result
        out = step(self, *args, **kwargs)
        for hook in list(self._step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    step_with_hooks.__doc__ = step.__doc__
    step_with_hooks.__name__ = step.__name__
    return step_with_hooks


def _load_value(name: str, value, param: Tensor):
    """A copy of one saved state value, placed like ``param`` (PyTorch's casting policy)."""
    if not isinstance(value, Tensor) and type(value).__module__.startswith("torch"):
        value = from_numpy(value.detach().cpu().numpy().copy())  # copy(): contiguous, 0-d kept
    if isinstance(value, Tensor):
        if name == "step":
            return value.detach().clone()
        if value.is_floating_point():
            return value.detach().to(dtype=param.dtype, device=param.device).clone()
        return value.detach().to(device=param.device).clone()
    if isinstance(value, list):
        return [_load_value(name, v, param) for v in value]
    return deepcopy(value)


# -- helpers for the optimizers' steps ---------------------------------------------------------

def scalar_state(value: float) -> Tensor:
    """A 0-d float32 CPU tensor, how PyTorch keeps 'step', 'mu_product', 'eta' and 'mu'."""
    return full((), value, dtype=_dtype.float32)


def increment_step(state: dict) -> float:
    """Add one to ``state['step']`` and return the new count."""
    step_t = state["step"]
    step = step_t.item() + 1.0
    step_t.fill_(step)
    return step


def zeros_state(param: Tensor) -> Tensor:
    """A state buffer of zeros shaped like ``param``."""
    return zeros_like(param)


def grad_impl(param: Tensor):
    """The C++ tensor of ``param.grad``, contiguous as the fused kernels need it."""
    grad = param.grad
    if grad.dtype != param.dtype:
        raise TypeError(f"optimizer: the gradient has dtype {grad.dtype} but the parameter has "
                        f"dtype {param.dtype}")
    impl = grad._impl
    return impl if impl.is_contiguous else _C.contiguous(impl)


def check_value(condition: bool, message: str) -> None:
    """Raise ValueError(message) unless condition: PyTorch's hyper-parameter checks."""
    if not condition:
        raise ValueError(message)


def options(cls, **fields):
    """An ``ember._C.<Name>Options`` with the given fields set."""
    o = cls()
    for name, value in fields.items():
        setattr(o, name, value)
    return o
