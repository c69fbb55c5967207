"""The cuts of an episode: clip folders (as ``pbc colorize`` takes them) found under the
episode folder or listed in a file, each with the design sheet it may start from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from natsort import natsort_keygen

from paintbucket.errors import InputError
from paintbucket.io.images import list_pngs

#: Files of the batch itself in OUT_DIR; no cut may be named like them.
RESERVED_NAMES = ("batch.json", "manifest.jsonl")


@dataclass(frozen=True)
class Cut:
    """One cut of an episode.

    Attributes
    ----------
    name : str
        Its folder relative to the episode folder, with ``/`` (the folder name alone
        for a listed cut outside it); its results go to ``OUT_DIR/<name>/``.
    clip_dir : Path
        The clip folder (``line/``, ``gt/``, ``line_anno/``), absolute.
    sheet_dir : Path or None
        The design sheet its first frame is colored from when ``gt/`` does not paint it
        (``pbc colorize --sheet``), absolute.
    """

    name: str
    clip_dir: Path
    sheet_dir: Path | None = None

    @property
    def frames(self) -> int:
        """The number of line frames (0 when ``line/`` is missing or unreadable)."""
        try:
            return len(list_pngs(self.clip_dir / "line"))
        except (OSError, InputError):
            return 0


def find_cuts(
    episode_dir: str | Path,
    cut_list: str | Path | None = None,
    sheet: str | Path | None = None,
    exclude: tuple[str | Path, ...] = (),
) -> list[Cut]:
    """The cuts of an episode.

    Parameters
    ----------
    episode_dir : path
        Without ``cut_list``: every folder under it (at any depth, hidden folders and
        ``exclude`` left out) that holds a ``line/`` folder is a cut; the search does not
        descend into a cut. Cuts come in natural order of their names (``c2`` before
        ``c10``).
    cut_list : path, optional
        A text file naming the cuts instead, one per line in the order given: a clip
        folder, optionally followed by a tab and the cut's design sheet folder; relative
        paths are relative to ``episode_dir``; blank lines and lines starting with ``#``
        are skipped. A listed folder that does not exist is still a cut (it fails alone,
        naming the missing folder).
    sheet : path, optional
        The design sheet of every cut that the list gives none.
    exclude : paths
        Folders never searched (the output folder).

    Returns
    -------
    cuts : list of Cut

    Raises
    ------
    InputError
        If ``episode_dir`` (or ``cut_list``) is missing, a list line has more than two
        fields, two cuts share a name, a cut is named like a batch file
        (:data:`RESERVED_NAMES`), or no cut is found.
    """
    episode = Path(episode_dir).absolute()
    if not episode.is_dir():
        raise InputError(episode_dir, "episode folder not found")
    default_sheet = None if sheet is None else Path(sheet).absolute()
    if cut_list is None:
        cuts = [Cut(name, episode / name, default_sheet) for name in _search(episode, exclude)]
        where = f"no folder under {episode_dir} holds a line/ folder"
    else:
        cuts = [
            Cut(_cut_name(folder, episode), folder, sheet_dir or default_sheet)
            for folder, sheet_dir in read_cut_list(cut_list, episode)
        ]
        where = f"{cut_list} lists no cut"
    if not cuts:
        raise InputError(None, f"no cut: {where}")
    seen: dict[str, Cut] = {}
    for cut in cuts:
        if cut.name in RESERVED_NAMES:
            raise InputError(cut.clip_dir, f"a cut may not be named {cut.name} (a batch file)")
        if cut.name in seen:
            raise InputError(cut.clip_dir, f"two cuts named {cut.name} ({seen[cut.name].clip_dir})")
        seen[cut.name] = cut
    return cuts


def _search(episode: Path, exclude: tuple[str | Path, ...]) -> list[str]:
    """Names (relative paths) of the folders under ``episode`` that hold ``line/``."""
    skipped = {Path(path).absolute() for path in exclude}
    found = []
    for folder, subfolders, _ in os.walk(episode):
        here = Path(folder)
        if here != episode and "line" in subfolders:
            found.append(here.relative_to(episode).as_posix())
            subfolders.clear()
            continue
        subfolders[:] = [
            name for name in subfolders if not name.startswith(".") and here / name not in skipped
        ]
    natural = natsort_keygen()
    return sorted(found, key=natural)


def read_cut_list(path: str | Path, episode: Path) -> list[tuple[Path, Path | None]]:
    """The (clip folder, design sheet or None) of every line of a cut list (see
    :func:`find_cuts`), as absolute paths.

    Raises
    ------
    InputError
        If the file cannot be read or a line has more than two tab-separated fields.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read the cut list ({error})") from None
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) > 2 or not fields[0]:
            raise InputError(
                path, f"line {number}: expected CUT_DIR or CUT_DIR<tab>SHEET_DIR, got {line!r}"
            )
        folder = episode / fields[0]
        sheet_dir = episode / fields[1] if len(fields) == 2 and fields[1] else None
        entries.append((folder.absolute(), None if sheet_dir is None else sheet_dir.absolute()))
    return entries


def _cut_name(folder: Path, episode: Path) -> str:
    """``folder`` relative to ``episode`` (or its own name when outside it)."""
    resolved = folder.resolve()
    try:
        relative = resolved.relative_to(episode.resolve())
    except ValueError:
        return resolved.name
    return relative.as_posix() if relative.parts else resolved.name
