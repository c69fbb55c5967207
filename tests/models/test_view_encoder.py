import numpy as np
import pytest

# PyTorch is the train extra's: without it these tests skip.
torch = pytest.importorskip("torch")

from paintbucket.models.inputs import view_image
from paintbucket.models.view_encoder import ViewEncoder, triplet_loss


def test_view_image_crops_to_the_character_and_centres_it():
    ink = np.zeros((40, 80), np.float32)
    ink[10:20, 20:40] = 0.5  # a 10 x 20 character
    foreground = ink > 0
    out = view_image(ink, foreground, size=24)
    assert out.shape == (24, 24) and out.dtype == np.float32
    rows = np.flatnonzero(out.max(axis=1) > 0)
    cols = np.flatnonzero(out.max(axis=0) > 0)
    assert (cols[0], cols[-1]) == (2, 21)  # 20 px wide after scaling, 2 px margin
    assert (rows[0], rows[-1]) == (7, 16)  # 10 px tall, centred vertically
    assert out.max() == pytest.approx(1.0)  # ink doubled and clipped


def test_view_image_widens_thin_strokes_only_when_asked():
    ink = np.zeros((200, 200), np.float32)
    ink[10:190, 100] = 1.0  # a 1-px stroke through a 180-px character
    foreground = np.zeros((200, 200), bool)
    foreground[10:190, 10:190] = True
    plain = view_image(ink, foreground, size=24)
    widened = view_image(ink, foreground, size=24, min_width=1.0)
    assert plain.max() < 0.5  # 1 px shrunk 9 times almost vanishes
    assert widened.max() == pytest.approx(1.0)
    np.testing.assert_array_equal(view_image(ink, foreground, 24, min_width=0.0), plain)


def test_encoder_gives_unit_embeddings_of_the_right_shape():
    model = ViewEncoder({"size": 32, "widths": (4, 8), "dim": 8})
    out = model(torch.rand(3, 1, 32, 32))
    assert out.shape == (3, 8)
    assert torch.allclose(out.norm(dim=-1), torch.ones(3), atol=1e-5)
    assert model(torch.zeros(0, 1, 32, 32)).shape == (0, 8)
    with pytest.raises(ValueError, match="unknown"):
        ViewEncoder({"depth": 2})


def test_triplet_loss_exact():
    a = torch.tensor([[1.0, 0.0]])
    p = torch.tensor([[0.0, 1.0]])  # distance 1
    n = torch.tensor([[1.0, 0.0]])  # distance 0
    assert float(triplet_loss(a, p, n, margin=0.2)) == pytest.approx(1.2)
    assert float(triplet_loss(a, n, p, margin=0.2)) == 0.0
