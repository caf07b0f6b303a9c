"""The keep.eu search export request, and the keep.eu settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.config import SAMPLE_KEEP_FILE, Settings
from pipelines.errors import ConfigurationError
from pipelines.sources.keep.api import search_payload, search_url


def test_the_payload_filters_on_the_programmes_and_asks_for_excel():
    payload = search_payload([58, 394])
    assert payload["programmes"] == {
        "type": [],
        "period": [],
        "available": [{"id": 58}, {"id": 394}],
    }
    assert payload["response_type"] == "excel"
    # Everything else is the site's empty search (sources.md).
    assert payload["projects"]["themes"] == {"list": [], "type": "or"}
    assert payload["partners"]["nuts_search_type"] == "both"
    assert payload["search"]["rawSearchString"] == ""
    assert "partner__name__unaccent__exact" in payload["search"]["fields"]
    assert search_payload([58])["programmes"]["available"] == [{"id": 58}]  # no shared state


def test_an_empty_programme_list_is_refused_because_it_means_all_of_keep_eu():
    with pytest.raises(ValueError, match="at least one"):
        search_payload([])


def test_the_search_url_is_under_the_api_base():
    assert search_url("https://keep.eu/api") == "https://keep.eu/api/search/projects/"
    assert search_url("https://keep.eu/api/") == "https://keep.eu/api/search/projects/"
    full = "https://keep.eu/api/search/projects/"
    assert search_url(full) == search_url(full.rstrip("/")) == full


def test_unset_keep_settings_mean_the_bundled_sample():
    settings = Settings.from_env({})
    assert settings.keep_files == (SAMPLE_KEEP_FILE,)
    assert SAMPLE_KEEP_FILE.is_file()
    assert settings.keep_url is None
    assert settings.keep_programmes == (58,)


def test_keep_files_are_separated_like_paths_and_win_over_the_url():
    files = os.pathsep.join(["/a/legacy.xlsx", "/b/partners.csv"])
    settings = Settings.from_env(
        {"INTERREG_KEEP_FILES": files, "INTERREG_KEEP_URL": "https://keep.eu/api"}
    )
    assert settings.keep_files == (Path("/a/legacy.xlsx"), Path("/b/partners.csv"))


def test_the_url_alone_means_the_api_for_the_programmes_given():
    settings = Settings.from_env(
        {"INTERREG_KEEP_URL": "https://keep.eu/api", "INTERREG_KEEP_PROGRAMMES": " 58, 394,58 "}
    )
    assert (settings.keep_url, settings.keep_files) == ("https://keep.eu/api", ())
    assert settings.keep_programmes == (58, 394)


@pytest.mark.parametrize("value", ["Interreg Europe", "58;394", "-1", "58.0"])
def test_programme_ids_must_be_numbers(value):
    with pytest.raises(ConfigurationError, match="INTERREG_KEEP_PROGRAMMES"):
        Settings.from_env({"INTERREG_KEEP_PROGRAMMES": value})
