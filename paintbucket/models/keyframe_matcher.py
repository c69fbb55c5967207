"""The keyframe matcher (paper section 5.2): segment parsing + inclusion matching.

A target drawing (line art, no colors) is matched against one colored reference of a
design sheet. Two branches look at every segment:

* *Segment parsing*: a U-Net over the target's line art and its three parsing masks
  (hair / skin / other, from shading annotations or strokes) gives per-segment
  semantic tokens, projected into the text-embedding space and compared by cosine
  similarity with the embeddings of the 12 semantic categories (contrastive alignment).
  The reference's semantic tokens are the text embeddings of its segments' categories.
* *Geometry*: a U-Net with an input pyramid over the line art of both frames gives
  per-segment geometric tokens.

Token fusion concatenates each frame's geometric tokens with its semantic tokens (two
MLPs, one per modality, bring the semantics to the token width) and adds a bounding-box
embedding measured in the character's own box, so long shots and close-ups share a
coordinate frame. A multiplex transformer and a similarity matrix then give, for every
target segment, the probability of lying in each reference segment's colorbook entry.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from paintbucket.models.conf import merge_conf
from paintbucket.models.inclusion_matcher import inclusion_loss
from paintbucket.models.inputs import image_tensor
from paintbucket.models.layers import UNet, attention_stack, match_tokens
from paintbucket.models.pooling import mask_average_pool, segment_boxes

#: Number of semantic categories (SPEC section 3; ``paintbucket.io.colorbook.CATEGORIES``).
NUM_CATEGORIES = 12


class KeyframeMatcher(nn.Module):
    default_conf = {
        "widths": (16, 32, 64, 96),  # geometric U-Net channels per level
        "parsing_widths": (16, 32, 64),  # parsing U-Net channels per level
        "stride": 2,  # U-Nets run at 1/stride of the input
        "feature_dim": 64,  # token width D
        "text_dim": 384,  # width T of the category text embeddings (all-MiniLM-L6-v2)
        "num_layers": 4,  # self + cross attention blocks
        "num_heads": 4,  # attention heads
        "semantic": True,  # False: geometric tokens only (no token fusion)
        "parsing_temperature": 0.07,  # softmax temperature of the parsing similarities
    }

    def __init__(self, conf: dict | None = None) -> None:
        super().__init__()
        self.conf = conf = merge_conf(self.default_conf, conf, "KeyframeMatcher")
        dim, stride = conf["feature_dim"], conf["stride"]
        # Text embeddings of the categories; filled by training, stored with the weights.
        self.register_buffer("category_embeddings", torch.zeros(NUM_CATEGORIES, conf["text_dim"]))
        width = conf["widths"][0]
        self.stem = nn.Sequential(
            nn.Conv2d(1, width, 2 * stride - 1, stride, stride - 1),
            nn.GroupNorm(max(1, width // 8), width),
            nn.GELU(),
        )
        self.geometry = UNet(width, tuple(conf["widths"]), dim, pyramid_channels=1)
        parsing_width = conf["parsing_widths"][0]
        self.parsing_stem = nn.Sequential(
            nn.Conv2d(4, parsing_width, 2 * stride - 1, stride, stride - 1),
            nn.GroupNorm(max(1, parsing_width // 8), parsing_width),
            nn.GELU(),
        )
        self.parsing = UNet(parsing_width, tuple(conf["parsing_widths"]), dim)
        self.to_text = nn.Linear(dim, conf["text_dim"])
        self.semantic_ref = nn.Sequential(
            nn.Linear(conf["text_dim"], dim), nn.GELU(), nn.Linear(dim, dim)
        )
        self.semantic_tgt = nn.Sequential(
            nn.Linear(conf["text_dim"], dim), nn.GELU(), nn.Linear(dim, dim)
        )
        self.fuse = nn.Linear(2 * dim, dim)
        self.box_mlp = nn.Sequential(nn.Linear(4, dim), nn.GELU(), nn.Linear(dim, dim))
        self.self_layers = attention_stack(dim, conf["num_heads"], conf["num_layers"])
        self.cross_layers = attention_stack(dim, conf["num_heads"], conf["num_layers"])
        self.project = nn.Linear(dim, dim)

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this."""
        levels = max(len(self.conf["widths"]), len(self.conf["parsing_widths"]))
        return self.conf["stride"] * 2 ** (levels - 1)

    def _geometric_features(self, line: torch.Tensor) -> torch.Tensor:
        pyramid = F.avg_pool2d(line, self.conf["stride"])
        return self.geometry(self.stem(line), pyramid)

    @staticmethod
    def _boxes_in_frame(boxes: torch.Tensor, frame: torch.Tensor) -> torch.Tensor:
        """Segment boxes [B x N x 4] relative to the character box [B x 4] (both in
        image units): the character box maps to [-1, 1]."""
        low, high = frame[:, None, :2].repeat(1, 1, 2), frame[:, None, 2:].repeat(1, 1, 2)
        return 2 * (boxes - low) / (high - low).clamp_min(1e-3) - 1

    def encode(
        self, line_ref: torch.Tensor, line_tgt: torch.Tensor, parsing_tgt: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Feature maps, the convolutional half of :meth:`forward` (:meth:`encode_reference`
        and :meth:`encode_target`, one ONNX graph each).

        Parameters
        ----------
        line_ref : [B x 1 x Hr x Wr], line_tgt : [B x 1 x Ht x Wt]
            Ink in [0, 1] (the two frames may differ in size).
        parsing_tgt : [B x 3 x Ht x Wt]
            Hair / skin / other masks of the target.

        Returns
        -------
        geometry_ref : [B x D x Hr/stride x Wr/stride]
        geometry_tgt, parsing : [B x D x Ht/stride x Wt/stride]
        """
        return (self.encode_reference(line_ref), *self.encode_target(line_tgt, parsing_tgt))

    def encode_reference(self, line_ref: torch.Tensor) -> torch.Tensor:
        """Geometric feature map of a sheet view alone (it never depends on the target),
        exported as its own graph so that a view used for many frames is encoded once.

        Parameters
        ----------
        line_ref : [B x 1 x Hr x Wr] ink in [0, 1]

        Returns
        -------
        geometry_ref : [B x D x Hr/stride x Wr/stride]
        """
        return self._geometric_features(line_ref)

    def encode_target(
        self, line_tgt: torch.Tensor, parsing_tgt: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Geometric and parsing feature maps of the target.

        Parameters
        ----------
        line_tgt : [B x 1 x Ht x Wt] ink in [0, 1]
        parsing_tgt : [B x 3 x Ht x Wt] hair / skin / other masks

        Returns
        -------
        geometry_tgt, parsing : [B x D x Ht/stride x Wt/stride]
        """
        parsing = self.parsing(self.parsing_stem(torch.cat([line_tgt, parsing_tgt], dim=1)))
        return self._geometric_features(line_tgt), parsing

    def match(
        self,
        geometry_ref: torch.Tensor,
        geometry_tgt: torch.Tensor,
        parsing_tgt: torch.Tensor,
        category_ref: torch.Tensor,
        coordinates_ref: torch.Tensor,
        coordinates_tgt: torch.Tensor,
        mask_ref: torch.Tensor,
        mask_tgt: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Token fusion and matching, the second half of :meth:`forward` (the second graph).

        Parameters
        ----------
        geometry_ref : [B x M x D], geometry_tgt : [B x N x D], parsing_tgt : [B x N x D]
            Segment-pooled feature maps of :meth:`encode`.
        category_ref : [B x M] int64
            Category (0..11) of every reference segment.
        coordinates_ref : [B x M x 4], coordinates_tgt : [B x N x 4]
            Segment boxes in the character's box (which maps to [-1, 1]).
        mask_ref : [B x M] bool, mask_tgt : [B x N] bool
            Real (present) segments.

        Returns
        -------
        log_probs : [B x N x M], parsing_log_probs : [B x N x 12]
            As in :meth:`forward`.
        """
        semantic_tgt = F.normalize(self.to_text(parsing_tgt), dim=-1)
        categories = F.normalize(self.category_embeddings, dim=-1)
        parsing_scores = semantic_tgt @ categories.T / self.conf["parsing_temperature"]
        ref, tgt = geometry_ref, geometry_tgt
        if self.conf["semantic"]:
            semantic_ref = self.semantic_ref(categories[category_ref])
            ref = self.fuse(torch.cat([ref, semantic_ref], dim=-1))
            tgt = self.fuse(torch.cat([tgt, self.semantic_tgt(semantic_tgt)], dim=-1))
        ref = ref + self.box_mlp(coordinates_ref)
        tgt = tgt + self.box_mlp(coordinates_tgt)
        log_probs = match_tokens(
            self.self_layers, self.cross_layers, self.project, ref, tgt, mask_ref, mask_tgt
        )
        return log_probs, F.log_softmax(parsing_scores, dim=-1)

    def forward(self, data: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Match target segments to the segments of one colored reference.

        Parameters
        ----------
        data : dict
            ``line_ref``, ``line_tgt`` : [B x 1 x H x W] ink in [0, 1].
            ``parsing_tgt`` : [B x 3 x H x W] hair / skin / other masks of the target
            (zeros where unknown).
            ``segments_ref`` : [B x Hr x Wr] int64, reference segment ids (0 = line).
            ``segments_tgt`` : [B x Ht x Wt] int64, target segment ids (0 = line).
            ``category_ref`` : [B x M] int64, category (0..11) of every reference segment.
            ``frame_ref``, ``frame_tgt`` : [B x 4] character box ``(x0, y0, x1, y1)`` in
            [0, 1] image units.

        Returns
        -------
        dict
            ``log_probs`` : [B x N x M] log-probability that target segment ``n + 1``
            lies in the colorbook entry of reference segment ``m + 1`` (log-softmax
            over M; padded reference ids get -inf).
            ``parsing_log_probs`` : [B x N x 12] log-probability of each category.
            ``mask_ref`` : [B x M] bool and ``mask_tgt`` : [B x N] bool, real segments.
        """
        num_ref = int(data["segments_ref"].max())
        num_tgt = int(data["segments_tgt"].max())
        features_ref, features_tgt, parsing_features = self.encode(
            data["line_ref"], data["line_tgt"], data["parsing_tgt"]
        )
        boxes_ref, mask_ref = segment_boxes(data["segments_ref"], num_ref)
        boxes_tgt, mask_tgt = segment_boxes(data["segments_tgt"], num_tgt)
        log_probs, parsing_log_probs = self.match(
            mask_average_pool(features_ref, data["segments_ref"], num_ref),
            mask_average_pool(features_tgt, data["segments_tgt"], num_tgt),
            mask_average_pool(parsing_features, data["segments_tgt"], num_tgt),
            data["category_ref"],
            self._boxes_in_frame(boxes_ref, data["frame_ref"]),
            self._boxes_in_frame(boxes_tgt, data["frame_tgt"]),
            mask_ref,
            mask_tgt,
        )
        return {
            "log_probs": log_probs,
            "parsing_log_probs": parsing_log_probs,
            "mask_ref": mask_ref,
            "mask_tgt": mask_tgt,
        }


def keyframe_inputs(
    line_ref,
    line_tgt,
    parsing_tgt,
    segments_ref,
    segments_tgt,
    category_ref,
    frame_ref,
    frame_tgt,
    device: str | torch.device = "cpu",
) -> dict[str, torch.Tensor]:
    """NumPy arrays of one pair -> the ``data`` of :meth:`KeyframeMatcher.forward` (B = 1).

    Parameters
    ----------
    line_ref, line_tgt : (h, w) float32
        Ink at the working size, in [0, 1].
    parsing_tgt : (h, w, 3) float32
        Hair / skin / other masks of the target at its working size.
    segments_ref, segments_tgt : (H, W) int
        Segment ids at full resolution, 0 = line.
    category_ref : (M,) int
        Category index (0..11) of reference segments 1..M.
    frame_ref, frame_tgt : (4,) float
        Character boxes ``(x0, y0, x1, y1)`` in [0, 1].
    device : str or torch.device
    """

    def ints(array) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.int64))[None].to(device)

    def floats(array) -> torch.Tensor:
        return torch.from_numpy(np.asarray(array, dtype=np.float32))[None].to(device)

    return {
        "line_ref": image_tensor(line_ref, device),
        "line_tgt": image_tensor(line_tgt, device),
        "parsing_tgt": image_tensor(parsing_tgt, device),
        "segments_ref": ints(segments_ref),
        "segments_tgt": ints(segments_tgt),
        "category_ref": ints(category_ref),
        "frame_ref": floats(frame_ref),
        "frame_tgt": floats(frame_tgt),
    }


def keyframe_loss(
    output: dict[str, torch.Tensor],
    correct: torch.Tensor,
    category_tgt: torch.Tensor,
    parsing_weight: float = 0.1,
) -> torch.Tensor:
    """Matching cross-entropy + ``parsing_weight`` x parsing cross-entropy (paper Eq. 7).

    Parameters
    ----------
    output : dict
        From :meth:`KeyframeMatcher.forward`.
    correct : [B x N x M] bool
        True where reference segment ``m`` has the colorbook entry of target segment ``n``.
    category_tgt : [B x N] int64
        Category of every target segment, -1 = unknown (ignored).
    parsing_weight : float

    Returns
    -------
    loss : scalar
    """

    loss = inclusion_loss(output["log_probs"], correct)
    known = category_tgt >= 0
    if known.any():
        picked = output["parsing_log_probs"].gather(-1, category_tgt.clamp_min(0)[..., None])
        loss = loss - parsing_weight * picked[..., 0][known].mean()
    return loss
