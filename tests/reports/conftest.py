import pytest


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Reports are written under a folder of the test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT
