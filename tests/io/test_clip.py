import pytest

from paintbucket.errors import InputError
from paintbucket.io.clip import open_clip


def test_missing_folders(tmp_path):
    with pytest.raises(InputError, match="clip folder not found"):
        open_clip(tmp_path / "nope")
    (tmp_path / "c").mkdir()
    with pytest.raises(InputError, match="missing line/"):
        open_clip(tmp_path / "c")
    (tmp_path / "c" / "line").mkdir()
    with pytest.raises(InputError, match="no PNG line-art frames"):
        open_clip(tmp_path / "c")
