"""Free text is screened: statements about the candidate are refused, innocent senses pass."""

from __future__ import annotations

import pytest

from fairscreen.scope.guard import ensure_clean_text, load_lexicon, screen_text
from fairscreen.shared.errors import ForbiddenContent


def refused(text: str) -> str | None:
    """Return the topic a text is refused for, or None when it passes."""
    result = screen_text(text)
    return None if result.ok else result.topic


# Evasions: normalisation first.


def test_spaced_out_traditional_lifestyle_is_refused() -> None:
    result = screen_text("前同事說他生 活 作 風有問題")
    assert not result.ok
    assert result.topic == "private_life"
    assert result.matched == "生 活 作 風"  # as the user wrote it
    assert result.span == (5, 12)


def test_dashed_simplified_lifestyle_is_refused() -> None:
    assert refused("生-活-作-风存在问题") == "private_life"


def test_ideographic_spaces_between_traditional_characters_are_refused() -> None:
    assert refused("候選人生\u3000活\u3000作\u3000風欠佳") == "private_life"


def test_she_divorced_is_refused_in_both_scripts() -> None:
    assert refused("她离过婚") == "marital_status"
    assert refused("她離過婚") == "marital_status"


def test_punctuated_english_is_refused() -> None:
    assert refused("She's d.i.v.o.r.c.e.d, per her old manager") == "marital_status"


def test_full_width_and_mixed_case_english_is_refused() -> None:
    assert refused("Ｓｈｅ ｉｓ ｐｒｅｇｎａｎｔ") == "pregnancy_family"
    assert refused("She is PrEgNaNt") == "pregnancy_family"


def test_spaced_out_english_across_words_is_refused() -> None:
    assert refused("He is g a y") == "sexual_orientation"
    assert refused("He is a U N I O N member") == "union_membership"


def test_invisible_and_decorative_characters_between_letters_are_refused() -> None:
    assert refused("她离\u200b婚了") == "marital_status"  # zero-width space
    assert refused("她离😀婚了") == "marital_status"  # emoji, beyond the BMP
    assert refused("𝐝𝐢𝐯𝐨𝐫𝐜𝐞𝐝 last year") == "marital_status"  # mathematical bold


def test_cyrillic_look_alike_letters_are_refused() -> None:
    assert refused("she got dіvorced") == "marital_status"  # Cyrillic і


def test_words_mixed_with_chinese_are_refused() -> None:
    assert refused("据传他是gay。") == "sexual_orientation"
    assert refused("候选人HIV阳性") == "health"


# Innocent senses: institution names, job titles, work-style judgements.


def test_university_name_with_minzu_passes() -> None:
    assert screen_text("经学信网核验，候选人2012年毕业于中央民族大学，获法学学士学位。").ok


def test_hospital_bureau_and_federation_names_pass() -> None:
    for text in (
        "2018年至2021年在北京协和医院信息中心任系统管理员。",
        "2014年至2017年在国家宗教事务局政策法规司工作。",
        "候选人曾在湖南省妇幼保健院担任护士。",
        "候选人现任职于中华全国总工会机关服务中心，担任财务主管。",
        "户籍所在地为宁夏回族自治区银川市，与身份证信息一致。",
    ):
        assert screen_text(text).ok, text


def test_english_institution_names_pass() -> None:
    for text in (
        "He attended Christian Brothers University, BA 2012, confirmed by registrar.",
        "Graduated from Christian Medical College, Vellore, MBBS 2010.",
        "Employment at Mayo Clinic from 2015 to 2019 was confirmed by HR.",
        "The candidate worked as a teller at Union Bank from 2014 to 2017.",
        "Store manager at Family Mart, 2016-2019, verified via payroll records.",
        "Worked at the Ministry of Foreign Affairs as a policy analyst.",
    ):
        assert screen_text(text).ok, text


def test_job_titles_and_duties_pass() -> None:
    for text in (
        "候选人在区民政局婚姻登记处任工作人员。",
        "候选人持有健康管理师职业技能等级证书。",
        "Worked as Health and Safety Officer at a construction firm.",
        "The candidate served as union liaison in the HR department.",
        "She worked as an obstetric nurse at St Mary's Hospital from 2012 to 2018.",
        "候选人负责组织员工会议和满意度调查。",  # 员工会议 holds the characters of 工会
    ):
        assert screen_text(text).ok, text


def test_hr_and_finance_duties_naming_leave_types_and_union_funds_pass() -> None:
    for text in (
        "候选人负责公司党建和工会经费的财务核算。",
        "候选人任人力资源总监，负责制定婚假、产假等假期制度。",
        "She processed claims for a disability insurer.",
    ):
        assert screen_text(text).ok, text
    assert refused("她去年休了婚假") == "marital_status"


def test_work_style_about_the_job_passes_but_lifestyle_does_not() -> None:
    assert screen_text("前主管评价其工作作风扎实，能按时完成项目交付。").ok
    assert screen_text("Former manager described his work style as thorough.").ok
    assert refused("前同事称其生活作风存在问题") == "private_life"
    assert refused("候选人在原单位有作风问题") == "private_life"


def test_place_name_passes_but_ethnic_statement_is_refused() -> None:
    assert screen_text("身份证登记住址为延边朝鲜族自治州延吉市。").ok
    assert refused("候选人系朝鲜族，会说朝鲜语。") == "ethnicity"


def test_an_allow_span_does_not_hide_a_second_statement() -> None:
    assert refused("她毕业于宁夏回族自治区的大学，本人是回族。") == "ethnicity"


def test_a_strong_pattern_reaching_past_an_allow_span_is_refused() -> None:
    # 总工会 is an employer name; 工会会员 reaches past it and states membership.
    assert refused("他是市总工会会员") == "union_membership"


def test_latin_patterns_match_whole_words_only() -> None:
    assert screen_text("He archived the HR records and joined Gaylord Hotels.").ok
    assert screen_text("Worked at Gay Lea Foods as a technician.").ok
    assert refused("A coworker said he is gay.") == "sexual_orientation"
    assert refused("He's gay, according to a coworker.") == "sexual_orientation"


def test_common_lawful_phrases_that_hold_forbidden_words_pass() -> None:
    for text in (
        "The candidate's contract was converted to permanent in 2019.",
        "The background check results came out clean.",
        "He was engaged to deliver the data migration project.",
        "候选人在海外公司任职期间负责东南亚市场拓展。",  # 海外公司 holds 外公
        "候选人负责中风险客户的贷后管理。",  # 中风险 holds 中风
    ):
        assert screen_text(text).ok, text


def test_every_topic_hit_is_reported_in_order() -> None:
    result = screen_text("她离过婚，是基督徒，有抑郁症。")
    assert result.topic == "marital_status"
    assert result.topics == ("marital_status", "religion", "health")
    assert [h.matched for h in result.hits] == ["离过婚", "基督徒", "抑郁症"]


def test_results_carry_the_lexicon_version() -> None:
    version = load_lexicon().version
    assert screen_text("经核实，候选人任软件工程师。").lexicon_version == version
    assert screen_text("她离过婚").lexicon_version == version


@pytest.mark.parametrize("text", ["", "   ", "。，！", "12345"])
def test_empty_or_symbol_only_text_passes(text: str) -> None:
    assert screen_text(text).ok


def test_ensure_clean_text_raises_forbidden_content_without_repeating_the_words() -> None:
    with pytest.raises(ForbiddenContent) as caught:
        ensure_clean_text("前同事称其生活作风存在问题")
    error = caught.value
    assert error.code == "forbidden_content"
    assert error.details["topic"] == "private_life"
    assert error.details["lexicon_version"] == load_lexicon().version
    assert error.details["span"] == (5, 9)
    assert "生活作风" not in error.message


def test_ensure_clean_text_returns_the_result_for_lawful_text() -> None:
    assert ensure_clean_text("经征信报告查询，候选人无逾期记录。").ok
