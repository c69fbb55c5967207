"""Clip folders (``line/`` + ``gt/`` keyframes, BasicPBC inference layout): finding the
frames and checking them before any work."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from paintbucket.errors import InputError
from paintbucket.io.images import DEFAULT_MAX_PIXELS, image_size, list_pngs, read_rgba


@dataclass(frozen=True)
class Clip:
    """A clip folder: every line frame (in natural order of names) and the colored
    keyframes."""

    root: Path
    line_paths: tuple[Path, ...]
    keyframe_paths: dict[str, Path]

    @property
    def names(self) -> list[str]:
        return [p.stem for p in self.line_paths]

    def annotation_path(self, name: str) -> Path:
        """``line_anno/<name>.png``: the frame's shading annotation (may not exist)."""
        return self.root / "line_anno" / f"{name}.png"

    @property
    def input_folders(self) -> list[Path]:
        """Folders results must never be written into."""
        return [self.root / "line", self.root / "gt", self.root / "line_anno"]


def open_clip(root: str | Path, require_keyframe: bool = True) -> Clip:
    """Find the frames of a clip folder and check its layout.

    Frames are the PNG files of ``line/`` in natural order of their names (``2.png``
    before ``10.png``); dot-files are ignored (:func:`~paintbucket.io.images.list_pngs`).

    Parameters
    ----------
    root : path
    require_keyframe : bool
        Whether ``gt/`` must hold a keyframe (not when the first keyframe comes from a
        design sheet).

    Raises
    ------
    InputError
        If ``line/`` is missing or empty, ``gt/`` is missing or empty (when required),
        two frame names differ only in letter case, or a keyframe has no line frame.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "clip folder not found")
    line_dir, gt_dir = root / "line", root / "gt"
    if not line_dir.is_dir():
        raise InputError(line_dir, "missing line/ folder with the line-art frames")
    line_paths = list_pngs(line_dir)
    if not line_paths:
        raise InputError(line_dir, "no PNG line-art frames")
    if not gt_dir.is_dir() and require_keyframe:
        raise InputError(gt_dir, "missing gt/ folder with at least one colored keyframe")
    keyframes = {p.stem: p for p in list_pngs(gt_dir)} if gt_dir.is_dir() else {}
    if not keyframes and require_keyframe:
        raise InputError(gt_dir, "no colored keyframe (PNG) in gt/")
    names = {p.stem for p in line_paths}
    for name, path in keyframes.items():
        if name not in names:
            raise InputError(path, f"keyframe has no line frame line/{name}.png")
    return Clip(root, tuple(line_paths), keyframes)


def check_clip_frames(
    clip: Clip, max_pixels: int | None = DEFAULT_MAX_PIXELS, annotations: bool = False
) -> tuple[int, int]:
    """Check that every line frame and keyframe (and with ``annotations`` every shading
    annotation in ``line_anno/``) has one size and decodes, before any output is written.

    Sizes come from the file headers first (cheap: an oversized file fails before any
    is decoded); then each file is decoded once, so a corrupt one fails now.

    Returns
    -------
    size : (height, width)

    Raises
    ------
    InputError
        Naming the first file that is too large, of another size, or corrupt.
    """
    size = None
    for path in clip.line_paths:
        width, height = image_size(path, max_pixels)
        if size is None:
            size = (height, width)
        elif (height, width) != size:
            raise InputError(
                path,
                f"size {width}x{height} differs from the first frame's {size[1]}x{size[0]}",
            )
    for name, path in clip.keyframe_paths.items():
        width, height = image_size(path, max_pixels)
        if (height, width) != size:
            raise InputError(
                path, f"keyframe is {width}x{height} but line/{name} is {size[1]}x{size[0]}"
            )
    annotation_paths = []
    if annotations:
        annotation_paths = [p for p in map(clip.annotation_path, clip.names) if p.is_file()]
    for path in annotation_paths:
        width, height = image_size(path, max_pixels)
        if (height, width) != size:
            raise InputError(path, f"size {width}x{height} differs from the line frame's "
                                   f"{size[1]}x{size[0]}")  # fmt: skip
    for path in (*clip.line_paths, *clip.keyframe_paths.values(), *annotation_paths):
        read_rgba(path, max_pixels)
    return size  # type: ignore[return-value]
