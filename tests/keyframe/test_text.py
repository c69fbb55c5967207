from __future__ import annotations

import numpy as np
import pytest

from paintbucket.keyframe.text import TextEncoder, categorize, exact_category


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    return TextEncoder()


def test_exact_category_words() -> None:
    assert exact_category("eye") == "eyes"
    assert exact_category(" Shoes ") == "shoes"
    assert exact_category("sock") == "socks"
    assert exact_category("face") is None


def test_exact_category_needs_no_model() -> None:
    class Fail(TextEncoder):
        def embed(self, texts):  # noqa: ANN001, ANN202
            raise AssertionError("encoder used")

    assert categorize(["eyelash on eye", "belt buckle on belt"], Fail()) == ["eyes", "belt"]


@pytest.mark.parametrize(
    ("key", "category"),
    [
        ("ponytail tie on head", "hair"),
        ("left sneaker lace on foot", "shoes"),
        ("cheek blush on face", "skin"),
        ("sunglasses lens on face", "glasses"),
        ("lips on face", "mouth"),
        ("iris on eyeball", "eyes"),
        ("backpack strap on back", "bag"),
        ("jacket sleeve on body", "clothes"),
    ],
)
def test_free_text_goes_to_the_obvious_category(
    encoder: TextEncoder, key: str, category: str
) -> None:
    assert categorize([key], encoder) == [category]


def test_embeddings_are_cached(encoder: TextEncoder) -> None:
    first = encoder.embed(["hat band on head"])
    assert first.shape == (1, 384)
    assert encoder.embed(["hat band on head"]) is not first
    assert "hat band on head" in encoder._cache


def test_embeddings_are_unit_rows_and_empty_gives_empty(encoder: TextEncoder) -> None:
    vectors = encoder.embed(["red ribbon", "Red Ribbon", "blue shoe sole"])
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)  # the tokenizer is uncased
    assert float(vectors[0] @ vectors[2]) < 0.9
    assert encoder.embed([]).shape[0] == 0
