"""The Chromium driver says plainly when there is no browser to drive."""

from __future__ import annotations

import pytest

from tools.browser import Browser, BrowserError, find_chromium, main


def test_a_browser_that_exits_at_once_is_an_error_not_a_hang(tmp_path):
    with pytest.raises(BrowserError, match="exited"), Browser.launch("/bin/false", timeout=5):
        pass


def test_a_missing_browser_is_named(tmp_path):
    with pytest.raises(BrowserError, match="cannot start"), Browser.launch(str(tmp_path / "x")):
        pass


def test_the_browser_can_be_chosen_by_environment(monkeypatch):
    monkeypatch.setenv("INTERREG_CHROMIUM", "/opt/chrome/chrome")
    assert find_chromium() == "/opt/chrome/chrome"


def test_the_screenshot_command_refuses_a_folder_without_a_page(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path)])
    assert exit_.value.code == 2
    assert f"no index.html in {tmp_path}" in capsys.readouterr().err
