"""Segments -> tokens: average features inside every segment, and segment boxes."""

from __future__ import annotations

import torch


def _pixel_cells(segment_ids: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Index of the feature cell (of an ``height x width`` map) under every pixel."""
    full_h, full_w = segment_ids.shape[-2:]
    device = segment_ids.device
    rows = torch.arange(full_h, device=device) * height // full_h
    cols = torch.arange(full_w, device=device) * width // full_w
    return rows[:, None] * width + cols[None, :]


def mask_average_pool(
    features: torch.Tensor, segment_ids: torch.Tensor, num_segments: int
) -> torch.Tensor:
    """Average the features inside each segment (super-pixel pooling).

    Parameters
    ----------
    features : [B x D x h x w]
        Feature map; may be coarser than the segments, in which case every pixel
        contributes the feature of the cell it falls in.
    segment_ids : [B x H x W] int64
        Segment id per pixel, 0 = line (ignored), 1..N.
    num_segments : int
        N; ids above it are an error.

    Returns
    -------
    tokens : [B x N x D]
        Mean feature of segment ``i + 1`` in row ``i``; zeros for absent segments.
    """
    batch, dim, height, width = features.shape
    if segment_ids.shape[0] != batch:
        raise ValueError("features and segment_ids differ in batch size")
    if num_segments == 0:
        return features.new_zeros(batch, 0, dim)
    if int(segment_ids.max()) > num_segments:
        raise ValueError(f"segment id {int(segment_ids.max())} exceeds num_segments={num_segments}")
    cells = _pixel_cells(segment_ids, height, width).expand_as(segment_ids)
    offsets = torch.arange(batch, device=features.device)[:, None, None]
    valid = segment_ids > 0
    seg = (segment_ids - 1 + offsets * num_segments)[valid]
    cell = (cells + offsets * (height * width))[valid]
    if segment_ids.shape[-2:] == (height, width):
        counts = torch.ones_like(seg, dtype=features.dtype)
    else:  # many pixels share a cell: count (segment, cell) pairs once
        span = batch * height * width
        keys, counts = torch.unique(seg * span + cell, return_counts=True)
        seg, cell, counts = keys // span, keys % span, counts.to(features.dtype)
    flat = features.permute(0, 2, 3, 1).reshape(batch * height * width, dim)
    sums = features.new_zeros(batch * num_segments, dim).index_add_(
        0, seg, flat[cell] * counts[:, None]
    )
    area = features.new_zeros(batch * num_segments).index_add_(0, seg, counts)
    return (sums / area.clamp(min=1)[:, None]).view(batch, num_segments, dim)


def segment_boxes(
    segment_ids: torch.Tensor, num_segments: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised bounding box and presence of every segment.

    Parameters
    ----------
    segment_ids : [B x H x W] int64, 0 = line
    num_segments : int

    Returns
    -------
    boxes : [B x N x 4] float32
        ``(x0, y0, x1, y1)`` divided by the image width/height, in [0, 1].
    present : [B x N] bool
        False for ids with no pixel (padding).
    """
    batch, height, width = segment_ids.shape
    device = segment_ids.device
    ys = torch.arange(height, device=device, dtype=torch.float32)[:, None].expand(height, width)
    xs = torch.arange(width, device=device, dtype=torch.float32)[None, :].expand(height, width)
    boxes = torch.zeros(batch, num_segments, 4, device=device)
    present = torch.zeros(batch, num_segments, dtype=torch.bool, device=device)
    for b in range(batch):
        valid = segment_ids[b] > 0
        index = segment_ids[b][valid] - 1
        x, y = xs[valid] / max(width - 1, 1), ys[valid] / max(height - 1, 1)
        for column, (values, reduce, fill) in enumerate(
            ((x, "amin", 1.0), (y, "amin", 1.0), (x, "amax", 0.0), (y, "amax", 0.0))
        ):
            start = torch.full((num_segments,), fill, device=device)
            boxes[b, :, column] = start.scatter_reduce(0, index, values, reduce=reduce)
        present[b, index] = True
    return boxes, present
