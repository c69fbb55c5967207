"""Building blocks: plain functions first, thin ``nn.Module`` wrappers after."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def deform_conv2d(
    image: torch.Tensor, offsets: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None
) -> torch.Tensor:
    """Deformable 3x3-style convolution written with ``grid_sample`` (runs on CPU and CUDA).

    Parameters
    ----------
    image : [B x C x H x W]
    offsets : [B x 2K x H x W]
        Per-pixel (dx, dy) displacement of each of the K kernel taps, in pixels.
    weight : [O x C x k x k]
        Convolution weights, ``K = k * k``.
    bias : [O] or None

    Returns
    -------
    out : [B x O x H x W]
        ``sum_k w_k * image(p + p_k + offset_k)`` with bilinear sampling (zeros outside).
    """
    batch, channels, height, width = image.shape
    out_channels, _, k, _ = weight.shape
    taps = k * k
    if offsets.shape != (batch, 2 * taps, height, width):
        raise ValueError(f"offsets must be [B x {2 * taps} x H x W], got {tuple(offsets.shape)}")
    radius = (k - 1) / 2
    scale_x, scale_y = 2 / max(width - 1, 1), 2 / max(height - 1, 1)
    tap = torch.arange(k, dtype=image.dtype, device=image.device) - radius
    columns = torch.arange(width, dtype=image.dtype, device=image.device)
    rows = torch.arange(height, dtype=image.dtype, device=image.device)
    # Undeformed tap positions in grid_sample's [-1, 1] units, [K x 1 x W] and [K x H x 1]
    # (taps in row-major order: x varies fastest), so that the full-size arithmetic is
    # one multiply-add per coordinate.
    start_x = (columns + tap.repeat(k)[:, None, None]) * scale_x - 1
    start_y = (rows[:, None] + tap.repeat_interleave(k)[:, None, None]) * scale_y - 1
    offsets = offsets.view(batch, taps, 2, height, width)
    grid = torch.stack(
        [offsets[:, :, 0] * scale_x + start_x, offsets[:, :, 1] * scale_y + start_y], dim=-1
    )  # [B x K x H x W x 2]
    sampled = F.grid_sample(
        image, grid.view(batch, taps * height, width, 2), align_corners=True, padding_mode="zeros"
    )  # [B x C x K*H x W]
    sampled = sampled.view(batch, channels, taps, height, width).reshape(
        batch, channels * taps, height, width
    )
    return F.conv2d(sampled, weight.reshape(out_channels, channels * taps, 1, 1), bias)


class DeformConv2d(nn.Module):
    """``nn.Module`` wrapper of :func:`deform_conv2d` (offsets given at call time)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.taps = kernel_size * kernel_size

    def forward(self, image: torch.Tensor, offsets: torch.Tensor | None = None) -> torch.Tensor:
        if offsets is None:  # zero offsets: an ordinary convolution
            return self.conv(image)
        return deform_conv2d(image, offsets, self.conv.weight, self.conv.bias)


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3x3 convolutions with GroupNorm and GELU."""
    groups = max(1, out_channels // 8)
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.GroupNorm(groups, out_channels),
        nn.GELU(),
        nn.Conv2d(out_channels, out_channels, 3, padding=1),
        nn.GroupNorm(groups, out_channels),
        nn.GELU(),
    )


class UNet(nn.Module):
    """A small U-Net with an optional input pyramid.

    With ``pyramid_channels > 0``, ``forward`` takes a pyramid image (the line art at the
    input resolution) that is average-pooled to every deeper level and concatenated to
    its input, so thin and thick lines both reach the deep layers.
    """

    def __init__(
        self,
        in_channels: int,
        widths: tuple[int, ...],
        out_channels: int,
        pyramid_channels: int = 0,
    ) -> None:
        super().__init__()
        self.pyramid_channels = pyramid_channels
        self.down = nn.ModuleList()
        previous = in_channels
        for level, width in enumerate(widths):
            extra = pyramid_channels if level > 0 else 0
            self.down.append(conv_block(previous + extra, width))
            previous = width
        self.up = nn.ModuleList()
        for width in widths[-2::-1]:
            self.up.append(conv_block(previous + width, width))
            previous = width
        self.head = nn.Conv2d(previous, out_channels, 1)

    def forward(self, image: torch.Tensor, pyramid: torch.Tensor | None = None) -> torch.Tensor:
        """[B x C x H x W] (+ pyramid [B x P x H x W]) -> [B x out_channels x H x W].

        H and W must be divisible by ``2 ** (len(widths) - 1)``.
        """
        if self.pyramid_channels and pyramid is None:
            raise ValueError("this U-Net needs a pyramid image")
        skips = []
        x = image
        for level, block in enumerate(self.down):
            if level > 0:
                x = F.max_pool2d(x, 2)
                if self.pyramid_channels:
                    pyramid = F.avg_pool2d(pyramid, 2)
                    x = torch.cat([x, pyramid], dim=1)
            x = block(x)
            skips.append(x)
        for block, skip in zip(self.up, skips[-2::-1]):
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return self.head(x)


def masked_attention(
    query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, key_mask: torch.Tensor | None
) -> torch.Tensor:
    """Multi-head attention on pre-split heads.

    Parameters
    ----------
    query : [B x h x N x d]
    key, value : [B x h x M x d]
    key_mask : [B x M] bool, True = real token; None = all real.

    Returns
    -------
    out : [B x h x N x d]
    """
    attn_mask = None if key_mask is None else key_mask[:, None, None, :]
    return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask)


class AttentionLayer(nn.Module):
    """LightGlue-style message passing: ``x + MLP([x, attention(x, source)])``."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim)
        self.to_kv = nn.Linear(dim, 2 * dim)
        self.merge = nn.Linear(dim, dim)
        self.mlp = nn.Sequential(
            nn.Linear(2 * dim, 2 * dim), nn.LayerNorm(2 * dim), nn.GELU(), nn.Linear(2 * dim, dim)
        )

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        batch, count, dim = x.shape
        return x.view(batch, count, self.heads, dim // self.heads).transpose(1, 2)

    def forward(
        self, x: torch.Tensor, source: torch.Tensor, source_mask: torch.Tensor | None
    ) -> torch.Tensor:
        """x: [B x N x D], source: [B x M x D], source_mask: [B x M] -> [B x N x D]."""
        key, value = self.to_kv(source).chunk(2, dim=-1)
        message = masked_attention(
            self._split(self.to_q(x)), self._split(key), self._split(value), source_mask
        )
        message = self.merge(message.transpose(1, 2).reshape(x.shape))
        return x + self.mlp(torch.cat([x, message], dim=-1))


def attention_stack(dim: int, heads: int, layers: int) -> nn.ModuleList:
    """``layers`` :class:`AttentionLayer` blocks of width ``dim``."""
    return nn.ModuleList(AttentionLayer(dim, heads) for _ in range(layers))


def match_tokens(
    self_layers: nn.ModuleList,
    cross_layers: nn.ModuleList,
    project: nn.Module,
    ref: torch.Tensor,
    tgt: torch.Tensor,
    mask_ref: torch.Tensor,
    mask_tgt: torch.Tensor,
) -> torch.Tensor:
    """Multiplex transformer (self then cross attention per block) and similarity.

    Parameters
    ----------
    self_layers, cross_layers : ModuleList of AttentionLayer (same length)
    project : module applied to both token sets after the blocks
    ref : [B x M x D], tgt : [B x N x D] tokens
    mask_ref : [B x M] bool, mask_tgt : [B x N] bool, real tokens

    Returns
    -------
    log_probs : [B x N x M]
        Log-softmax over the reference of the scaled dot products (padding: -inf).
    """
    for self_layer, cross_layer in zip(self_layers, cross_layers):
        ref = self_layer(ref, ref, mask_ref)
        tgt = self_layer(tgt, tgt, mask_tgt)
        ref, tgt = cross_layer(ref, tgt, mask_tgt), cross_layer(tgt, ref, mask_ref)
    ref, tgt = project(ref), project(tgt)
    scores = tgt @ ref.transpose(1, 2) / ref.shape[-1] ** 0.5
    scores = scores.masked_fill(~mask_ref[:, None, :], float("-inf"))
    return F.log_softmax(scores, dim=-1)
