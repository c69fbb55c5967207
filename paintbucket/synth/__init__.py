"""Synthetic data: drawn example clips and PaintBucket-Character-style datasets."""
