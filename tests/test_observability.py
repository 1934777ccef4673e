"""Request ids, JSON log lines and Prometheus metrics."""

import io
import json
import logging
import threading
import time
from pathlib import Path

import pytest

from api import create_app
from api.config import TestConfig


@pytest.fixture
def observed(database_url, app):
    return create_app(type("ObservedConfig", (TestConfig,), {"DATABASE_URL": database_url}))


@pytest.fixture
def access_log(observed) -> io.StringIO:
    stream = io.StringIO()
    observed.extensions["observability"].access_log.stream = stream
    return stream


def access_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_request_id_is_echoed_or_made(observed):
    client = observed.test_client()
    assert client.get("/v1", headers={"X-Request-ID": "trace-42"}).headers["X-Request-ID"] == (
        "trace-42"
    )
    made = client.get("/v1").headers["X-Request-ID"]
    assert len(made) == 32
    replaced = client.get("/v1", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["X-Request-ID"] != "bad id\twith spaces"
    assert client.get("/nowhere").headers["X-Request-ID"]


def test_one_json_line_per_request_without_the_query_string(observed, access_log):
    client = observed.test_client()
    client.get("/v1/tools?category=iac&secret=wdw_abc_def", headers={"X-Request-ID": "r-1"})
    client.get("/v1/tools/docker", headers={"X-Request-ID": "r-2"})
    client.get("/v1/tools/docker", headers={"X-Request-ID": "r-3"})
    lines = access_lines(access_log)
    assert [line["request_id"] for line in lines] == ["r-1", "r-2", "r-3"]
    first, _, third = lines
    assert (first["path"], first["status"], first["route"]) == ("/v1/tools", 400, "tools.EntryList")
    assert "wdw_abc_def" not in access_log.getvalue()
    assert third["cache"] == "hit" and third["duration_ms"] >= 0
    assert third["logger"] == "api.access" and third["time"].endswith("Z")


def test_metrics_in_prometheus_format(observed):
    client = observed.test_client()
    client.get("/v1/roles")
    client.get("/v1/roles")
    client.get("/v1/roles/nobody")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'wdw_http_requests_total{method="GET",route="roles.EntryList",status="200"} 2.0' in text
    assert 'route="roles.EntryBySlug",status="404"' in text
    assert 'wdw_http_request_duration_seconds_bucket{le="0.005",route="roles.EntryList"}' in text
    assert 'wdw_representation_cache_lookups_total{result="hit"} 1.0' in text
    assert 'wdw_representation_cache_lookups_total{result="miss"}' in text
    assert "wdw_db_pool_checked_out" in text
    assert "wdw_representation_cache_bytes" in text


def test_errors_are_logged_as_json_with_their_traceback(observed, caplog):
    @observed.get("/v1/explode")
    def explode():
        raise RuntimeError("kaboom")

    caplog.set_level(logging.INFO)
    observed.test_client().get("/v1/explode", headers={"X-Request-ID": "boom-1"})
    error = next(r for r in caplog.records if r.name == "api.errors")
    line = json.loads(observed.logger.handlers[0].format(error))
    assert line["level"] == "error"
    assert "kaboom" in line["exception"]


def test_log_lines_stay_json_whatever_the_path_and_method(observed, access_log):
    client = observed.test_client()
    client.get("/v1/roles/a%22b%5Cc%01%7F%C3%A9", headers={"X-Request-ID": "odd-1"})
    client.open("/v1/roles", method="BREW", headers={"X-Request-ID": "odd-2"})
    odd_path, odd_method = access_lines(access_log)
    # WSGI hands the path over as latin-1 decoded bytes; the line keeps exactly that.
    assert odd_path["path"] == '/v1/roles/a"b\\c\x01\x7fé'.encode().decode("latin-1")
    assert (odd_path["request_id"], odd_path["status"]) == ("odd-1", 404)
    assert (odd_method["method"], odd_method["status"]) == ("BREW", 405)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'method="other",route="unmatched",status="405"' in text
    assert "BREW" not in text


def test_made_request_ids_differ(observed, access_log):
    client = observed.test_client()
    made = {client.get("/v1").headers["X-Request-ID"] for _ in range(50)}
    assert len(made) == 50
    assert [line["request_id"] for line in access_lines(access_log)] == sorted(made)


def lines_within(log: Path, count: int, seconds: float = 2.0) -> list[str]:
    """The file's lines once it has `count` of them (the flusher writes every 0.05 s)."""
    deadline = time.monotonic() + seconds
    while len(lines := log.read_text().splitlines()) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return lines


def test_lines_to_a_file_come_whole_and_after_what_the_stream_held(observed, tmp_path):
    log = tmp_path / "access.log"
    with log.open("w") as stream:
        stream.write("held in the stream's buffer\n")
        observed.extensions["observability"].access_log.stream = stream
        client = observed.test_client()
        for number in range(3):
            client.get("/v1/roles", headers={"X-Request-ID": f"file-{number}"})
        first, *lines = lines_within(log, 4)
    assert first == "held in the stream's buffer"
    assert [json.loads(line)["request_id"] for line in lines] == ["file-0", "file-1", "file-2"]


def test_concurrent_requests_leave_one_whole_line_each(observed, tmp_path):
    log = tmp_path / "access.log"
    expected = {f"t{thread}-{number}" for thread in range(8) for number in range(40)}
    with log.open("w") as stream:
        observed.extensions["observability"].access_log.stream = stream

        def requests(thread: int) -> None:
            client = observed.test_client()
            for number in range(40):
                client.get("/v1/tools/docker", headers={"X-Request-ID": f"t{thread}-{number}"})

        threads = [threading.Thread(target=requests, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lines = lines_within(log, len(expected))
    assert sorted(json.loads(line)["request_id"] for line in lines) == sorted(expected)


def observed_with(database_url: str, access_log: str):
    settings = {"DATABASE_URL": database_url, "ACCESS_LOG": access_log}
    return create_app(type("AccessLogConfig", (TestConfig,), settings))


def test_the_suite_writes_no_access_lines_unless_a_test_asks(observed, capfd):
    client = observed.test_client()
    for _ in range(3):
        client.get("/v1/roles", headers={"X-Request-ID": "quiet-1"})
    observed.extensions["observability"].flush()
    out, err = capfd.readouterr()
    assert "api.access" not in out + err
    # Still counted: the metrics do not depend on the access log.
    text = client.get("/metrics").get_data(as_text=True)
    assert 'wdw_http_requests_total{method="GET",route="roles.EntryList",status="200"} 3.0' in text


def test_access_log_setting_names_stdout_or_a_file(database_url, app, tmp_path, capfd):
    to_stdout = observed_with(database_url, "stdout")
    to_stdout.test_client().get("/v1/roles", headers={"X-Request-ID": "out-1"})
    to_stdout.extensions["observability"].flush()
    out, err = capfd.readouterr()
    assert [json.loads(line)["request_id"] for line in out.splitlines()] == ["out-1"]
    assert "api.access" not in err
    log = tmp_path / "access.log"
    log.write_text("kept\n")
    to_file = observed_with(database_url, str(log))
    to_file.test_client().get("/v1/roles", headers={"X-Request-ID": "file-1"})
    to_file.extensions["observability"].flush()
    first, line = log.read_text().splitlines()
    assert (first, json.loads(line)["request_id"]) == ("kept", "file-1")
    assert "api.access" not in "".join(capfd.readouterr())


def test_durations_are_written_in_milliseconds_to_the_microsecond(observed, access_log):
    log = observed.extensions["observability"].access_log
    log.write([(0.0, "d-1", "/", 0.0000124, ("r", "GET", "200", None))], 0.0)
    log.write([(0.0, "d-2", "/", 2.5, ("r", "GET", "200", None))], 0.0)
    assert [line["duration_ms"] for line in access_lines(access_log)] == [0.012, 2500.0]
    assert '"duration_ms":0.012,' in access_log.getvalue()
    assert '"duration_ms":2500.000,' in access_log.getvalue()
