"""Linking a question's words to stored row labels: contractions of made-up labels no real file has."""

from __future__ import annotations

from assistant.linking import link
from tests.test_understand import catalog_of

LABELS = ("社会保障和就业", "公务用车运行维护", "无人机巡检服务", "无人值守机房租赁", "办公", "差旅",
          "农村饮水安全保障", "农业节水灌溉保障")


def _linked(question: str, labels=LABELS) -> list[tuple[str, set[str], str]]:
    return [(t.text, set(t.stems), t.how) for t in link(question, catalog_of(labels=labels)).terms]


def test_a_contraction_reaches_the_one_stored_label_it_shortens():
    assert _linked("社保就业支出为什么减少") == [("社保就业支出", {"社会保障和就业"}, "contraction")]
    assert _linked("公车运维费是多少") == [("公车运维费", {"公务用车运行维护"}, "contraction")]
    assert _linked("无人机房租多少") == [("无人机房租", {"无人值守机房租赁"}, "contraction")]


def test_a_contraction_of_several_stored_labels_is_no_guess():
    assert _linked("农饮保障花了多少") == [("农饮保障", {"农村饮水安全保障"}, "contraction")]
    assert _linked("农水保障花了多少") == []  # 农村饮水安全保障 and 农业节水灌溉保障 both read so


def test_a_stored_name_is_never_taken_for_a_contraction_of_a_longer_one():
    assert _linked("办公费多少") == [("办公费", {"办公"}, "exact")]
    assert _linked("差旅费多少") == [("差旅费", {"差旅"}, "exact")]
