"""How notebook 08 §4 prints a session record that Redis keeps: every field, and nothing that varies run to run."""

from __future__ import annotations

import json
import uuid

import redis

from demo_server import RedisStore
from demo_server.learn.client import NotebookClient, split_cookie_value
from demo_server.learn.display import format_utc
from demo_server.learn.stored_record import VERSION_DESCRIPTION, describe_record

from conftest import Serve


def test_a_redis_session_field_by_field(serve: Serve, redis_url: str) -> None:
    prefix = f"describe-{uuid.uuid4().hex}:"
    with RedisStore(redis_url, prefix=prefix) as store:
        login = NotebookClient(serve(store=store, max_age=60), name="browser").get("/login")
        session_id, _ = split_cookie_value(login.set_session_cookie.value)
        raw = redis.Redis.from_url(redis_url).get(f"{prefix}{session_id}")  # as redis-cli GET would see it
        record = json.loads(raw)

        lines = describe_record(raw).splitlines()

        assert lines == [
            f"  created_at  {format_utc(record['created_at'])}",
            '  data        {"userinfo": "张三"}',
            f"  max_age     {json.dumps(record['max_age'])}",
            f"  version     {VERSION_DESCRIPTION}",
        ]
        assert str(record["version"]) not in describe_record(raw)  # random: it would differ on every run
        store.clear()


def test_a_record_without_a_version_and_another_indent() -> None:
    text = json.dumps({"data": {"count": 2}, "created_at": 0, "max_age": 60})
    assert describe_record(text, indent="") == (
        'data        {"count": 2}\n'
        "created_at  1970-01-01 00:00:00 UTC\n"
        "max_age     60"
    )
