from pathlib import Path

from gongkai.settings import SETTINGS, get_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme():
    missing = [s.name for s in SETTINGS if f"GONGKAI_{s.name.upper()}" not in README]
    assert not missing


def test_environment_overrides_defaults_and_flags_override_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("GONGKAI_MAX_FILE_MB", "7")
    assert get_settings().data_dir == tmp_path / "env"
    assert get_settings().max_file_mb == 7.0
    assert get_settings(data_dir=tmp_path / "flag").data_dir == tmp_path / "flag"


def test_sqlite_lives_in_the_data_dir(tmp_path):
    settings = get_settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{(tmp_path / 'gongkai.db').resolve()}"
    assert settings.chroma_path == tmp_path / "chroma"
