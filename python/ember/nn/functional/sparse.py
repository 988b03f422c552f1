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
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.num_weights = weight._impl.shape[0]
        ctx.padding_idx = padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        flat = _C.reshape(indices._impl, [-1])
        rows = _C.index_select(weight._impl, 0, flat)
        return wrap(_C.reshape(rows, list(indices._impl.shape) + [weight._impl.shape[1]]))

    @staticmethod
    def backward(ctx, g):
        indices, = ctx.saved_tensors
        grad = EmbeddingGrad.apply(g, indices, ctx.num_weights, ctx.padding_idx)
        if ctx.scale_grad_by_freq:
            # Each row's gradient divided by how often its index occurs: the same scatter-add
            # kernel counts the occurrences.
            ones = g.new_ones(tuple(indices._impl.shape) + (1,))._impl
            counts = wrap(_C.embedding_backward(ones, indices._impl, ctx.num_weights, -1))
            grad = grad / counts.clamp(min=1)
        return grad, None, None, None


class EmbeddingGrad(Function):
    """The weight gradient of a lookup, as a differentiable op (so double backward works): its
    own gradient is the lookup of the incoming gradient, zero where the index is padding_idx."""

    @staticmethod
    def forward(ctx, g, indices, num_weights, padding_idx):
        ctx.save_for_backward(indices)
        ctx.padding_idx = padding_idx
        return wrap(_C.embedding_backward(g._impl, indices._impl, num_weights, padding_idx))

    @staticmethod
    def backward(ctx, gg):
        indices, = ctx.saved_tensors
        rows = Embedding.apply(gg, indices, -1, False)
        if ctx.padding_idx >= 0:
            rows = rows * (indices != ctx.padding_idx).unsqueeze(-1).to(rows.dtype)
        return rows, None, None, None


def _renorm_rows(weight, indices, max_norm: float, norm_type: float) -> None:
    """PyTorch's max_norm: the rows of weight that indices pick and whose norm exceeds max_norm
    are scaled down to it, in place and outside autograd."""
    with grad_mode.no_grad():
        flat = indices.reshape(-1)
        rows = weight.index_select(0, flat)
        norms = rows.norm(p=norm_type, dim=1, keepdim=True)
        scale = (max_norm / (norms + 1e-7)).clamp(max=1.0)
        weight[flat] = rows * scale


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False):
    """``weight[input]``: for integer indices of any shape, the rows of weight
    (num_embeddings, embedding_dim); the gradient of row ``padding_idx`` stays zero.
    ``max_norm`` first scales the picked rows whose ``norm_type``-norm exceeds it down to it (in
    place, as PyTorch does); ``scale_grad_by_freq`` divides each row's gradient by the number of
    times its index occurs in input."""
    if not isinstance(input, Tensor) or input.dtype.is_floating_point or \
            input.dtype.name == "bool":
        got = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(f"embedding: expected integer (Long or Int) indices, got {got}")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise RuntimeError("embedding: weight must be a 2-D tensor (num_embeddings, "
                           f"embedding_dim), got {getattr(weight, 'shape', weight)}")
    if sparse:
        raise NotImplementedError("embedding: sparse=True needs sparse gradient tensors, which "
                                  "ember does not have; use sparse=False (a dense gradient)")
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
    if max_norm is not None:
        _renorm_rows(weight, input, float(max_norm), float(norm_type))
    return Embedding.apply(weight, input, padding_idx, bool(scale_grad_by_freq))
