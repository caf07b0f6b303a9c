"""Where a source is read from: an http(s) URL, or a local path (plain or file://).

Every source that may be fetched or copied in (the monitoring export, the NUTS boundaries)
accepts the same three forms and refuses the rest the same way.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from pipelines.errors import ConfigurationError
from pipelines.sources.http import redact_url


def url_or_path(location: str, *, setting: str, local: str) -> str | Path:
    """An http(s) URL, returned as given, or the local path it names.

    `setting` names the location in errors (e.g. "INTERREG_NUTS_URL"); `local` says which
    local path is expected ("a folder path", "a file path").
    """
    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise ConfigurationError(f"{setting} {redact_url(location)} has no host")
        return location
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ConfigurationError(
                f"{setting} {redact_url(location)}: only local file:// URLs are supported"
            )
        return Path(url2pathname(parts.path))
    if len(scheme) > 1:  # one letter is a Windows drive, not a scheme
        raise ConfigurationError(
            f"{setting} {redact_url(location)}: use http(s)://, file:// or {local}"
        )
    return Path(location)
