"""The names of the library's choices and its default limits, in one module that imports
nothing: the library's modules take them from here, and the CLI builds its parser from
them without loading NumPy, OpenCV or PIL (``pbc --help`` stays fast).
"""

#: Consecutive engines (:func:`paintbucket.consecutive.make_engine`), default first.
ENGINE_NAMES = ("inclusion", "flow")
#: Ways to chain a clip's references (:func:`paintbucket.pipeline.plan_references`).
MODES = ("anchored", "forward", "nearest")
#: The mode ``colorize_clip`` and ``pbc colorize`` use unless told otherwise.
DEFAULT_MODE = "anchored"
#: How a consecutive engine gets its flow to the keyframe an ``anchored`` chain starts
#: from (:func:`paintbucket.pipeline.chain.tracks_flow`): composed along the chain's
#: consecutive flows, or estimated directly across the motion.
ANCHOR_FLOWS = ("chained", "direct")
#: Segmentation methods (:func:`paintbucket.segment.segment_line_art`), default first.
SEG_METHODS = ("default", "trappedball", "closegaps")
#: Keyframe methods (:class:`paintbucket.keyframe.SheetColorizer`), default first.
KEYFRAME_METHODS = ("model", "baseline")
#: Weight of the aligned-voting baseline mixed into the learned keyframe matcher's votes,
#: scaled by the silhouette score of the view it votes from (chosen on held-out synthetic
#: validation sheets; README, keyframe section).
KEYFRAME_BASELINE_WEIGHT = 0.5
#: Trained models, by the name ``pbc train`` and ``pbc average`` use.
MODEL_KINDS = ("consecutive", "keyframe", "views")
#: Devices the learned models run on.
DEVICES = ("cpu", "cuda")
#: ``pbc synth``: dataset splits (their file layouts differ, SPEC section 3), line widths
#: in pixels (default first), body shapes (default first) and named presets.
SPLITS = ("train", "test")
LINE_WIDTHS = (2, 1)
BODY_SHAPES = ("ellipsoid", "varied")
SYNTH_PRESETS = ("bench-consecutive", "train-studio", "bench-studio")
#: ``pbc synth --style``: how lines are drawn (default first; see
#: :mod:`paintbucket.synth.linestyle`), and the studio features ``--no-...`` turns off.
SYNTH_STYLES = ("clean", "studio")
SYNTH_LINE_FEATURES = (
    "color_lines",
    "floating_strokes",
    "antialias",
    "width_variation",
    "pencil",
    "gaps",
    "jitter",
    "detail_lines",
)

#: Largest image (width x height) read by default: 4096 x 4096, 16.8 megapixels.
#: Memory grows with the pixel count (README, "Speed": about 0.13 GB per megapixel
#: with the default engine).
DEFAULT_MAX_PIXELS = 4096 * 4096
