"""Settings handed to a cluster's workers: the key and the cache folder through their
environment, never through a task's arguments."""

from __future__ import annotations

from pathlib import Path

from extract.config import resolve_settings, settings_on_worker, worker_environment

DRIVER_ENV = {
    "OPENAI_API_KEY": "sk-driver",
    "EXTRACT_CACHE_DIR": "/mnt/shared/cache",
    "HOME": "/home/driver",
}


def test_the_workers_get_the_key_and_a_cache_folder_set_on_the_driver() -> None:
    settings = resolve_settings(backend="llm", model="m", env=DRIVER_ENV)
    assert worker_environment(settings, DRIVER_ENV) == {
        "OPENAI_API_KEY": "sk-driver",
        "EXTRACT_CACHE_DIR": "/mnt/shared/cache",
    }


def test_without_a_cache_folder_each_node_keeps_its_own() -> None:
    env = {"OPENAI_API_KEY": "sk-driver"}
    settings = resolve_settings(backend="llm", model="m", env=env)
    assert worker_environment(settings, env) == {"OPENAI_API_KEY": "sk-driver"}
    on_worker = settings_on_worker(settings.with_(api_key=None), {"XDG_CACHE_HOME": "/var/c"})
    assert on_worker.cache_dir == Path("/var/c/filing-extract")
    assert on_worker.api_key is None


def test_the_rules_pass_nothing_to_the_workers() -> None:
    settings = resolve_settings(backend="rules", env=DRIVER_ENV)
    assert worker_environment(settings, DRIVER_ENV) == {}


def test_a_worker_restores_the_key_and_extracts_as_the_driver_would() -> None:
    settings = resolve_settings(backend="auto", model="m", env=DRIVER_ENV)
    in_task = settings.with_(api_key=None)  # what a task's arguments carry
    assert not in_task.runs_llm  # without its key, auto would fall back to the rules
    on_worker = settings_on_worker(in_task, worker_environment(settings, DRIVER_ENV))
    assert on_worker == settings
    assert on_worker.runs_llm
