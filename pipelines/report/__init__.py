"""The results page: headline figures, trends, the map of regions, the policy-change list
and the projects, as one static folder built from the published warehouse (see site.py)."""

from pipelines.report.site import SiteResult, build_site

__all__ = ["SiteResult", "build_site"]
