"""Hostile keep.eu inputs through `interreg run`, against a warehouse that already holds a
good published file: a zip-bomb workbook, a file far over the size limit, an
API answer far over it. Each run fails (exit 1) with a last stderr line naming the file or
the URL, and the published file, its releases and exports stay byte for byte as they were.

The zip bomb is built here (deflate of a long run of one byte), never checked in.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from support.cli import interreg, last_line
from support.warehouse import leftovers, published_state
from werkzeug import Request, Response

from pipelines.config import SAMPLE_KEEP_FILE
from pipelines.sources.keep.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_UNPACKED_BYTES, MIB

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fails_and_publishes_nothing(warehouse: Path, *named: str, env: dict[str, str]) -> str:
    """Run; assert exit 1, `named` on the last stderr line, nothing published or left."""
    before = published_state(warehouse)
    result = interreg("run", warehouse=warehouse, env=env)
    assert result.returncode == 1, f"the run should have failed:\n{result.stderr[-3000:]}"
    line = last_line(result.stderr)
    for text in named:
        assert text in line, f"{text!r} is not in the last line: {line}"
    assert published_state(warehouse) == before
    assert leftovers(warehouse) == []
    return line


def zip_bomb(path: Path, inflated_mib: int) -> Path:
    """The bundled sample whose partner sheet is a deflated run of one byte."""
    member = "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(SAMPLE_KEEP_FILE) as source, zipfile.ZipFile(path, "w") as bomb:
        for info in source.infolist():
            if info.filename != member:
                bomb.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        run = b"<" * MIB
        with bomb.open(info, "w", force_zip64=True) as out:
            for _ in range(inflated_mib):
                out.write(run)
    return path


def test_a_zip_bomb_workbook_fails_naming_the_file_and_publishes_nothing(good, tmp_path):
    # More than the whole limit once inflated, about 1 MiB on disk.
    inflated = DEFAULT_MAX_UNPACKED_BYTES // MIB + 64
    bomb = zip_bomb(tmp_path / "keep_bomb.xlsx", inflated)
    assert bomb.stat().st_size < 4 * MIB
    line = fails_and_publishes_nothing(
        good, "keep_bomb.xlsx", "zip bomb", env={"INTERREG_KEEP_FILES": str(bomb)}
    )
    assert "compression ratio" in line


def test_a_file_far_over_the_size_limit_fails_naming_it_and_publishes_nothing(good, tmp_path):
    big = tmp_path / "keep_huge.xlsx"
    with big.open("wb") as handle:  # ten times the limit, sparse: nothing but a zip header
        handle.write(b"PK\x03\x04")
        handle.truncate(10 * DEFAULT_MAX_BYTES)
    line = fails_and_publishes_nothing(
        good, str(big), "refused as too large", env={"INTERREG_KEEP_FILES": str(big)}
    )
    assert "INTERREG_KEEP_MAX_BYTES" in line
    landed = [p for p in (good / "landing").rglob("*") if p.is_file()]
    assert all(p.stat().st_size < DEFAULT_MAX_BYTES for p in landed)  # refused, not copied


def test_an_api_answer_far_over_the_size_limit_fails_naming_the_url(good, httpserver):
    size = 10 * DEFAULT_MAX_BYTES
    sent = []

    def huge(request: Request) -> Response:
        def body():
            for _ in range(size // MIB):
                sent.append(MIB)
                yield b"\0" * MIB

        return Response(
            body(), status=200, content_type=XLSX_TYPE, headers={"Content-Length": str(size)}
        )

    httpserver.expect_request("/api/search/projects/").respond_with_handler(huge)
    base = httpserver.url_for("/api")
    fails_and_publishes_nothing(
        good,
        f"{base}/search/projects/",
        "over the limit",
        env={"INTERREG_KEEP_URL": base},
    )
    assert sum(sent) < DEFAULT_MAX_BYTES  # refused by its Content-Length, not read
