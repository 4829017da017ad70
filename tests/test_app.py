"""The app's first page, run headless with Streamlit's AppTest over the ingested samples."""

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_first_page_shows_the_ingested_corpus(sample_store, monkeypatch):
    settings, _, _ = sample_store
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(settings.data_dir))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert app.metric[0].value == "5"
    table = app.dataframe[0].value
    assert set(table["地区"]) == {"澄江市", "昆明市呈贡区", "柞水县", "汨罗市", "重庆市潼南区"}


def test_first_page_explains_an_empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path / "empty"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert "还没有导入" in app.info[0].value
