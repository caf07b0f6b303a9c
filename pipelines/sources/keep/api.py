"""The keep.eu search export: the POST that the site's Export button sends.

`POST {base}/search/projects/` with the search payload as JSON and `"response_type":
"excel"` answers with an XLSX workbook in the current layout. keep.eu needs no key; the
export of a whole programme can take minutes, so the client waits long (see assets.py).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

SEARCH_PATH = "search/projects/"

# The payload of sources.md, every filter empty; programmes.available is filled in.
_SEARCH_TEMPLATE: dict[str, Any] = {
    "projects": {
        "status": None,
        "prizes": False,
        "only_projects_with_documents": False,
        "project_details": {"start": [], "without_start": False, "end": [], "without_end": False},
        "project_budget": {"range": [], "without_budget": False},
        "themes": {"list": [], "type": "or"},
        "macro_regional_strategies": [],
        "only_infrastructure_financed": False,
    },
    "programmes": {"type": [], "period": [], "available": []},
    "partners": {
        "status": [],
        "type": [],
        "nuts_lead": [],
        "nuts_partner": [],
        "nuts_search_type": "both",
        "selectedAreas": {},
    },
    "contribution_2014_2020": {
        "specific_objectives": {"thematic_objectives": [], "thematic_priorities": []},
        "thematic_objectives_eni": [],
    },
    "contribution_2021_2027": {
        "specific_objectives": [],
        "intervention": [],
        "common_output_indicators": [],
        "common_result_indicators": [],
    },
    "search": {
        "list": [],
        "type": None,
        "fields": [
            "name__unaccent__contains",
            "acronym__unaccent__contains",
            "description__unaccent__contains",
            "expected_results__unaccent__contains",
            "achievements__unaccent__contains",
            "expected_achievements__unaccent__contains",
            "actual_achievements__unaccent__contains",
            "expected_outputs__unaccent__contains",
            "delivered_outputs__unaccent__contains",
            "partner__name__unaccent__exact",
            "partner__name_translated__unaccent__contains",
        ],
        "rawSearchString": "",
    },
    "documents": {"document_lang": [], "languages": [], "types": [], "name": "", "search": ""},
    "project_lang": [],
    "project_desc_lang": [],
    "languages": [],
    "translation_languages": [],
    "thematic_objectives_eni": [],
    "location": None,
    "response_type": "excel",
}


def search_payload(programmes: Sequence[int]) -> dict[str, Any]:
    """The export request for the given keep.eu programme ids (never empty: that means all)."""
    if not programmes:
        raise ValueError("give at least one keep.eu programme id; none would export all")
    payload = copy.deepcopy(_SEARCH_TEMPLATE)
    payload["programmes"]["available"] = [{"id": int(p)} for p in programmes]
    return payload


def search_url(base_url: str) -> str:
    """`{base}/search/projects/`, with or without a trailing slash on the base.

    A base that is already the search URL is taken as it is.
    """
    base = base_url.rstrip("/")
    if base.endswith("/" + SEARCH_PATH.rstrip("/")):
        return base + "/"
    return f"{base}/{SEARCH_PATH}"
