"""The tables the notebooks show, as package API: the options explained, the options matrix, a walk."""

from __future__ import annotations

import dataclasses

from demo_server import SessionOptions
from demo_server.learn.client import NotebookClient
from demo_server.learn.matrix import COMBINATIONS, Outcome, difference_table, differences, measure, outcome_table
from demo_server.learn.options import express_mapping, field_comments, options_table
from demo_server.learn.walk import IdLabels, walk_table


def test_every_option_has_a_comment_and_an_express_row() -> None:
    comments = field_comments(SessionOptions)
    names = [field.name for field in dataclasses.fields(SessionOptions)]
    assert set(comments) == set(names) and all(comments.values())
    assert "express" in comments["cookie_name"] and "``" not in comments["max_age"]
    assert set(names) <= {row[2].split()[0] for row in express_mapping()}
    table = options_table().text()
    assert all(name in table for name in names)


def test_one_combination_measured_over_http() -> None:
    outcome, (first, login, revisit) = measure((True, False, True, 60))
    assert outcome == Outcome(first_cookie=True, first_store="create", login_cookie=True, revisit_cookie=True,
                              revisit_store="touch")
    assert first.set_session_cookie is not None and revisit.set_session_cookie.attribute("Max-Age") == "60"
    assert login.body == "登入成功"


def test_differences_name_the_columns_that_differ() -> None:
    ours = {COMBINATIONS[0]: Outcome(False, "-", True, False, "-")}

    def theirs(*combination: object) -> Outcome:
        return Outcome(False, "-", False, False, "touch")

    assert differences(ours, theirs) == {COMBINATIONS[0]: ["login_cookie", "revisit_store"]}
    text = difference_table(ours, theirs, label="them", title="t").text()
    assert "login: cookie: ours yes, them -" in text and "revisit: store: ours -, them touch" in text
    assert "1st visit: store" in outcome_table(ours, title="t").text()


def test_ids_are_named_in_the_order_they_appear(serve) -> None:
    browser = NotebookClient(serve())
    labels = IdLabels()
    walk = [browser.get(path) for path in ["/login", "/", "/login", "/logout"]]
    assert [labels.cookie_set(e) for e in walk] == ["sid=id 1", "(none)", "sid=id 2", "sid deleted (Max-Age=0)"]
    assert [labels.cookie_sent(e) for e in walk] == ["(none)", "sid=id 1", "sid=id 1", "sid=id 2"]
    assert "GET /login" in walk_table(walk, labels, title="walk").text()
