"""The consecutive-frame inclusion matcher (paper section 5.3), sized for a CPU.

Reference and target frames go through a feature U-Net over line + color; the
target's color is the reference warped by optical flow, read through a deformable
convolution whose offsets come from a light U-Net (zero offsets for the reference).
Features are averaged inside every segment, a bounding-box MLP adds position, and a
multiplex transformer (self + cross attention) lets the two token sets talk. The
similarity of every target token to every reference token, soft-maxed over the
reference, is the probability that the target segment is *included* in that
reference segment's region; summing it per reference color gives the color (Eq. 9).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from paintbucket.models.conf import merge_conf
from paintbucket.models.layers import DeformConv2d, UNet, attention_stack, match_tokens
from paintbucket.models.pooling import mask_average_pool, segment_boxes


class InclusionMatcher(nn.Module):
    default_conf = {
        "widths": (24, 32, 64, 96),  # feature U-Net channels per level (paper: up to 512)
        "offset_widths": (8, 16, 32),  # offset U-Net channels per level (paper: up to 128)
        "stride": 2,  # U-Nets run at 1/stride of the input (features pooled over full res)
        "color_channels": 16,  # channels of the deformable convolution on the color input
        "feature_dim": 64,  # token width D (paper: 128)
        "num_layers": 4,  # self + cross attention blocks (paper: 9)
        "num_heads": 4,  # attention heads (paper: 4)
        "deformable": True,  # False: plain convolution on the warped color (ablation)
        "input_pyramid": True,  # feed pooled line art to every encoder level
        "warped_color": True,  # False: the target gets no flow-warped colors (ablation)
        "box_scale": 512,  # box coordinates are in units of this many input pixels
    }

    def __init__(self, conf: dict | None = None) -> None:
        super().__init__()
        self.conf = conf = merge_conf(self.default_conf, conf, "InclusionMatcher")
        dim = conf["feature_dim"]
        stride = conf["stride"]
        self.offset_net = UNet(8, tuple(conf["offset_widths"]), 18)
        nn.init.zeros_(self.offset_net.head.weight)
        nn.init.zeros_(self.offset_net.head.bias)
        self.color_conv = DeformConv2d(3, conf["color_channels"], 3)
        width = conf["widths"][0]
        self.stem = nn.Sequential(
            nn.Conv2d(1 + conf["color_channels"], width, 2 * stride - 1, stride, stride - 1),
            nn.GroupNorm(max(1, width // 8), width),
            nn.GELU(),
        )
        self.encoder = UNet(
            width, tuple(conf["widths"]), dim, pyramid_channels=1 if conf["input_pyramid"] else 0
        )
        self.box_mlp = nn.Sequential(nn.Linear(4, dim), nn.GELU(), nn.Linear(dim, dim))
        self.self_layers = attention_stack(dim, conf["num_heads"], conf["num_layers"])
        self.cross_layers = attention_stack(dim, conf["num_heads"], conf["num_layers"])
        self.project = nn.Linear(dim, dim)

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this."""
        levels = max(len(self.conf["widths"]), len(self.conf["offset_widths"]))
        return self.conf["stride"] * 2 ** (levels - 1)

    def _features(self, line: torch.Tensor, color: torch.Tensor, offsets: torch.Tensor | None):
        """Feature map [B x D x H/stride x W/stride] of one frame."""
        x = self.stem(torch.cat([line, self.color_conv(color, offsets)], dim=1))
        pyramid = F.avg_pool2d(line, self.conf["stride"]) if self.conf["input_pyramid"] else None
        return self.encoder(x, pyramid)

    def _box_coordinates(self, boxes: torch.Tensor, data: dict) -> torch.Tensor:
        """Boxes in [0, 1] of the segment map -> input pixels from the image centre,
        shifted by ``box_offset`` and divided by ``box_scale``; [B x N x 4]."""
        height, width = data["line_ref"].shape[-2:]
        size = boxes.new_tensor([width, height, width, height])
        centred = (boxes - 0.5) * size
        if "box_offset" in data:
            centred = centred + data["box_offset"].repeat(1, 2)[:, None, :]
        return centred / self.conf["box_scale"]

    def _offsets(self, inputs: torch.Tensor) -> torch.Tensor:
        """Deformable-convolution offsets [B x 18 x H x W] in input pixels."""
        stride = self.conf["stride"]
        offsets = self.offset_net(F.avg_pool2d(inputs, stride))
        # Scaled before upsampling: a quarter of the multiplications, the same values.
        return F.interpolate(stride * offsets, size=inputs.shape[-2:], mode="bilinear")

    def encode_reference(self, line_ref: torch.Tensor, color_ref: torch.Tensor) -> torch.Tensor:
        """Feature map of the reference alone (it never depends on the target), exported
        as its own graph so that a reference used for several targets is encoded once.

        Parameters
        ----------
        line_ref : [B x 1 x H x W] ink in [0, 1]
        color_ref : [B x 3 x H x W] as in :meth:`forward`

        Returns
        -------
        features_ref : [B x D x H/stride x W/stride] float32
        """
        return self._features(line_ref, color_ref, None)

    def encode_target(
        self,
        line_ref: torch.Tensor,
        color_ref: torch.Tensor,
        line_tgt: torch.Tensor,
        color_tgt: torch.Tensor,
    ) -> torch.Tensor:
        """Feature map of the target, whose deformable convolution reads offsets computed
        from both frames.

        Parameters
        ----------
        line_ref, line_tgt : [B x 1 x H x W] ink in [0, 1]
        color_ref, color_tgt : [B x 3 x H x W] as in :meth:`forward`

        Returns
        -------
        features_tgt : [B x D x H/stride x W/stride] float32
        """
        if not self.conf["warped_color"]:
            color_tgt = torch.zeros_like(color_tgt)
        offsets = None
        if self.conf["deformable"]:
            offsets = self._offsets(torch.cat([line_tgt, color_tgt, line_ref, color_ref], dim=1))
        return self._features(line_tgt, color_tgt, offsets)

    def encode(
        self,
        line_ref: torch.Tensor,
        color_ref: torch.Tensor,
        line_tgt: torch.Tensor,
        color_tgt: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Feature maps of both frames, the convolutional half of :meth:`forward`
        (:meth:`encode_reference` and :meth:`encode_target`, exported to ONNX as one graph
        each by :mod:`paintbucket.models.export`).

        Parameters
        ----------
        line_ref, line_tgt : [B x 1 x H x W] ink in [0, 1]
        color_ref, color_tgt : [B x 3 x H x W] as in :meth:`forward`

        Returns
        -------
        features_ref, features_tgt : [B x D x H/stride x W/stride] float32
        """
        return self.encode_reference(line_ref, color_ref), self.encode_target(
            line_ref, color_ref, line_tgt, color_tgt
        )

    def match(
        self,
        tokens_ref: torch.Tensor,
        tokens_tgt: torch.Tensor,
        coordinates_ref: torch.Tensor,
        coordinates_tgt: torch.Tensor,
        mask_ref: torch.Tensor,
        mask_tgt: torch.Tensor,
    ) -> torch.Tensor:
        """Token matching, the attention half of :meth:`forward` (the second ONNX graph).

        Parameters
        ----------
        tokens_ref : [B x M x D], tokens_tgt : [B x N x D]
            Segment-pooled features (:func:`~paintbucket.models.pooling.mask_average_pool`).
        coordinates_ref : [B x M x 4], coordinates_tgt : [B x N x 4]
            Segment boxes in ``box_scale`` units from the image centre.
        mask_ref : [B x M] bool, mask_tgt : [B x N] bool
            Real (present) segments.

        Returns
        -------
        log_probs : [B x N x M]
            As ``log_probs`` of :meth:`forward`.
        """
        ref = tokens_ref + self.box_mlp(coordinates_ref)
        tgt = tokens_tgt + self.box_mlp(coordinates_tgt)
        return match_tokens(
            self.self_layers, self.cross_layers, self.project, ref, tgt, mask_ref, mask_tgt
        )

    def forward(self, data: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Match target segments to reference segments.

        Parameters
        ----------
        data : dict
            ``line_ref``, ``line_tgt`` : [B x 1 x H x W] ink in [0, 1].
            ``color_ref`` : [B x 3 x H x W] reference regions painted with distinct
            random colors in [0, 1] (color redistribution), 0 on lines.
            ``color_tgt`` : [B x 3 x H x W] ``color_ref`` warped to the target by flow.
            ``segments_ref`` : [B x Hr x Wr] int64, reference segment ids (0 = line).
            ``segments_tgt`` : [B x Ht x Wt] int64, target segment ids (0 = line).
            Segment maps may be finer than the images (full-resolution segments over
            features computed at a working resolution).
            ``box_offset`` (optional) : [B x 2] shift in input pixels added to box
            coordinates, which are otherwise measured from the image centre. Training
            crops use it to stand anywhere in a virtual frame of ``box_scale`` pixels.

        Returns
        -------
        dict
            ``log_probs`` : [B x N x M] log-probability that target segment ``n + 1``
            lies in the region of reference segment ``m + 1`` (log-softmax over M;
            padded reference ids get -inf).
            ``mask_ref`` : [B x M] bool and ``mask_tgt`` : [B x N] bool, real segments.
        """
        features_ref, features_tgt = self.encode(
            data["line_ref"], data["color_ref"], data["line_tgt"], data["color_tgt"]
        )
        num_ref = int(data["segments_ref"].max())
        num_tgt = int(data["segments_tgt"].max())
        tokens_ref = mask_average_pool(features_ref, data["segments_ref"], num_ref)
        tokens_tgt = mask_average_pool(features_tgt, data["segments_tgt"], num_tgt)
        boxes_ref, mask_ref = segment_boxes(data["segments_ref"], num_ref)
        boxes_tgt, mask_tgt = segment_boxes(data["segments_tgt"], num_tgt)
        log_probs = self.match(
            tokens_ref,
            tokens_tgt,
            self._box_coordinates(boxes_ref, data),
            self._box_coordinates(boxes_tgt, data),
            mask_ref,
            mask_tgt,
        )
        return {
            "log_probs": log_probs,
            "mask_ref": mask_ref,
            "mask_tgt": mask_tgt,
        }


def inclusion_loss(log_probs: torch.Tensor, correct: torch.Tensor) -> torch.Tensor:
    """Inclusion-matching cross-entropy.

    Parameters
    ----------
    log_probs : [B x N x M]
        From :meth:`InclusionMatcher.forward`.
    correct : [B x N x M] bool
        True where reference segment ``m`` belongs to the (possibly merged) region that
        contains target segment ``n``. Rows without any True are ignored.

    Returns
    -------
    loss : scalar
        Mean over target segments of ``-log sum_{m correct} p(n, m)``.
    """
    has_answer = correct.any(dim=-1)
    if not has_answer.any():
        return log_probs.sum() * 0.0
    picked = torch.logsumexp(log_probs.masked_fill(~correct, float("-inf")), dim=-1)
    return -picked[has_answer].mean()


def color_probabilities(log_probs: torch.Tensor, ref_color_index: torch.Tensor, num_colors: int):
    """Sum match probabilities per reference color (paper Eq. 9).

    Parameters
    ----------
    log_probs : [N x M]
    ref_color_index : [M] int64, palette index of each reference segment (-1 = none)
    num_colors : int, P

    Returns
    -------
    probabilities : [N x P]
    """
    probs = log_probs.exp()
    valid = ref_color_index >= 0
    out = probs.new_zeros(probs.shape[0], num_colors)
    return out.index_add_(1, ref_color_index[valid], probs[:, valid])
