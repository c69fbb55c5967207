import pytest

# PyTorch is the train extra's: without it these tests skip.
torch = pytest.importorskip("torch")

from paintbucket.models.pooling import mask_average_pool, segment_boxes


def test_pool_same_resolution_exact():
    features = torch.arange(8.0).view(1, 2, 2, 2)  # channel 0: 0..3, channel 1: 4..7
    segments = torch.tensor([[[1, 1], [0, 2]]])
    tokens = mask_average_pool(features, segments, 3)
    assert tokens.shape == (1, 3, 2)
    assert tokens[0].tolist() == [[0.5, 4.5], [3.0, 7.0], [0.0, 0.0]]


def test_pool_over_finer_segments_weights_cells_by_pixels():
    features = torch.tensor([[[[10.0, 20.0]]]])  # 1 x 1 x 1 x 2 cells
    segments = torch.tensor([[[1, 1, 1, 2], [1, 0, 2, 2]]])  # 2 x 4 pixels, 2 per cell column
    tokens = mask_average_pool(features, segments, 2)
    # segment 1: three pixels in cell 0 and one in cell 1 -> (3*10 + 20) / 4
    assert tokens[0, :, 0].tolist() == [12.5, 20.0]


def test_pool_empty_and_errors():
    assert mask_average_pool(
        torch.rand(2, 4, 3, 3), torch.zeros(2, 3, 3, dtype=torch.long), 0
    ).shape == (2, 0, 4)
    with pytest.raises(ValueError):
        mask_average_pool(torch.rand(1, 4, 3, 3), torch.full((1, 3, 3), 5), 2)


def test_segment_boxes_exact():
    segments = torch.tensor([[[1, 1, 0], [0, 0, 3], [0, 0, 3]]])
    boxes, present = segment_boxes(segments, 3)
    assert present.tolist() == [[True, False, True]]
    assert boxes[0, 0].tolist() == [0.0, 0.0, 0.5, 0.0]
    assert boxes[0, 2].tolist() == [1.0, 0.5, 1.0, 1.0]
