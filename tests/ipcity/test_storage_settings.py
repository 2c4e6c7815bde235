"""STORAGE_BACKEND and STORAGE_OPTIONS choose where stored files go (a shared volume by default, any Django
storage such as an S3-compatible one through django-storages); a bad value stops the start with its name."""

from tests.ipcity.test_settings import _manage, _settings


def test_the_default_storage_is_the_media_folder(tmp_path):
    values = _settings(["STORAGES"], {}, tmp_path)
    assert values["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}}


def test_another_backend_with_its_options(tmp_path):
    env = {
        "STORAGE_BACKEND": "django.core.files.storage.InMemoryStorage",
        "STORAGE_OPTIONS": '{"base_url": "/files/"}',
    }
    values = _settings(["STORAGES"], env, tmp_path)
    assert values["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        "OPTIONS": {"base_url": "/files/"},
    }


def test_storage_options_that_are_not_a_json_object_are_refused(tmp_path):
    for bad in ('{"bucket_name": ', '["ipcity"]'):
        result = _manage(["check"], {"STORAGE_OPTIONS": bad}, tmp_path)
        assert result.returncode != 0
        assert "STORAGE_OPTIONS must be a JSON object" in result.stderr
