"""File formats: images, index maps, segment JSON, colorbooks and clip folders."""

from paintbucket.io.atomic import atomic_write, remove_temp_files
from paintbucket.io.colorbook import (
    CATEGORIES,
    VARIANTS,
    Colorbook,
    ColorEntry,
    format_colorbook,
    parse_colorbook,
    read_colorbook,
    write_colorbook,
)
from paintbucket.io.images import (
    DEFAULT_MAX_PIXELS,
    LINE_COLOR,
    TRANSPARENT,
    image_size,
    list_pngs,
    normalize_transparent,
    read_rgba,
    write_bytes,
    write_png,
    write_text,
)
from paintbucket.io.index_png import (
    decode_index,
    encode_index,
    read_label,
    read_segments,
    write_label,
    write_segments,
)
from paintbucket.io.segment_json import (
    read_color_json,
    read_index_json,
    write_color_json,
    write_index_json,
)

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "LINE_COLOR",
    "TRANSPARENT",
    "normalize_transparent",
    "atomic_write",
    "image_size",
    "list_pngs",
    "remove_temp_files",
    "CATEGORIES",
    "VARIANTS",
    "ColorEntry",
    "Colorbook",
    "decode_index",
    "encode_index",
    "format_colorbook",
    "parse_colorbook",
    "read_color_json",
    "read_colorbook",
    "read_index_json",
    "read_label",
    "read_rgba",
    "read_segments",
    "write_bytes",
    "write_color_json",
    "write_colorbook",
    "write_index_json",
    "write_label",
    "write_png",
    "write_segments",
    "write_text",
]
