"""Bench the free-text guard: screens per second on 2 KB lawful reports, and the corpus.

Usage: python bench/bench_guard.py [--json OUT] [--misses]

Each report is 2 KB of UTF-8 (about 700 Chinese or 2,000 English characters; "mixed"
is 330 Chinese characters followed by English), is lawful, and names a few
institutions holding forbidden-topic words (民族大学, 总工会, Union Bank), so the
allow-list logic runs as it does in practice. Screening runs in one thread; the rate
is screens per second of that thread's CPU time (best of five runs), which is what
one core delivers whatever else the machine is doing; the wall-clock rate is shown
beside it. SHA-256 of a 201-byte leaf is measured the same way as a calibration
(PLATFORM.md: about 1.5 million a second on this kind of machine). The corpus
figures are those the unit tests assert. The evasion corpus (guard_corpus_evasion.tsv:
pinyin, leetspeak, fillers, homophones, bidirectional and invisible controls,
euphemisms, Korean and Japanese) gives a recall of its own, overall and per class, and
its tricky lawful sentences count in the lawful pass rate; --misses lists what failed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EVASION = DATA / "guard_corpus_evasion.tsv"
CORPORA = (DATA / "guard_corpus.tsv", DATA / "guard_corpus_round2.tsv", EVASION)
TARGET_RATE = 20_000
TARGET_PASS = 0.97
SIZE = 2048

REPORTS = {
    "zh-Hans": (
        "背景调查报告摘要。一、身份核验：候选人提供的居民身份证信息与公安部公民身份信息系统比对一致，"
        "户籍所在地为宁夏回族自治区银川市。二、学历核验：经学信网在线验证，候选人2012年7月毕业于中央民族大学"
        "经济学院，获经济学学士学位，学位证书编号与学校档案一致；2015年取得北京协和医学院公共卫生硕士学位，"
        "学历经教育部学历证书电子注册备案表核实。三、工作经历：2015年8月至2018年6月，在北京协和医院信息中心"
        "任系统工程师，负责医院信息系统运维与数据备份，离职原因为个人职业发展，人事部门书面确认；2018年7月至"
        "2021年12月，在中华全国总工会机关服务中心担任财务主管，负责预算编制与费用报销审核，前主管评价其工作"
        "作风扎实、责任心强；2022年1月至今，在某科技有限公司任高级数据分析师，负责用户增长模型的搭建与评估，"
        "在职状态经社保缴纳记录印证。四、职业资格：候选人持有中级会计职称证书和注册会计师全科合格证，证书编号"
        "经财政部及中注协网站核验一致。五、职业操守：前雇主确认候选人任职期间无违纪记录，未受到任何处分。"
        "六、信用记录：经候选人授权查询个人征信报告，近五年无逾期还款记录，未发现被列为失信被执行人。七、项目"
        "经历：任职期间曾参与湖南省妇幼保健院信息化项目的实施，负责数据迁移方案设计，项目验收文件经甲方确认；"
        "另参与某市民族宗教事务委员会办公系统升级，负责需求调研与测试。八、结论：以上信息均经权威来源核实，"
        "与候选人提供的材料一致，未发现虚假陈述。九、说明：本报告仅用于本次招聘决定，保存期限届满后将销毁。"
        "十、核查过程：调查人员于2024年3月分别致电两家前雇主人事部门，并通过学信网、中注协网站及人民银行"
        "征信中心完成在线核验，全部来源均为官方登记或签发机构，无第三方转述信息。"
    ),
    "zh-Hant": (
        "背景查核報告摘要。一、身分核驗：候選人提供之國民身分證資料與內政部戶政系統比對一致。二、學歷查證："
        "經國立政治大學註冊組書面確認，候選人2011年6月畢業於民族學系，取得學士學位；2014年取得國立臺灣大學"
        "資訊管理研究所碩士學位，畢業證書字號與校方紀錄相符。三、工作經歷：2014年9月至2017年8月任職於馬偕"
        "紀念醫院資訊室，擔任系統分析師，負責門診系統維護，離職原因為個人生涯規劃，人資部門書面確認；2017年9月"
        "至2020年12月任職於香港職工會聯盟轄下培訓中心，擔任資訊主任，負責課程報名系統開發，前主管評價其工作作風"
        "嚴謹、文件整理井然有序；2021年1月至今任職於某科技股份有限公司，擔任資深軟體工程師，在職狀態經勞保投保"
        "紀錄印證。四、專業證照：候選人持有資訊安全管理系統主導稽核員證照及專案管理師證照，證號經發證機構網站"
        "查驗屬實。五、信用紀錄：經候選人書面同意查詢聯徵中心信用報告，近五年無信用卡遲繳及退票紀錄。六、專案"
        "經驗：曾參與臺北市婦幼醫院掛號系統改版及原住民族委員會網站無障礙改善專案，負責後端開發與測試，驗收"
        "文件經業主確認。七、紀律紀錄：前僱主確認其任職期間並無紀律處分紀錄。八、結論：上述資料均經權威來源"
        "查證，與候選人提供之資料一致，未發現不實陳述。九、說明：本報告僅供本次聘任決定使用，保存期限屆滿後銷毀。"
        "十、查核過程：查核人員於2024年3月分別以電話及電子郵件聯繫兩家前僱主之人資部門，並透過教育部學歷"
        "查詢系統、發證機構網站及聯徵中心完成線上查驗，所有來源均為官方登記或發證機構，未採用任何第三方"
        "轉述資訊。十一、候選人已閱覽本報告並確認內容無誤，查核人員已告知其可於五個工作日內提出異議。"
    ),
    "en": (
        "Background check summary. 1. Identity: the passport details supplied by the candidate "
        "match the issuing authority's records. 2. Education: the candidate attended Christian "
        "Brothers University, BA in Economics 2012, confirmed by the registrar in writing; MSc in"
        " Data Science from Imperial College London, 2014, confirmed through HEDD. 3. Employment:"
        " from September 2014 to June 2017 the candidate worked at Mayo Clinic as a systems "
        "analyst; HR confirmed the dates and title and stated that the candidate left for a "
        "position with higher pay and is eligible for rehire. From July 2017 to December 2020 the"
        " candidate was a reporting analyst at Union Bank, preparing regulatory returns; the "
        "former line manager described the candidate's work style as thorough and well organised "
        "and confirmed that deadlines were met. Since January 2021 the candidate has been a "
        "senior data engineer at a software company; current employment was verified via payroll "
        "records with the candidate's consent. 4. Qualifications: the CFA charter was confirmed "
        "by the CFA Institute; the AWS Solutions Architect certification was verified online. 5. "
        "Professional conduct: both former employers confirmed that no disciplinary action was "
        "recorded. 6. Credit: with the candidate's separate consent, the credit report shows no "
        "defaults, county court judgments or insolvencies in the past six years. 7. Projects: the"
        " candidate led the data migration for a FamilyMart regional office and built a dashboard"
        " for the Health and Safety team of a construction firm; both clients confirmed the "
        "engagements. 8. Conclusion: every item above was verified with an authoritative source "
        "and matches what the candidate declared; nothing was found to be misstated. This report "
        "is used only for this hiring decision and will be destroyed when its retention period "
        "ends."
        " 9. Method: the investigator called both former employers' HR departments in March 2024 "
        "and used the registrars' online services; every source is an issuing institution or an "
        "official register, and no third-party hearsay was recorded."
    ),
}
REPORTS["mixed"] = REPORTS["zh-Hans"][:330] + " " + REPORTS["en"][:1100]


def sized(text: str, size: int = SIZE) -> str:
    """Cut text to at most size bytes of UTF-8 without splitting a character."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str | None
    met: bool | None


def rate(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Return calls per second of fn by thread CPU time and by wall time, best of five."""
    cpu = wall = float("inf")
    for _ in range(5):
        start_cpu, start_wall = time.thread_time(), time.perf_counter()
        for _ in range(n):
            fn()
        cpu = min(cpu, time.thread_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return n / cpu, n / wall


def corpus_figures(misses: bool = False) -> list[Figure]:
    """Screen every corpus sentence; return recall, lawful pass rate and topic agreement."""
    from fairscreen.scope.guard import screen_text

    rows = [
        {**row, "corpus": path.name}
        for path in CORPORA
        for row in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")
    ]
    results = {id(r): screen_text(r["text"]) for r in rows}
    plain = [r for r in rows if r["corpus"] != EVASION.name]
    forbidden = [r for r in plain if r["label"] == "forbidden"]
    evasive = [r for r in rows if r["corpus"] == EVASION.name and r["label"] == "forbidden"]
    lawful = [r for r in rows if r["label"] == "lawful"]
    caught = [r for r in forbidden if not results[id(r)].ok]
    evaded = [r for r in evasive if results[id(r)].ok]
    passed = [r for r in lawful if results[id(r)].ok]
    agreeing = [r for r in caught if r["topic"] in results[id(r)].topics]
    if misses:
        for r in [*[r for r in forbidden if results[id(r)].ok], *evaded]:
            print(f"MISSED   {r['topic']} [{r.get('class') or r.get('script')}] {r['text']!r}")
        for r in lawful:
            if not results[id(r)].ok:
                hits = ", ".join(f"{h.topic}:{h.matched!r}" for h in results[id(r)].hits)
                print(f"REFUSED  {r['text']!r} <- {hits or results[id(r)].topic}")
    figures = [
        Figure("corpus_sentences", len(rows), "sentences", None, None),
        Figure(
            "corpus_recall",
            round(len(caught) / len(forbidden), 4),
            "ratio",
            "== 1.0",
            len(caught) == len(forbidden),
        ),
        Figure(
            "evasion_recall",
            round(1 - len(evaded) / len(evasive), 4),
            "ratio",
            "== 1.0",
            not evaded,
        ),
    ]
    for kind in dict.fromkeys(r["class"] for r in evasive):
        of_kind = [r for r in evasive if r["class"] == kind]
        missed = [r for r in of_kind if results[id(r)].ok]
        value = round(1 - len(missed) / len(of_kind), 4)
        figures.append(Figure(f"evasion_recall_{kind}", value, f"of {len(of_kind)}", None, None))
    figures += [
        Figure(
            "corpus_lawful_pass_rate",
            round(len(passed) / len(lawful), 4),
            "ratio",
            f">= {TARGET_PASS}",
            len(passed) / len(lawful) >= TARGET_PASS,
        ),
        Figure(
            "corpus_topic_agreement",
            round(len(agreeing) / max(1, len(caught)), 4),
            "ratio",
            None,
            None,
        ),
    ]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--misses", action="store_true", help="list the corpus sentences missed")
    args = parser.parse_args()
    figures: list[Figure] = []

    start = time.perf_counter()
    from fairscreen.scope.guard import load_lexicon, screen_text

    lexicon = load_lexicon()
    screen_text("warm up", lexicon)
    screen_text("預熱", lexicon)
    cold = time.perf_counter() - start
    figures.append(Figure("guard_cold_start", round(cold * 1000, 1), "ms", None, None))
    leaf = b"\x00" + bytes(200)
    sha_cpu, _ = rate(lambda: hashlib.sha256(leaf).digest(), 100_000)
    figures.append(Figure("calibration_sha256_leaf", round(sha_cpu), "hashes/s", None, None))

    for name, report in REPORTS.items():
        text = sized(report)
        result = screen_text(text, lexicon)
        if not result.ok:
            raise SystemExit(f"bench report {name} is refused: {result.topic} {result.matched!r}")
        cpu, wall = rate(partial(screen_text, text, lexicon), 4000)
        target = f">= {TARGET_RATE:,}"
        figures.append(
            Figure(
                f"screens_per_second_2kb_{name}",
                round(cpu),
                "screens/s",
                target,
                cpu >= TARGET_RATE,
            )
        )
        figures.append(
            Figure(f"wall_screens_per_second_2kb_{name}", round(wall), "screens/s", None, None)
        )
    figures.extend(corpus_figures(args.misses))

    show(figures)
    if args.json:
        args.json.write_text(json.dumps({"figures": [asdict(f) for f in figures]}, indent=2) + "\n")
    return 0 if all(f.met is not False for f in figures) else 1


def show(figures: list[Figure]) -> None:
    """Print the figures as a table, with rich when it is installed."""
    rows = [
        (
            f.name,
            f"{f.value:,.4g}" if f.value < 1000 else f"{f.value:,.0f}",
            f.unit,
            f.target or "",
            "" if f.met is None else ("yes" if f.met else "NO"),
        )
        for f in figures
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        return
    table = Table(title="free-text guard")
    for column in ("figure", "value", "unit", "target", "met"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    sys.exit(main())
