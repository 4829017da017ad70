"""describe(): locality, unit, year, kind, title and date of real disclosures, and overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.errors import IngestError
from ingest.describe import describe, parse_locality
from ingest.describe.gazetteer import autonomous_short_form, bare_name, gazetteer
from ingest.describe.headers import header_fields, parse_date, published_date
from ingest.describe.title import find_title
from ingest.describe.unit import find_units, unit_kind
from ingest.describe.year import fiscal_year

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
SEEDS = SHARED / "seeds"
DEV_PDFS = SHARED / "dev" / "pdf"
DEV_EXCERPTS = SHARED / "dev" / "excerpts"


def _read(folder: Path, prefix: str) -> str:
    paths = sorted(folder.glob(f"{prefix}*"))
    if not paths:
        pytest.skip(f"shared corpus file {prefix}* not present")
    return paths[0].read_text(encoding="utf-8")


def _pdf_head(name: str, pages: int = 3) -> str:
    pdfplumber = pytest.importorskip("pdfplumber")
    path = DEV_PDFS / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages[:pages])


# --- the five seeds -----------------------------------------------------------------------------

SEED_EXPECTED = [
    # prefix, locality.full, level, province, city, unit, kind, year, doc_type, published
    (
        "000",
        "澄江市",
        "city",
        "云南省",
        "玉溪市",
        "澄江市政务服务管理局",
        "政务服务管理局",
        2024,
        "项目文本",
        None,
    ),
    (
        "001",
        "昆明市呈贡区",
        "district",
        "云南省",
        "昆明市",
        "昆明市呈贡区政务服务管理局",
        "政务服务管理局",
        2021,
        "项目文本",
        None,
    ),
    (
        "002",
        "柞水县",
        "county",
        "陕西省",
        "商洛市",
        "柞水县政务服务中心",
        "政务服务中心",
        2023,
        "预算",
        None,
    ),
    (
        "003",
        "汨罗市",
        "city",
        "湖南省",
        "岳阳市",
        "汨罗市人民政府政务服务中心",
        "政务服务中心",
        2018,
        "决算",
        "2019-07-29",
    ),
    (
        "004",
        "重庆市潼南区",
        "district",
        "重庆市",
        None,
        "重庆市潼南区政务服务管理办公室",
        "政务服务管理办公室",
        2021,
        "预算",
        None,
    ),
]


@pytest.mark.parametrize(
    "prefix,full,level,province,city,unit,kind,year,doc_type,published", SEED_EXPECTED
)
def test_seed(prefix, full, level, province, city, unit, kind, year, doc_type, published):
    meta = describe(_read(SEEDS, prefix), path=f"{prefix}.txt")
    assert meta.locality is not None
    assert (meta.locality.full, meta.locality.level) == (full, level)
    assert (meta.locality.province, meta.locality.city) == (province, city)
    assert (meta.unit_name, meta.unit_kind) == (unit, kind)
    assert (meta.year, meta.doc_type, meta.published) == (year, doc_type, published)


def test_seed_titles_are_printed_lines_with_spaces_collapsed():
    assert describe(_read(SEEDS, "002")).title == "柞水县政务服务中心 2023 年度部门综合 预算说明"
    # The index/metadata rows above the title are skipped.
    assert describe(_read(SEEDS, "003")).title == "2018年度汨罗市人民政府政务服务中心单位部门决算"
    # A unit line followed by the project line form one title.
    assert (
        describe(_read(SEEDS, "001")).title
        == "昆明市呈贡区政务服务管理局 2021年政务中心窗口服务经费项目"
    )


def test_seed_localities_short_forms():
    tongnan = describe(_read(SEEDS, "004")).locality
    assert (tongnan.name, tongnan.bare) == ("潼南区", "潼南")
    chenggong = describe(_read(SEEDS, "001")).locality
    assert (chenggong.name, chenggong.bare) == ("呈贡区", "呈贡")
    assert describe(_read(SEEDS, "002")).locality.bare == "柞水"


# --- dev PDFs (first pages) ----------------------------------------------------------------------

PDF_EXPECTED = [
    ("js_gaoyuan_2018_dept_budget.pdf", "江苏省", "province", "江苏省高级人民法院", 2018, "预算"),
    ("js_jianchayuan_2017_dept_budget.pdf", "江苏省", "province", "江苏省人民检察院", 2017, "预算"),
    (
        "js_shengwei_bgt_2018_dept_budget_tables.pdf",
        "江苏省",
        "province",
        "中共江苏省委办公厅",
        2018,
        "预算",
    ),
    (
        "js_zhengxie_bgt_2017_dept_budget_tables.pdf",
        "江苏省",
        "province",
        "江苏省政协办公厅",
        2017,
        "预算",
    ),
    (
        "sh_putuo_caizhengju_2024_dept_final.pdf",
        "上海市普陀区",
        "district",
        "上海市普陀区财政局",
        2024,
        "决算",
    ),
    (
        "sh_putuo_wanlijiedao_2023_dept_budget.pdf",
        "上海市普陀区",
        "district",
        "上海市普陀区人民政府万里街道办事处",
        2023,
        "预算",
    ),
    ("sh_city_caizhengju_2025_unit_budget.pdf", "上海市", "province", "上海市财政局", 2025, "预算"),
]


@pytest.mark.parametrize("name,full,level,unit,year,doc_type", PDF_EXPECTED)
def test_dev_pdf(name, full, level, unit, year, doc_type):
    meta = describe(_pdf_head(name), path=name)
    assert (meta.locality.full, meta.locality.level) == (full, level)
    assert (meta.unit_name, meta.year, meta.doc_type) == (unit, year, doc_type)


def test_pdf_cover_title_broken_over_lines_and_cover_date():
    meta = describe(_pdf_head("js_gaoyuan_2018_dept_budget.pdf"))
    assert meta.title == "2018 年度江苏省高级人民法院预算公开"
    assert meta.published == "2018-02-24"  # the date printed under the cover title
    assert meta.unit_kind == "人民法院"


def test_tables_only_pdf_gets_a_made_title_and_the_file_name_year():
    name = "js_zhengxie_bgt_2018_dept_budget_tables.pdf"
    text = _pdf_head(name)
    assert describe(text).year is None  # its tables state no year at all
    meta = describe(text, path=f"/somewhere/{name}")
    assert (meta.year, meta.title) == (2018, "江苏省政协办公厅 2018年 预算")


# --- the six excerpts ----------------------------------------------------------------------------

EXCERPT_EXPECTED = [
    # prefix, locality.full, level, province, unit, kind, year, doc_type, published
    (
        "ezhou",
        "鄂州市",
        "city",
        "湖北省",
        "鄂州市行政审批局",
        "行政审批局",
        2021,
        "绩效自评",
        "2022-11-04",
    ),
    (
        "haiyuan",
        "海原县",
        "county",
        "宁夏回族自治区",
        "海原县审批服务管理局",
        "审批服务管理局",
        2022,
        "决算",
        "2023-10-25",
    ),
    (
        "honghe",
        "红河哈尼族彝族自治州",
        "city",
        "云南省",
        "红河州数据发展中心",
        "数据发展中心",
        2024,
        "绩效自评",
        "2025-04-29",
    ),
    (
        "linxiang",
        "临湘市",
        "city",
        "湖南省",
        "临湘市行政审批服务局",
        "行政审批服务局",
        2023,
        "决算",
        None,
    ),
    (
        "tianjin",
        "天津市西青区",
        "district",
        "天津市",
        "天津市西青区行政审批局",
        "行政审批局",
        2016,
        "预算",
        None,
    ),
    (
        "zhanjiang",
        "湛江市",
        "city",
        "广东省",
        "湛江市人民政府行政服务中心",
        "行政服务中心",
        2021,
        "决算",
        None,
    ),
]


@pytest.mark.parametrize(
    "prefix,full,level,province,unit,kind,year,doc_type,published", EXCERPT_EXPECTED
)
def test_excerpt(prefix, full, level, province, unit, kind, year, doc_type, published):
    meta = describe(_read(DEV_EXCERPTS, prefix))
    assert (meta.locality.full, meta.locality.level, meta.locality.province) == (
        full,
        level,
        province,
    )
    assert (meta.unit_name, meta.unit_kind) == (unit, kind)
    assert (meta.year, meta.doc_type, meta.published) == (year, doc_type, published)


def test_excerpt_titles():
    assert (
        describe(_read(DEV_EXCERPTS, "honghe")).title
        == "红河州数据发展中心2024年度项目支出绩效单位自评报告"
    )
    assert describe(_read(DEV_EXCERPTS, "ezhou")).title == "项目支出绩效自评表 ( 2021 年度)"
    # No printed title before 目录: one is made from what was found.
    assert describe(_read(DEV_EXCERPTS, "haiyuan")).title == "海原县审批服务管理局 2022年 决算"
    assert describe(_read(DEV_EXCERPTS, "linxiang")).locality.city == "岳阳市"


# --- same short name, different places -----------------------------------------------------------


def test_same_district_name_resolved_by_the_parent_the_text_names():
    zhoushan = describe("普陀区财政局2024年部门决算\n本局是舟山市人民政府工作部门。").locality
    shanghai = describe("普陀区财政局2024年部门决算\n本局是上海市普陀区人民政府工作部门。").locality
    assert (zhoushan.full, zhoushan.province, zhoushan.city) == ("舟山市普陀区", "浙江省", "舟山市")
    assert (shanghai.full, shanghai.province, shanghai.city) == ("上海市普陀区", "上海市", None)
    assert zhoushan.name == shanghai.name == "普陀区"


def test_same_district_name_with_parent_written():
    changchun = describe("长春市朝阳区政务服务中心2023年度部门预算").locality
    beijing = describe("北京市朝阳区政务服务中心2023年度部门预算").locality
    assert (changchun.full, changchun.province) == ("长春市朝阳区", "吉林省")
    assert (beijing.full, beijing.province) == ("北京市朝阳区", "北京市")


def test_ambiguous_name_without_parent_keeps_the_name_and_no_parents():
    meta = describe("朝阳区政务服务中心2023年度部门预算\n本中心负责全区政务服务。")
    assert meta.locality.full == "朝阳区"
    assert (meta.locality.province, meta.locality.city) == (None, None)


def test_two_character_names_only_where_a_name_can_start():
    assert describe("2023年度和县政务服务中心部门决算").locality.city == "马鞍山市"
    assert describe("关于2023年主城区政务服务工作的报告").locality is None


# --- overrides ---------------------------------------------------------------------------


def test_overrides_win_and_locality_string_is_parsed():
    text = _read(SEEDS, "002")
    meta = describe(
        text,
        overrides={
            "locality": "重庆市潼南区",
            "year": "2022",
            "doc_type": "决算",
            "title": "自定标题",
            "unit_name": "潼南区行政审批服务局",
        },
    )
    assert meta.locality == parse_locality("重庆市潼南区")
    assert (meta.locality.full, meta.locality.province) == ("重庆市潼南区", "重庆市")
    assert (meta.year, meta.doc_type, meta.title) == (2022, "决算", "自定标题")
    assert (meta.unit_name, meta.unit_kind) == ("潼南区行政审批服务局", "行政审批服务局")


def test_unit_override_also_gives_its_locality_and_none_values_are_ignored():
    meta = describe(
        "某单位2023年部门预算", overrides={"unit_name": "柞水县行政审批服务局", "year": None}
    )
    assert (meta.locality.full, meta.locality.city, meta.year) == ("柞水县", "商洛市", 2023)


def test_bad_overrides_are_refused():
    with pytest.raises(IngestError):
        describe("x", overrides={"year": "明年"})
    with pytest.raises(ValueError):
        describe("x", overrides={"province": "江苏省"})


def test_unknown_locality_override_is_kept_as_given():
    loc = parse_locality("雄安新区")
    assert (loc.full, loc.bare, loc.province) == ("雄安新区", "雄安", None)


# --- parts -------------------------------------------------------------------------------


def test_bare_names_strip_the_level_only_when_two_characters_remain():
    assert [bare_name(n) for n in ("潼南区", "沙县区", "和县", "芒市", "澄江市", "浦东新区")] == [
        "潼南",
        "沙县",
        "和县",
        "芒市",
        "澄江",
        "浦东",
    ]
    assert bare_name("红河哈尼族彝族自治州") == "红河"
    assert bare_name("新疆维吾尔自治区") == "新疆"


def test_autonomous_short_forms_come_from_the_data():
    assert autonomous_short_form("黔东南苗族侗族自治州") == "黔东南州"
    assert autonomous_short_form("龙胜各族自治县") == "龙胜县"
    assert [d.name for d in gazetteer().lookup("红河州")] == ["红河哈尼族彝族自治州"]
    assert autonomous_short_form("潼南区") is None


def test_county_level_city_has_its_prefecture_as_city():
    (miluo,) = gazetteer().lookup("汨罗市")
    assert (miluo.level, miluo.province, miluo.city) == ("city", "湖南省", "岳阳市")


def test_unit_kind_longest_match_wins():
    assert unit_kind("柞水县行政审批服务局") == "行政审批服务局"
    assert unit_kind("江苏省高级人民法院") == "人民法院"
    assert unit_kind("某某研究会") is None
    units = find_units("柞水县政务服务中心是柞水县行政审批服务局下属事业单位")
    assert [u.name for u in units] == ["柞水县政务服务中心", "柞水县行政审批服务局"]
    assert [u.name for u in find_units("部门：中国共产党江苏省委员会办公厅 单位：万元")] == [
        "中国共产党江苏省委员会办公厅"
    ]
    # a 街道 named without 办事处 after its place ('宁海县桃源街道2023年部门预算')
    assert [u.name for u in find_units("宁海县桃源街道2023年部门预算")] == ["宁海县桃源街道"]


def test_header_fields_in_pipe_colon_and_spaced_forms():
    fields = header_fields(
        [
            "索 引 号: | 011217651/2022-01866 | 发文字号: | 无 | 发文日期: | 2022年11月04日 |",
            "部 门:中共江苏省委办公厅",
            "部门：江苏省人大常委会办公厅 单位：万元",
            "- 发布日期: 2025-04-29",
        ]
    )
    as_pairs = [(f.key, f.value) for f in fields]
    assert ("索引号", "011217651/2022-01866") in as_pairs
    assert ("部门", "中共江苏省委办公厅") in as_pairs
    assert ("部门", "江苏省人大常委会办公厅") in as_pairs
    assert published_date(fields) == "2025-04-29"  # 发布日期 outranks 发文日期
    assert parse_date("2023-10-25 10:56:48") == "2023-10-25"
    assert parse_date("2023-13-01") is None


def test_year_prefers_title_then_fiscal_year_phrases_never_dates():
    assert fiscal_year("柞水县政务服务中心 2023 年度部门综合 预算说明", "") == 2023
    body = (
        "生成日期 | 2019-07-29\n2019年7月29日发布\n2018年度收入决算\n2018年度支出决算\n2019年计划"
    )
    assert fiscal_year("", body) == 2018
    assert fiscal_year("上海市普陀区财政局年度部门决算 2024", "") == 2024
    assert fiscal_year("", "", file_stem="部门预算2022") == 2022
    assert fiscal_year("", "", file_stem="dept_2018_final") == 2018
    assert fiscal_year("", "", file_stem="000_fd2019ab") is None  # a hash, not a year


def test_title_skips_metadata_and_numbered_lines():
    lines = [
        "文号:",
        "预算绩效管理",
        "一、2023 年度部门预算说明",
        "某县政务服务中心2023年度部门决算",
    ]
    assert find_title(lines).text == "某县政务服务中心2023年度部门决算"


def test_former_county_names_resolve_to_todays_division():
    tongnan = describe("2016年度潼南县政务服务中心部门决算").locality
    assert (tongnan.full, tongnan.level) == ("重庆市潼南区", "district")
    assert describe("沙县政务服务中心2019年部门决算").locality.full == "三明市沙县区"
    assert describe("澄江县政务服务管理局2018年部门预算").locality.city == "玉溪市"


def test_derived_forms_are_not_read_inside_other_words():
    # '雄安新区' contains '安新区' (a derived form of 安新县); it must not become 安新县.
    assert describe("雄安新区管理委员会2023年部门预算").locality is None
    assert parse_locality("雄安新区").province is None
