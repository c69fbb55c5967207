import pytest

# PyTorch is the train extra's: without it these tests skip.
torch = pytest.importorskip("torch")
F = torch.nn.functional

from paintbucket.models.layers import AttentionLayer, UNet, deform_conv2d


def test_zero_offsets_equal_a_plain_convolution():
    torch.manual_seed(0)
    image = torch.rand(2, 3, 7, 9)
    weight, bias = torch.rand(5, 3, 3, 3), torch.rand(5)
    out = deform_conv2d(image, torch.zeros(2, 18, 7, 9), weight, bias)
    assert out.shape == (2, 5, 7, 9)
    assert torch.allclose(out, F.conv2d(image, weight, bias, padding=1), atol=1e-5)


def test_whole_pixel_offsets_shift_the_input():
    image = torch.arange(20.0).view(1, 1, 4, 5)
    weight = torch.zeros(1, 1, 3, 3)
    weight[0, 0, 1, 1] = 1.0  # centre tap only
    offsets = torch.zeros(1, 18, 4, 5)
    offsets[:, 0::2] = 1.0  # every tap reads one pixel to the right
    out = deform_conv2d(image, offsets, weight, None)
    expected = torch.cat([image[..., 1:], torch.zeros(1, 1, 4, 1)], dim=-1)
    assert torch.allclose(out, expected, atol=1e-5)


def test_bad_offsets_raise():
    with pytest.raises(ValueError):
        deform_conv2d(torch.rand(1, 1, 4, 4), torch.zeros(1, 9, 4, 4), torch.rand(1, 1, 3, 3), None)


def test_unet_shapes_and_pyramid():
    net = UNet(4, (8, 16, 24), 6, pyramid_channels=1)
    out = net(torch.rand(1, 4, 16, 20), torch.rand(1, 1, 16, 20))
    assert out.shape == (1, 6, 16, 20)
    with pytest.raises(ValueError):
        net(torch.rand(1, 4, 16, 20))


def test_attention_ignores_masked_tokens():
    torch.manual_seed(0)
    layer = AttentionLayer(8, 2)
    x, source = torch.rand(1, 3, 8), torch.rand(1, 4, 8)
    mask = torch.tensor([[True, True, False, False]])
    changed = source.clone()
    changed[:, 2:] = 100.0
    assert torch.allclose(layer(x, source, mask), layer(x, changed, mask), atol=1e-5)
    assert layer(x, source, None).shape == (1, 3, 8)
