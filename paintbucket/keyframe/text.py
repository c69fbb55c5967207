"""Free-text colorbook entries -> the 12 semantic categories.

An entry ``"{description} on {category}"`` whose category word already names one of
:data:`~paintbucket.io.colorbook.CATEGORIES` (``eye`` -> ``eyes``, ``shoe`` ->
``shoes``) is mapped directly. Otherwise the whole key is embedded with a sentence
encoder (all-MiniLM-L6-v2, shipped as an ONNX graph with its tokenizer:
:class:`~paintbucket.models.runtime.OnnxTextEncoder`) and compared by cosine similarity
with a few prompts per category; the category of the most similar prompt wins. The
graph is loaded on first use and embeddings are cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from paintbucket.io.colorbook import CATEGORIES, ColorEntry
from paintbucket.models.runtime import TEXT_DIM, OnnxTextEncoder

#: Prompts per category (the category name first). Headwear and beard count as hair
#: (SPEC section 3) but the dataset also has a ``hat`` category; hats stay ``hat``.
CATEGORY_PROMPTS: dict[str, tuple[str, ...]] = {
    "background": ("background", "backdrop behind the character", "empty scenery"),
    "bag": ("bag", "backpack", "handbag strap", "purse"),
    "belt": ("belt", "belt buckle", "waistband"),
    "glasses": ("glasses", "spectacles", "sunglasses lens", "eyeglasses frame"),
    "hair": ("hair", "bangs", "ponytail", "braid", "eyebrow", "beard", "hair tie"),
    "socks": ("socks", "stocking", "sock on leg", "tights"),
    "hat": ("hat", "cap", "helmet", "hat brim"),
    "mouth": ("mouth", "lips", "teeth", "tongue"),
    "clothes": ("clothes", "shirt", "jacket", "skirt", "dress", "sleeve", "collar", "button"),
    "eyes": ("eyes", "iris", "pupil", "eyelash", "eye white"),
    "shoes": ("shoes", "sneaker", "boot", "shoe sole", "shoe lace"),
    "skin": ("skin", "face", "cheek", "hand", "arm", "neck", "fingernail", "leg skin"),
}


def exact_category(category_text: str) -> str | None:
    """The category named by the text after " on ", if it is a category word.

    Matches case-insensitively, singular or plural (``eye`` -> ``eyes``,
    ``sock`` -> ``socks``); returns ``None`` otherwise.
    """
    word = category_text.strip().lower()
    for category in CATEGORIES:
        if word in (category, category.rstrip("s"), category + "s"):
            return category
    return None


class TextEncoder:
    """Lazily loaded sentence encoder with an embedding cache.

    Parameters
    ----------
    device : str
        ``"cpu"`` or ``"cuda"`` (ONNX Runtime's provider).
    """

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self._model = None
        self._cache: dict[str, np.ndarray] = {}

    def _load(self) -> OnnxTextEncoder:
        if self._model is None:
            self._model = OnnxTextEncoder(device=self.device)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32 unit embeddings,
        :meth:`~paintbucket.models.runtime.OnnxTextEncoder.embed` cached per text."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self._cache.update(zip(missing, self._load().embed(missing)))
        if not texts:
            return np.zeros((0, TEXT_DIM), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


_DEFAULT_ENCODER: TextEncoder | None = None


def default_encoder() -> TextEncoder:
    """The process-wide encoder (loaded on first :meth:`TextEncoder.embed`)."""
    global _DEFAULT_ENCODER
    if _DEFAULT_ENCODER is None:
        _DEFAULT_ENCODER = TextEncoder()
    return _DEFAULT_ENCODER


def category_scores(keys: Sequence[str], encoder: TextEncoder | None = None) -> np.ndarray:
    """Cosine similarity of every key with every category.

    Parameters
    ----------
    keys : sequence of str
        Entry keys ``"{description} on {category}"``.
    encoder : TextEncoder, optional
        Defaults to :func:`default_encoder`.

    Returns
    -------
    scores : (len(keys), 12) float32
        Best similarity over each category's prompts, columns in ``CATEGORIES`` order.
    """
    encoder = encoder or default_encoder()
    prompts = [p for c in CATEGORIES for p in CATEGORY_PROMPTS[c]]
    owner = np.repeat(np.arange(len(CATEGORIES)), [len(CATEGORY_PROMPTS[c]) for c in CATEGORIES])
    similarity = encoder.embed(list(keys)) @ encoder.embed(prompts).T
    scores = np.full((len(keys), len(CATEGORIES)), -np.inf, dtype=np.float32)
    np.maximum.at(scores.T, owner, similarity.T)
    return scores


def categorize(keys: Iterable[str], encoder: TextEncoder | None = None) -> list[str]:
    """Category of every colorbook key (exact category word first, else the encoder).

    Parameters
    ----------
    keys : iterable of str
        ``"{description} on {category}"``; a key without " on " is all description.
    encoder : TextEncoder, optional

    Returns
    -------
    categories : list of str
        One of :data:`CATEGORIES` per key.
    """
    keys = list(keys)
    result: list[str | None] = [exact_category(k.rpartition(" on ")[2]) for k in keys]
    todo = [i for i, c in enumerate(result) if c is None]
    if todo:
        scores = category_scores([keys[i] for i in todo], encoder)
        for i, best in zip(todo, scores.argmax(axis=1)):
            result[i] = CATEGORIES[int(best)]
    return result  # type: ignore[return-value]


def entry_categories(
    entries: Iterable[ColorEntry], encoder: TextEncoder | None = None
) -> list[str]:
    """:func:`categorize` applied to colorbook entries."""
    return categorize([entry.key for entry in entries], encoder)
