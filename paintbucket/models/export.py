"""Export trained weights to ONNX graphs for :mod:`paintbucket.models.runtime`.

The consecutive matcher becomes two graphs with the per-segment pooling between them
(it runs in NumPy: ONNX expresses a scatter over a variable number of segments badly):

- ``<stem>.features.onnx``: :meth:`~paintbucket.models.InclusionMatcher.encode`, the
  four working-size images -> the two feature maps;
- ``<stem>.match.onnx``: :meth:`~paintbucket.models.InclusionMatcher.match`, the pooled
  tokens, box coordinates and masks -> the log match probabilities.

Each graph carries the model conf and the SHA-256 of the safetensors file it came from
as metadata. Run ``python -m paintbucket.models.export`` to regenerate the shipped
graphs from the shipped weights (needs torch and onnxscript: the ``train`` extra).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import onnx
import torch
from torch import nn

from paintbucket.models.runtime import file_sha256, onnx_paths
from paintbucket.models.weights import DEFAULT_WEIGHTS, load_model, model_format

#: ONNX opset of the exported graphs (GridSample needs 16 or later).
OPSET = 18


class _Encode(nn.Module):
    def __init__(self, matcher: nn.Module) -> None:
        super().__init__()
        self.matcher = matcher

    def forward(self, line_ref, color_ref, line_tgt, color_tgt):
        return self.matcher.encode(line_ref, color_ref, line_tgt, color_tgt)


class _Match(nn.Module):
    def __init__(self, matcher: nn.Module) -> None:
        super().__init__()
        self.matcher = matcher

    def forward(self, tokens_ref, tokens_tgt, coordinates_ref, coordinates_tgt, mask_ref, mask_tgt):
        return self.matcher.match(
            tokens_ref, tokens_tgt, coordinates_ref, coordinates_tgt, mask_ref, mask_tgt
        )


def _write(program, path: Path, metadata: dict[str, str]) -> None:
    """Save an exported program's ONNX model with ``metadata``, weights inside the file."""
    model = program.model_proto
    onnx.helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    tmp = path.with_name(f".{path.name}.tmp")
    onnx.save_model(model, str(tmp), save_as_external_data=False)
    tmp.replace(path)


def export_consecutive(weights: str | Path | None = None) -> dict[str, Path]:
    """Export the consecutive matcher in ``weights`` to its two ONNX graphs.

    Parameters
    ----------
    weights : path, optional
        A safetensors file of the ``consecutive`` kind; the shipped weights by default.

    Returns
    -------
    paths : dict
        :func:`onnx_paths` of ``weights``, written (atomically) next to it.
    """
    weights = Path(DEFAULT_WEIGHTS["consecutive"] if weights is None else weights)
    matcher = load_model("consecutive", weights, "cpu")
    metadata = {
        "format": model_format(type(matcher)),
        "conf": json.dumps(matcher.conf),
        "weights_sha256": file_sha256(weights),
    }
    paths = onnx_paths(weights)
    multiple = matcher.size_multiple
    height, width = 4 * multiple, 3 * multiple
    images = (
        torch.rand(1, 1, height, width),
        torch.rand(1, 3, height, width),
        torch.rand(1, 1, height, width),
        torch.rand(1, 3, height, width),
    )
    rows = torch.export.Dim("rows", min=1) * multiple
    cols = torch.export.Dim("cols", min=1) * multiple
    image_dims = {2: rows, 3: cols}
    with torch.no_grad():
        program = torch.onnx.export(
            _Encode(matcher),
            images,
            input_names=["line_ref", "color_ref", "line_tgt", "color_tgt"],
            output_names=["features_ref", "features_tgt"],
            dynamic_shapes=(image_dims,) * 4,
            opset_version=OPSET,
            dynamo=True,
        )
    _write(program, paths["features"], metadata)
    dim = matcher.conf["feature_dim"]
    num_ref, num_tgt = 7, 5
    tokens = (
        torch.rand(1, num_ref, dim),
        torch.rand(1, num_tgt, dim),
        torch.rand(1, num_ref, 4),
        torch.rand(1, num_tgt, 4),
        torch.ones(1, num_ref, dtype=torch.bool),
        torch.ones(1, num_tgt, dtype=torch.bool),
    )
    refs = torch.export.Dim("num_ref", min=1)
    tgts = torch.export.Dim("num_tgt", min=1)
    with torch.no_grad():
        program = torch.onnx.export(
            _Match(matcher),
            tokens,
            input_names=[
                "tokens_ref",
                "tokens_tgt",
                "coordinates_ref",
                "coordinates_tgt",
                "mask_ref",
                "mask_tgt",
            ],  # fmt: skip
            output_names=["log_probs"],
            dynamic_shapes=({1: refs}, {1: tgts}, {1: refs}, {1: tgts}, {1: refs}, {1: tgts}),
            opset_version=OPSET,
            dynamo=True,
        )
    _write(program, paths["match"], metadata)
    return paths


def main(argv: list[str] | None = None) -> None:
    """``python -m paintbucket.models.export [WEIGHTS]``: write the ONNX graphs."""
    parser = argparse.ArgumentParser(prog="python -m paintbucket.models.export")
    parser.add_argument(
        "weights", nargs="?", type=Path, default=None,
        help="consecutive safetensors file (default: the shipped weights)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    for path in export_consecutive(args.weights).values():
        print(f"{path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
