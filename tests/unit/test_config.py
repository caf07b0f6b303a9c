"""Settings from the environment: the monitoring export's HTTP limits."""

from __future__ import annotations

import pytest

from pipelines.config import REPO_ROOT, Settings
from pipelines.definitions import build_definitions
from pipelines.errors import ConfigurationError


def test_the_monitoring_http_limits_default_to_a_minute_and_a_quarter_hour():
    settings = Settings.from_env({})
    assert (settings.monitoring_read_timeout, settings.monitoring_total_budget) == (60.0, 900.0)


def test_the_monitoring_http_limits_are_read_from_the_environment():
    settings = Settings.from_env(
        {"INTERREG_MONITORING_READ_TIMEOUT": "2.5", "INTERREG_MONITORING_TOTAL_BUDGET": " 30 "}
    )
    assert (settings.monitoring_read_timeout, settings.monitoring_total_budget) == (2.5, 30.0)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_a_limit_that_is_not_a_positive_number_of_seconds_is_refused_by_name(value):
    with pytest.raises(ConfigurationError, match=f"INTERREG_MONITORING_READ_TIMEOUT='{value}'"):
        Settings.from_env({"INTERREG_MONITORING_READ_TIMEOUT": value})


def test_the_monitoring_resource_carries_the_limits_to_its_http_client():
    monitoring = (
        build_definitions(Settings.from_env({}))
        .resources["monitoring"]
        .model_copy(update={"read_timeout": 7.0, "total_budget": 70.0})
    )
    with monitoring.client() as client:
        assert (client.read_timeout, client.total_budget) == (7.0, 70.0)


@pytest.mark.parametrize("name", ["INTERREG_MAX_REJECTED_PCT", "INTERREG_KEEP_MAX_REJECTED_PCT"])
@pytest.mark.parametrize("value", ["nan", "-5", "101", "abc", "inf"])
def test_a_rejection_threshold_outside_0_to_100_percent_is_refused_by_name(name, value):
    """NaN would silently switch the threshold off: every comparison with it is false."""
    with pytest.raises(ConfigurationError, match=f"{name}='{value}': give a percentage"):
        Settings.from_env({name: value})


def test_the_rejection_thresholds_default_to_1_and_10_percent_and_take_decimals():
    assert (
        Settings.from_env({}).max_rejected_pct,
        Settings.from_env({}).keep_max_rejected_pct,
    ) == (
        1.0,
        10.0,
    )
    assert Settings.from_env({"INTERREG_MAX_REJECTED_PCT": " 2.5 "}).max_rejected_pct == 2.5


def test_the_keep_byte_limits_default_to_the_bounds_the_reader_applies():
    """Two definitions until pipelines/sources/keep/limits.py takes its defaults from config."""
    from pipelines.sources.keep import limits

    settings = Settings.from_env({})
    assert (settings.keep_max_bytes, settings.keep_max_unpacked_bytes) == (
        limits.DEFAULT_MAX_BYTES,
        limits.DEFAULT_MAX_UNPACKED_BYTES,
    )


def test_every_setting_is_in_env_example():
    listed = {
        line.split("=", 1)[0]
        for line in (REPO_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert set(Settings.variables()) <= listed


def test_each_setting_is_read_from_its_own_variable():
    """One definition: the field's default is what an unset variable gives."""
    unset = Settings.from_env({})
    for name, default in Settings.variables().items():
        field_name = next(f for f in vars(unset) if Settings.variable(f) == name)
        if name != "INTERREG_WAREHOUSE_DIR":  # resolved against the working directory
            assert getattr(unset, field_name) == default, name
