"""The briefings' hyphenation (clusteratlas.reports.hyphens): the same breaks as
pyphen's own, the parsed dictionary kept in an SQLite file and read back word by word,
a damaged cache file ignored."""

import pytest

pyphen = pytest.importorskip("pyphen")

from clusteratlas.reports import hyphens  # noqa: E402

WORDS = ["Wirtschaftsförderungsgesellschaft", "Clusterinitiative", "Beschäftigte",
         "Landkreis", "Verarbeitendes", "Gewerbe", "ab", "Straßenfahrzeugbau",
         "ÜBERGANGSREGELUNG", "x"]


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache folder, nothing parsed in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    hyphens._pyphen.cache_clear()
    monkeypatch.setattr(pyphen, "hdcache", {})
    yield tmp_path / "clusteratlas"
    hyphens._pyphen.cache_clear()


def _reference(lang, word):
    return list(pyphen.Pyphen(lang=lang, cache=False).iterate(word))


def test_breaks_are_pyphens_own_when_parsed_and_when_read_back(fresh):
    first = {w: list(hyphens.Hyphenator("de_DE")(w)) for w in WORDS}
    kept = list(fresh.glob("hyph_de_DE-*.sqlite"))
    assert len(kept) == 1
    assert first == {w: _reference("de_DE", w) for w in WORDS}
    assert first["Wirtschaftsförderungsgesellschaft"]  # a long compound can break
    # a new process: the patterns come from the file, word by word, the breaks the same
    hyphens._pyphen.cache_clear()
    pyphen.hdcache.clear()
    again = {w: list(hyphens.Hyphenator("de_DE")(w)) for w in WORDS}
    assert again == first
    lazy = hyphens._pyphen("de_DE").hd
    assert 0 < len(lazy.patterns) < 2000  # only what these words look up
    # pyphen's own cache never holds the partly read dictionary
    assert not pyphen.hdcache
    assert list(pyphen.Pyphen(lang="de_DE").iterate("Landkreis")) == _reference(
        "de_DE", "Landkreis")


def test_damaged_cache_file_is_parsed_again(fresh):
    hyphens.Hyphenator("en_GB")("organisation")
    kept = next(fresh.glob("hyph_en_GB-*.sqlite"))
    kept.write_text("not a database", encoding="utf-8")
    hyphens._pyphen.cache_clear()
    pyphen.hdcache.clear()
    assert list(hyphens.Hyphenator("en_GB")("organisation")) == _reference(
        "en_GB", "organisation")
    # kept again whole by the next process that parses it
    hyphens._pyphen.cache_clear()
    pyphen.hdcache.clear()
    assert list(hyphens.Hyphenator("en_GB")("organisation")) == _reference(
        "en_GB", "organisation")
    hyphens._pyphen.cache_clear()
    pyphen.hdcache.clear()
    assert list(hyphens.Hyphenator("en_GB")("organisation")) == _reference(
        "en_GB", "organisation")
    assert type(hyphens._pyphen("en_GB").hd).__name__ == "Lazy"


def test_unwritable_cache_folder_still_hyphenates(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder below it
    hyphens._pyphen.cache_clear()
    monkeypatch.setattr(pyphen, "hdcache", {})
    try:
        assert list(hyphens.Hyphenator("de_DE")("Landkreis")) == _reference(
            "de_DE", "Landkreis")
    finally:
        hyphens._pyphen.cache_clear()
