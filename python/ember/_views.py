"""Views, indexing and joins: ``reshape``, ``permute``, ``x[...]``, ``cat``, ``split`` ...

Views share the input's storage (writes through one show in the other); indexing with integer
or boolean tensors, ``cat``/``stack`` and ``flip`` copy. Basic indexing follows PyTorch, plus
numpy's negative slice steps (a view with a negative stride).
"""
from __future__ import annotations

import numpy as np

from . import _C
from . import _device
from . import _dtype
from . import _tensor
from .autograd import grad_mode as _grad_mode
from .autograd import inplace as _inplace
from .autograd import ops_views as _ag

__all__ = [
    "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "squeeze", "unsqueeze",
    "flatten", "unflatten", "narrow", "select", "movedim", "moveaxis", "diagonal",
    "broadcast_to", "broadcast_tensors", "broadcast_shapes", "cat", "concat", "concatenate",
    "stack", "hstack", "vstack", "split", "chunk", "unbind", "index_select", "masked_fill",
    "nonzero", "flip",
]

_INT_TYPES = (int, np.integer)
_BOOL_TYPES = (bool, np.bool_)


def _sizes(args, op: str):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(ember.Size(...))`` all mean (2, 3)."""
    if len(args) == 1 and not isinstance(args[0], _INT_TYPES):
        args = args[0]
        if not isinstance(args, (tuple, list)):
            raise TypeError(f"{op}: expected ints or a sequence of ints, got "
                            f"{type(args).__name__}")
    return args


def _dims(dim):
    return (dim,) if isinstance(dim, _INT_TYPES) else tuple(dim)


def _wrap(impl):
    return _tensor.wrap(impl)


_mark_view = _inplace.mark_view
_recorded = _inplace.mark_recorded_view
_MULTI = _inplace.MULTI_OUTPUT


def _view(impl, input, name=None):
    """impl, a view of input's memory, wrapped as a view of input (see autograd/inplace.py);
    name: PyTorch's node for the op (its errors name it)."""
    return _mark_view(_tensor.wrap(impl), input, 0, name)


def _maybe_view(impl, input, name=None):
    """The result of an op that gives a view when the strides allow, else a copy."""
    out = _tensor.wrap(impl)
    if impl.storage_ptr == input._impl.storage_ptr:
        _mark_view(out, input, 0, name)
    return out


def _index_node(idx) -> str:
    """PyTorch's node for the basic index idx (ints, slices, None, one Ellipsis): that of the
    last dim it changes (a whole-dim slice changes none)."""
    for item in reversed(idx if type(idx) is tuple else (idx,)):
        if type(item) is int:
            return "Select"
        if item is None:
            return "Unsqueeze"
        if type(item) is slice and item != _WHOLE:
            return "Slice"
    return "Alias"


_WHOLE = slice(None)


def _multi_views(impls, input):
    """The outputs of unbind / split / chunk: views that PyTorch forbids writing in place while
    recording (of a base outside the graph, they count as taken under no_grad)."""
    flags = _MULTI if input.requires_grad else _MULTI | _inplace.NO_GRAD_VIEW
    return tuple([_mark_view(_tensor.wrap(i), input, flags) for i in impls])


# -- indexing --------------------------------------------------------------------------------

def _index_tensor(item):
    """The C++ tensor of an index given as a list, tuple, numpy array or ember tensor."""
    if isinstance(item, _tensor.Tensor):
        impl = item._impl
    else:
        a = np.asarray(item)
        if a.size == 0 and a.dtype.kind == "f":  # [] means "no indices", not a float index
            a = a.astype(np.int64)
        if a.dtype.kind not in "biu":
            raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors "
                             f"(got an index of numpy dtype {a.dtype})")
        if a.dtype.kind in "iu" and a.dtype != np.int32:
            a = a.astype(np.int64)
        impl = _C.from_numpy(np.ascontiguousarray(a))
    return impl


def _expand_index(impl, idx):
    """Applies the ints, slices, None and Ellipsis of idx as views of impl; returns the view and
    the list of advanced indices (None when there are none) left for _C.index."""
    if type(idx) is not tuple:
        idx = (idx,)
    ndim = impl.ndim
    items = []
    consumed = 0
    ellipsis = False
    for item in idx:
        if item is None or item is Ellipsis:
            if item is Ellipsis:
                if ellipsis:
                    raise IndexError("an index can only have a single ellipsis ('...')")
                ellipsis = True
            items.append(item)
            continue
        if isinstance(item, _BOOL_TYPES):
            items.append(("b", bool(item)))
            continue
        if isinstance(item, _INT_TYPES):
            items.append(("i", int(item)))
            consumed += 1
            continue
        if isinstance(item, slice):
            items.append(item)
            consumed += 1
            continue
        if isinstance(item, _tensor.Tensor) and item._impl.ndim == 0:
            value = item.item()
            if item.dtype is _dtype.bool_:
                items.append(("b", value))
                continue
            if item.dtype.is_floating_point:
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 f"tensors (got {item.dtype})")
            items.append(("i", value))
            consumed += 1
            continue
        if not isinstance(item, (_tensor.Tensor, list, tuple, np.ndarray)):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and integer or "
                             f"boolean tensors are valid indices (got {type(item).__name__})")
        t = _index_tensor(item)
        mask = t.dtype in (_C.DType.bool, _C.DType.uint8)
        items.append(("t", t, mask))
        consumed += t.ndim if mask else 1
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    shape = impl.shape
    d = 0  # the dim of the view so far that the next item applies to
    source = 0  # the same dim counted in the input, for error messages
    advanced = None
    covered = 0  # dims of the view that the entries of `advanced` span
    for item in items:
        if item is None:
            impl = _C.unsqueeze(impl, d)
            d += 1
        elif item is Ellipsis:
            d += ndim - consumed
            source += ndim - consumed
        elif type(item) is slice:
            impl = _slice(impl, d, item)
            d += 1
            source += 1
        elif item[0] == "i":
            try:
                impl = _C.select(impl, d, item[1])
            except IndexError:
                raise IndexError(f"index {item[1]} is out of bounds for dimension {source} with "
                                 f"size {shape[source]}") from None
            source += 1
        else:
            if advanced is None:
                advanced = []
            if item[0] == "b":  # numpy: a bool scalar is a mask over a new dim of size 1
                impl = _C.unsqueeze(impl, d)
                t, width = _C.from_numpy(np.array([item[1]])), 1
            else:
                t, width = item[1], (item[1].ndim if item[2] else 1)
            # A mask covers `width` dims: _C.index reads it as one entry spanning them.
            advanced.extend([None] * (d - covered))
            advanced.append(t)
            d += width
            covered = d
            source += width if item[0] == "t" else 0
    return impl, advanced


def _slice(impl, d, item):
    start, stop, step = item.start, item.stop, item.step
    if start is None and stop is None and step is None:
        return impl
    try:
        return _C.slice(impl, d, start, stop, 1 if step is None else step)
    except TypeError:
        raise TypeError(f"slice indices must be integers or None or have an __index__ method "
                        f"(got {item})") from None


def _basic_view(impl, idx):
    """The fast path of x[i, j:k, None, ...] for tuples of at most ndim ints, slices, None and
    one Ellipsis; None when idx holds anything else (or an error to report)."""
    d = 0
    ellipsis = False
    for item in idx:
        tp = type(item)
        if tp is int:
            try:
                impl = _C.select(impl, d, item)
            except IndexError:
                return None  # _expand_index raises it naming the input's dim
        elif tp is slice:
            impl = _slice(impl, d, item)
            d += 1
        elif item is None:
            impl = _C.unsqueeze(impl, d)
            d += 1
        elif item is Ellipsis and not ellipsis:
            ellipsis = True
            d += impl.ndim - d - sum(1 for it in idx[idx.index(Ellipsis) + 1:]
                                     if type(it) is int or type(it) is slice)
        else:
            return None
    return impl


def _getitem(self, idx):
    if self.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Gather.apply(self, _getitem, idx))
    impl = self._impl
    tp = type(idx)
    if tp is int:
        return _view(_C.select(impl, 0, idx), self, "Select")
    if tp is slice:
        return _view(_slice(impl, 0, idx), self, _index_node(idx))
    if tp is tuple and len(idx) <= impl.ndim:
        view = _basic_view(impl, idx)
        if view is not None:
            return _view(view, self, _index_node(idx))
    impl, advanced = _expand_index(impl, idx)
    if advanced is not None:
        return _tensor.wrap(_C.index(impl, advanced))
    return _view(impl, self)


def _setitem(self, idx, value):
    if _grad_mode._enabled:
        if self.requires_grad or getattr(value, "requires_grad", False):
            _inplace.record_inplace(self, "__setitem__", _setitem_of, idx, value)
            return
        _inplace.check_plain_write(self, _setitem_node(idx))
    _setitem_plain(self, idx, value)
    self._impl.bump_version()


def _setitem_node(idx):
    """PyTorch's node for the view that ``x[idx] = v`` writes through (None: x itself, or an
    advanced index, which writes x)."""
    tp = type(idx)
    if tp is int or tp is slice or idx is None or (
            tp is tuple and all(type(i) in (int, slice) or i is None or i is Ellipsis
                                for i in idx)):
        node = _index_node(idx)
        return None if node == "Alias" else node
    return None


def _setitem_of(self, idx, value):
    """The value ``self[idx] = value`` gives, computed out of place (for recording)."""
    return _inplace.IndexPut.apply(self, value, lambda out, v: _setitem_plain(out, idx, v),
                                   lambda g: g[idx], False)


def _setitem_plain(self, idx, value):
    impl = self._impl
    if type(idx) is int:
        target, advanced = _C.select(impl, 0, idx), None
    else:
        target, advanced = _expand_index(impl, idx)
    src = _tensor._as_impl(value, self.dtype)
    if src.device != impl.device:  # Python values (and CPU tensors) go to the target's device
        dev = _device.from_impl_str(impl.device)
        src = _C.to_device(src, dev.type, dev.index or 0)
    shape = src.shape
    if shape and shape[0] == 1:  # like PyTorch (and numpy), leading 1s of the value don't count
        lead = 0
        while lead < len(shape) and shape[lead] == 1:
            lead += 1
        src = _C.view(src, shape[lead:])
    if advanced is not None:
        _C.index_put_(target, advanced, src)
        return
    if src.storage_ptr == target.storage_ptr:  # x[1:] = x[:-1]: read everything before writing
        src = _C.clone(src)
    _C.copy_(target, src)


def _index_list(indices, op: str):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{op}: indices must be a tuple of tensors (or None), got "
                        f"{type(indices).__name__}")
    return tuple(i if i is None or isinstance(i, _tensor.Tensor) else
                 _tensor.wrap(_index_tensor(i)) for i in indices)


def _index_put_plain(self, indices, values, accumulate: bool):
    impl = self._impl
    src = _tensor._as_impl(values, self.dtype)
    if src.device != impl.device:
        dev = _device.from_impl_str(impl.device)
        src = _C.to_device(src, dev.type, dev.index or 0)
    _C.index_put_(impl, [None if i is None else i._impl for i in indices], src, accumulate)


def _index_put_of(self, indices, values, accumulate: bool):
    """The value ``index_put_`` gives, computed out of place (for recording)."""
    return _inplace.IndexPut.apply(self, values,
                                   lambda out, v: _index_put_plain(out, indices, v, accumulate),
                                   lambda g: _index_gather(g, indices), accumulate)


def _index_gather(self, indices):
    """``self[indices]`` for index_put_'s indices (None keeps a dim whole), differentiable."""
    if self.requires_grad and _grad_mode._enabled:
        return _ag.Gather.apply(self, _index_gather, indices)
    return _wrap(_C.index(self._impl, [None if i is None else i._impl for i in indices]))


# -- functions ---------------------------------------------------------------------------------

def reshape(input, shape):
    """A tensor of the given shape with input's elements: a view when the strides allow, else a
    copy. One dim may be -1 (inferred)."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Reshape.apply(input, reshape, shape))
    return _maybe_view(_C.reshape(input._impl, shape), input, "View")


def permute(input, dims):
    """A view with the dims reordered: result dim i is input dim ``dims[i]``."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Permute.apply(input, permute, _ag.permute_perm, dims))
    return _view(_C.permute(input._impl, dims), input, "Permute")


def transpose(input, dim0: int, dim1: int):
    """A view with dims dim0 and dim1 swapped."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Permute.apply(input, transpose, _ag.transpose_perm, dim0, dim1))
    return _view(_C.transpose(input._impl, dim0, dim1), input, "Transpose")


swapaxes = swapdims = transpose


def t(input):
    """The transpose of a tensor of at most 2 dims (a view)."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Permute.apply(input, t, _ag.reversed_perm))
    return _view(_C.t(input._impl), input, "T")


def squeeze(input, dim=None):
    """A view without the dims of size 1 (all of them, or those among ``dim``)."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Reshape.apply(input, squeeze, dim))
    if dim is None:
        return _view(_C.squeeze(input._impl), input, "Squeeze0")
    return _view(_C.squeeze(input._impl, _dims(dim)), input,
                 "Squeeze1" if isinstance(dim, _INT_TYPES) else "Squeeze2")


def unsqueeze(input, dim: int):
    """A view with a new dim of size 1 at position ``dim``."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Reshape.apply(input, unsqueeze, dim))
    return _view(_C.unsqueeze(input._impl, dim), input, "Unsqueeze")


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Dims start_dim..end_dim merged into one (a view when the strides allow)."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Reshape.apply(input, flatten, start_dim, end_dim))
    return _maybe_view(_C.flatten(input._impl, start_dim, end_dim), input, "View")


def unflatten(input, dim: int, sizes):
    """A view with dim ``dim`` split into ``sizes`` (one may be -1)."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Reshape.apply(input, unflatten, dim, sizes))
    return _view(_C.unflatten(input._impl, dim, sizes), input, "View")


def narrow(input, dim: int, start: int, length: int):
    """A view of ``length`` entries of dim ``dim`` from ``start``."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Gather.apply(input, narrow, dim, start, length))
    return _view(_C.narrow(input._impl, dim, start, length), input, "Slice")


def select(input, dim: int, index: int):
    """A view of entry ``index`` of dim ``dim``, that dim removed."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Gather.apply(input, select, dim, index))
    return _view(_C.select(input._impl, dim, index), input, "Select")


def movedim(input, source, destination):
    """A view with dims ``source`` moved to positions ``destination`` (ints or sequences)."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Permute.apply(input, movedim, _ag.movedim_perm, source,
                                           destination))
    return _view(_C.movedim(input._impl, _dims(source), _dims(destination)), input,
                 "Permute")


moveaxis = movedim


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A view of the diagonal of dims dim1 and dim2 (offset > 0: above it), as the last dim."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Gather.apply(input, diagonal, offset, dim1, dim2))
    return _view(_C.diagonal(input._impl, offset, dim1, dim2), input, "Diagonal")


def broadcast_to(input, size):
    """A view of input broadcast to ``size`` (``expand``)."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Expand.apply(input, broadcast_to, size))
    return _view(_C.expand(input._impl, size), input, "Expand")


def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to."""
    out = []
    for shape in shapes:
        shape = (shape,) if isinstance(shape, _INT_TYPES) else tuple(shape)
        n = max(len(out), len(shape))
        out = [1] * (n - len(out)) + out
        padded = (1,) * (n - len(shape)) + shape
        for i, s in enumerate(padded):
            if s != out[i] and s != 1 and out[i] != 1:
                raise ValueError(f"broadcast_shapes: shapes {tuple(out)} and {shape} cannot be "
                                 "broadcast")
            if s != 1:
                out[i] = s
    return _tensor.Size(out)


def broadcast_tensors(*tensors):
    """Views of the tensors, all expanded to their common broadcast shape."""
    shape = broadcast_shapes(*(x._impl.shape for x in tensors))
    return tuple(x.expand(shape) for x in tensors)


def _impls(tensors, op: str):
    if isinstance(tensors, _tensor.Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a sequence of Tensors, got {type(tensors).__name__}")
    try:
        return [x._impl for x in tensors]
    except AttributeError:
        raise TypeError(f"{op}: expected a sequence of Tensors, got "
                        f"[{', '.join(type(x).__name__ for x in tensors)}]") from None


def cat(tensors, dim: int = 0):
    """The tensors joined along ``dim`` (a copy; dtypes promoted like ``a + b``)."""
    impls = _impls(tensors, "cat")
    if _grad_mode._enabled and any(x.requires_grad for x in tensors):
        return _ag.Cat.apply(cat, dim, *tensors)
    return _wrap(_C.cat(impls, dim))


def concat(tensors, dim: int = 0):
    """Alias of ``cat``."""
    return cat(tensors, dim)


def concatenate(tensors, axis: int = 0):
    """Alias of ``cat`` with numpy's argument name."""
    return cat(tensors, axis)


def stack(tensors, dim: int = 0):
    """The tensors (all of one shape) joined along a new dim ``dim``."""
    impls = _impls(tensors, "stack")
    if _grad_mode._enabled and any(x.requires_grad for x in tensors):
        return _ag.Stack.apply(dim, *tensors)
    return _wrap(_C.stack(impls, dim))


def hstack(tensors):
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    _impls(tensors, "hstack")
    parts = [x.reshape([1]) if x.ndim == 0 else x for x in tensors]
    return cat(parts, 0 if parts and parts[0].ndim == 1 else 1)


def vstack(tensors):
    """Join along dim 0, 0-d and 1-D tensors first made rows."""
    _impls(tensors, "vstack")
    return cat([x.reshape([1, -1]) if x.ndim < 2 else x for x in tensors], 0)


def split(tensor, split_size_or_sections, dim: int = 0):
    """Views of consecutive pieces along ``dim``: of ``split_size_or_sections`` entries each
    (the last may be smaller), or of the listed sizes."""
    if tensor.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Gather.apply(tensor, split, split_size_or_sections, dim), _MULTI)
    impl = tensor._impl
    if isinstance(split_size_or_sections, _INT_TYPES):
        parts = _C.split(impl, split_size_or_sections, dim)
    else:
        parts = _C.split_with_sizes(impl, split_size_or_sections, dim)
    return _multi_views(parts, tensor)


def chunk(input, chunks: int, dim: int = 0):
    """Up to ``chunks`` views of equal size (the last may be smaller) along ``dim``."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Gather.apply(input, chunk, chunks, dim), _MULTI)
    return _multi_views(_C.chunk(input._impl, chunks, dim), input)


def unbind(input, dim: int = 0):
    """The views ``select(input, dim, i)`` for every i."""
    if input.requires_grad and _grad_mode._enabled:
        return _recorded(_ag.Gather.apply(input, unbind, dim), _MULTI)
    return _multi_views(_C.unbind(input._impl, dim), input)


def index_select(input, dim: int, index):
    """The entries of ``input`` at the positions of the 1-D integer tensor ``index`` along
    ``dim`` (a copy)."""
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Gather.apply(input, index_select, dim, index)
    return _wrap(_C.index_select(input._impl, dim, _index_tensor(index)))


def _fill_value(value, dtype):
    if isinstance(value, _tensor.Tensor):
        return value._impl
    if not isinstance(value, (bool, int, float, np.number)):
        raise TypeError(f"masked_fill: value must be a number or a 0-d tensor, got "
                        f"{type(value).__name__}")
    return _tensor._as_impl(value, dtype)


def masked_fill(input, mask, value):
    """A copy of input with ``value`` where the bool ``mask`` (broadcast) is true."""
    if _grad_mode._enabled and (input.requires_grad or getattr(value, "requires_grad", False)):
        return _ag.MaskedFill.apply(input, mask, value)
    return _wrap(_C.masked_fill(input._impl, mask._impl, _fill_value(value, input.dtype)))


def nonzero(input, *, as_tuple: bool = False):
    """The indices of the nonzero elements: an int64 tensor (count, ndim), or with
    ``as_tuple=True`` one 1-D tensor per dim."""
    impl = input._impl
    if as_tuple:
        if impl.ndim == 0:  # PyTorch treats a 0-d input as 1-D here
            impl = _C.reshape(impl, [1])
        return tuple(map(_wrap, _C.unbind(_C.nonzero(impl), 1)))
    return _wrap(_C.nonzero(impl))


def flip(input, dims):
    """A copy with the order of entries reversed along each of ``dims``."""
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Flip.apply(input, dims)
    return _wrap(_C.flip(input._impl, _dims(dims)))


class ViewMethods:
    __slots__ = ()

    __getitem__ = _getitem
    __setitem__ = _setitem

    def view(self, *shape):
        """A view with another shape (ints or one sequence; one -1 is inferred). Raises when
        the strides do not allow it; ``reshape`` then copies."""
        if self.requires_grad and _grad_mode._enabled:
            return _recorded(_ag.Reshape.apply(self, ViewMethods.view, *shape))
        return _view(_C.view(self._impl, _sizes(shape, "view")), self, "View")

    def view_as(self, other):
        """``self.view(other.shape)``."""
        return self.view(other._impl.shape)

    def reshape(self, *shape):
        """Another shape (ints or one sequence): a view when the strides allow, else a copy."""
        if self.requires_grad and _grad_mode._enabled:
            return _recorded(_ag.Reshape.apply(self, ViewMethods.reshape, *shape))
        return _maybe_view(_C.reshape(self._impl, _sizes(shape, "reshape")), self, "View")

    def reshape_as(self, other):
        """``self.reshape(other.shape)``."""
        return self.reshape(other._impl.shape)

    def permute(self, *dims):
        """A view with the dims reordered (ints or one sequence)."""
        if self.requires_grad and _grad_mode._enabled:
            return _recorded(_ag.Permute.apply(self, ViewMethods.permute, _ag.permute_perm,
                                               *dims))
        return _view(_C.permute(self._impl, _sizes(dims, "permute")), self, "Permute")

    def transpose(self, dim0: int, dim1: int):
        """A view with dims dim0 and dim1 swapped."""
        return transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self):
        """The transpose of a tensor of at most 2 dims (a view)."""
        return t(self)

    @property
    def T(self):
        """All dims reversed (the transpose for a matrix)."""
        impl = self._impl
        if self.requires_grad and _grad_mode._enabled:
            return permute(self, list(range(impl.ndim - 1, -1, -1)))
        if impl.ndim <= 2:
            return _view(_C.t(impl), self, "Permute")
        return _view(_C.permute(impl, list(range(impl.ndim - 1, -1, -1))), self, "Permute")

    @property
    def mT(self):
        """The last two dims swapped (a batch of matrices transposed)."""
        if self._impl.ndim < 2:
            raise RuntimeError(f"mT: tensor must have at least 2 dimensions, got shape "
                               f"{tuple(self._impl.shape)}")
        return transpose(self, -2, -1)

    squeeze = squeeze
    unsqueeze = unsqueeze
    flatten = flatten
    unflatten = unflatten
    narrow = narrow
    select = select
    movedim = movedim
    moveaxis = movedim
    diagonal = diagonal

    def expand(self, *sizes):
        """A view broadcast to ``sizes`` (new leading dims allowed; -1 keeps a size)."""
        if self.requires_grad and _grad_mode._enabled:
            return _recorded(_ag.Expand.apply(self, ViewMethods.expand, *sizes))
        return _view(_C.expand(self._impl, _sizes(sizes, "expand")), self, "Expand")

    def expand_as(self, other):
        """``self.expand(other.shape)``."""
        return self.expand(other._impl.shape)

    broadcast_to = broadcast_to
    split = split
    chunk = chunk
    unbind = unbind
    index_select = index_select
    masked_fill = masked_fill

    def masked_fill_(self, mask, value):
        """In place: ``value`` where the bool ``mask`` (broadcast to self) is true."""
        if _grad_mode._enabled:
            if self.requires_grad or getattr(value, "requires_grad", False):
                return _inplace.record_inplace(self, "masked_fill_", masked_fill, mask, value)
            _inplace.check_plain_write(self)
        _C.masked_fill_(self._impl, mask._impl, _fill_value(value, self.dtype))
        self._impl.bump_version()
        return self

    def index_put_(self, indices, values, accumulate: bool = False):
        """``self[indices] = values`` for a tuple of index tensors (None keeps a dim whole); with
        ``accumulate`` the values are added, repeated indices summing (deterministically)."""
        indices = _index_list(indices, "index_put_")
        if _grad_mode._enabled:
            if self.requires_grad or getattr(values, "requires_grad", False):
                return _inplace.record_inplace(self, "index_put_", _index_put_of, indices,
                                               values, accumulate)
            _inplace.check_plain_write(self)
        _index_put_plain(self, indices, values, accumulate)
        self._impl.bump_version()
        return self

    def index_put(self, indices, values, accumulate: bool = False):
        """Out-of-place ``index_put_``: a copy of self with the values put (or added)."""
        return self.clone().index_put_(indices, values, accumulate)

    def index_add_(self, dim: int, index, source, *, alpha=1):
        """Adds ``alpha * source`` into self at the positions ``index`` (1-D) along ``dim``;
        repeated positions sum."""
        dim = dim % max(self._impl.ndim, 1)
        index = index if isinstance(index, _tensor.Tensor) else _tensor.wrap(_index_tensor(index))
        return self.index_put_((None,) * dim + (index,), source * alpha if alpha != 1 else source,
                               True)

    def scatter_add_(self, dim: int, index, src):
        """``self[index[i][j]][j] += src[i][j]`` (for dim 0; likewise for any dim and ndim):
        index and src have self's number of dims; repeated positions sum."""
        ndim = self._impl.ndim
        index_shape = tuple(index._impl.shape)
        if len(index_shape) != ndim or src._impl.ndim != ndim:
            raise RuntimeError(f"scatter_add_: index {list(index_shape)} and src "
                               f"{list(src._impl.shape)} must have as many dims as self "
                               f"{list(self._impl.shape)}")
        dim = dim % max(ndim, 1)
        device = _device.from_impl_str(index._impl.device)
        positions = []
        for d in range(ndim):
            if d == dim:
                positions.append(index)
                continue
            shape = [1] * ndim
            shape[d] = index_shape[d]
            ar = _tensor.wrap(_C.arange(0, index_shape[d], 1, _C.DType.int64, device.type,
                                        device.index or 0))
            positions.append(ar.reshape(shape).expand(index_shape))
        part = src[tuple(slice(0, n) for n in index_shape)]
        return self.index_put_(tuple(positions), part, True)

    nonzero = nonzero

    def flip(self, *dims):
        """A copy reversed along ``dims`` (ints or one sequence)."""
        return flip(self, _sizes(dims, "flip"))
