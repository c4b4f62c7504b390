"""The shared evaluation data is found beside the repository or where CONTRACTLOOP_SHARED_DATA says."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from evals.shared_data import ENV_VAR, SharedDataMissingError, require_shared, shared_path


def test_default_is_shared_beside_the_repository(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert shared_path("data", "cuad") == PROJECT_ROOT.parent / "shared" / "data" / "cuad"


def test_the_environment_variable_points_elsewhere(monkeypatch, tmp_path: Path):
    (tmp_path / "data" / "cuad" / "dev100").mkdir(parents=True)
    (tmp_path / "data" / "cuad" / "dev100" / "labels.jsonl").write_text("", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert require_shared("data", "cuad", "dev100", marker="labels.jsonl") == tmp_path / "data" / "cuad" / "dev100"


def test_missing_data_is_an_error_naming_where_it_looked(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(SharedDataMissingError) as caught:
        require_shared("data", "cuad", "dev100", marker="labels.jsonl")
    assert str(tmp_path / "nowhere" / "data" / "cuad" / "dev100" / "labels.jsonl") in str(caught.value)
    assert ENV_VAR in str(caught.value)
