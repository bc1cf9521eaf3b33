"""``make lab``'s JupyterLab, as a learner meets it: no news prompt on the first notebook; ``make lab-zh``'s in Chinese."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from lab_server import running_lab

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_jupyterlab_in_this_environment_asks_no_news_question(tmp_path: Path) -> None:
    """The override that `make venv` installs reaches JupyterLab's settings API."""
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(installed.read_text()) == json.loads((REPO_ROOT / "lab-settings" / "overrides.json").read_text())
    with running_lab(tmp_path, REPO_ROOT / "notebooks") as lab:
        answer = lab.get("lab/api/settings/@jupyterlab/apputils-extension:notification")
        # An override becomes the setting's default: "false" is "Never" (the prompt asks while it is "none").
        assert answer["schema"]["properties"]["fetchNews"]["default"] == "false"


def test_lab_zh_settings_turn_jupyterlab_chinese(tmp_path: Path) -> None:
    """`make lab-zh`'s settings directory selects zh_CN, and the pinned language pack answers for it."""
    settings = tmp_path / "settings"
    shutil.copytree(REPO_ROOT / "lab-settings" / "zh_CN", settings)
    with running_lab(tmp_path, REPO_ROOT / "notebooks", JUPYTERLAB_SETTINGS_DIR=str(settings)) as lab:
        assert lab.get("lab/api/settings/@jupyterlab/translation-extension:plugin")["settings"]["locale"] == "zh_CN"
        assert "zh_CN" in lab.get("lab/api/translations/")["data"]
        assert lab.get("lab/api/translations/zh_CN")["data"]["jupyterlab"]["Settings"] == ["设置"]
    assert "lab-settings/zh_CN/@jupyterlab/translation-extension/plugin.jupyterlab-settings" in (
        REPO_ROOT / "Makefile").read_text()
