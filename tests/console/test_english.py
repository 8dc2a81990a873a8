"""English mode (issue 21 §7): stored timeline lines and typologies read in the reader's language."""

from django.utils import translation

from cases.models import Typology
from cases.timeline_text import timeline_text


def test_timeline_lines_are_translated_with_their_values():
    with translation.override("en"):
        assert timeline_text("报案受理") != "报案受理"
        line = timeline_text("状态：新报案 → 已研判")
        assert "→" in line and not any("\u4e00" <= ch <= "\u9fff" for ch in line), line
        line = timeline_text("共享给 W市公安局反诈中心")
        assert "W市公安局反诈中心" in line and "共享给" not in line  # the agency's name is user data
    with translation.override("zh-hans"):
        assert timeline_text("状态：新报案 → 已研判") == "状态：新报案 → 已研判"


def test_unknown_lines_are_shown_as_stored():
    with translation.override("en"):
        assert timeline_text("某条自由文本") == "某条自由文本"
        assert timeline_text("") == ""


def test_typology_reads_in_english_where_an_english_name_is_kept():
    typology = Typology(code="brushing", name="刷单返利", name_en="Task / order-brushing scam")
    with translation.override("en"):
        assert str(typology) == "Task / order-brushing scam"
        assert str(Typology(code="x", name="新类型")) == "新类型"
    with translation.override("zh-hans"):
        assert str(typology) == "刷单返利"
