import pytest


@pytest.fixture(autouse=True)
def _originals_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
