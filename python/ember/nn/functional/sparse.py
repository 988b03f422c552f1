"""``embedding``: rows of a weight matrix looked up by index; backward is a scatter-add
kernel (``_C.embedding_backward``)."""
from __future__ import annotations

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd import grad_mode
from ...autograd.function import Function

__all__ = ["embedding"]


class Embedding(Function):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.save_for_backward(indices)
        ctx.num_weights = weight._impl.shape[0]
        ctx.padding_idx = padding_idx
        flat = _C.reshape(indices._impl, [-1])
        rows = _C.index_select(weight._impl, 0, flat)
        return wrap(_C.reshape(rows, list(indices._impl.shape) + [weight._impl.shape[1]]))

    @staticmethod
    def backward(ctx, g):
        indices, = ctx.saved_tensors
        if grad_mode._enabled:
            raise NotImplementedError("embedding: double backward is not supported")
        return wrap(_C.embedding_backward(g._impl, indices._impl, ctx.num_weights,
                                          ctx.padding_idx)), None, None


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False):
    """``weight[input]``: for integer indices of any shape, the rows of weight
    (num_embeddings, embedding_dim); the gradient of row ``padding_idx`` stays zero."""
    if not isinstance(input, Tensor) or input.dtype.is_floating_point or \
            input.dtype.name == "bool":
        got = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(f"embedding: expected integer (Long or Int) indices, got {got}")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise RuntimeError("embedding: weight must be a 2-D tensor (num_embeddings, "
                           f"embedding_dim), got {getattr(weight, 'shape', weight)}")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not "
                                  "supported")
    n = weight._impl.shape[0]
    if padding_idx is None:
        padding_idx = -1
    elif not -n <= padding_idx < n:
        raise ValueError(f"embedding: padding_idx {padding_idx} must be within num_embeddings "
                         f"({n})")
    elif padding_idx < 0:
        padding_idx += n
    if input.numel():
        lo, hi = int(input.min().item()), int(input.max().item())
        if lo < 0 or hi >= n:
            raise IndexError(f"embedding: index {lo if lo < 0 else hi} is out of range for "
                             f"{n} embeddings (input of shape {tuple(input.shape)})")
    return Embedding.apply(weight, input, padding_idx)
