"""Limits on the size of inputs, in a module of their own so the CLI parser can show
them without importing NumPy or PIL."""

#: Largest image (width x height) read by default: 4096 x 4096, 16.8 megapixels.
#: Memory grows with the pixel count (README, "Speed": about 0.13 GB per megapixel
#: with the default engine).
DEFAULT_MAX_PIXELS = 4096 * 4096
