"""The regulator's pages: the organisations under its authority and their figures, no JS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairscreen.compliance import queries
from fairscreen.compliance.policy import parse_period
from fairscreen.web.deps import AppDep, optional_actor
from fairscreen.web.i18n import pick_lang
from fairscreen.web.rendering import render

router = APIRouter(include_in_schema=False)

# The page's own labels (kept here so the shared catalogue stays small).
LABELS: dict[str, dict[str, str]] = {
    "title": {"zh-Hans": "监管视图", "zh-Hant": "監管視圖", "en": "Regulator view"},
    "orgs": {"zh-Hans": "辖下机构", "zh-Hant": "轄下機構", "en": "Organisations under you"},
    "org": {"zh-Hans": "机构", "zh-Hant": "機構", "en": "Organisation"},
    "kind": {"zh-Hans": "类型", "zh-Hant": "類型", "en": "Kind"},
    "period": {"zh-Hans": "期间", "zh-Hant": "期間", "en": "Period"},
    "show": {"zh-Hans": "查看", "zh-Hant": "查看", "en": "Show"},
    "cases": {"zh-Hans": "案件数", "zh-Hant": "案件數", "en": "Cases"},
    "cases_by_state": {"zh-Hans": "案件状态", "zh-Hant": "案件狀態", "en": "Cases by state"},
    "ratings": {"zh-Hans": "报告评级", "zh-Hant": "報告評級", "en": "Reports by rating"},
    "rules_version": {"zh-Hans": "规则版本", "zh-Hant": "規則版本", "en": "Rules version"},
    "consent_gaps": {
        "zh-Hans": "无有效授权却有调查结果的案件（应为 0）",
        "zh-Hant": "無有效授權卻有調查結果的案件（應為 0）",
        "en": "Cases with findings but no valid consent (must be 0)",
    },
    "consents": {"zh-Hans": "授权", "zh-Hant": "授權", "en": "Consent"},
    "signed": {"zh-Hans": "已签署", "zh-Hant": "已簽署", "en": "Signed"},
    "refused": {"zh-Hans": "拒绝", "zh-Hant": "拒絕", "en": "Refused"},
    "withdrawn": {"zh-Hans": "撤回", "zh-Hant": "撤回", "en": "Withdrawn"},
    "refusals": {
        "zh-Hans": "被拒绝的采集尝试",
        "zh-Hant": "被拒絕的採集嘗試",
        "en": "Refused collection attempts",
    },
    "findings": {"zh-Hans": "调查结果", "zh-Hant": "調查結果", "en": "Findings"},
    "erasure": {"zh-Hans": "删除请求", "zh-Hant": "刪除請求", "en": "Erasure requests"},
    "retention": {"zh-Hans": "保存与销毁", "zh-Hant": "保存與銷毀", "en": "Retention"},
    "destructions_overdue": {
        "zh-Hans": "逾期未销毁（应为 0）",
        "zh-Hant": "逾期未銷毀（應為 0）",
        "en": "Destructions overdue (must be 0)",
    },
    "legal_holds_in_force": {
        "zh-Hans": "生效中的法律保全",
        "zh-Hant": "生效中的法律保全",
        "en": "Legal holds in force",
    },
    "decisions": {"zh-Hans": "录用决定", "zh-Hant": "錄用決定", "en": "Decisions"},
    "feedback": {"zh-Hans": "异议与投诉", "zh-Hant": "異議與投訴", "en": "Disputes and complaints"},
    "unavailable": {"zh-Hans": "暂无数据", "zh-Hant": "暫無資料", "en": "Not available yet"},
    "disputes": {"zh-Hans": "异议", "zh-Hant": "異議", "en": "Disputes"},
    "complaints": {"zh-Hans": "投诉", "zh-Hant": "投訴", "en": "Complaints"},
    "adverse_before_waiting_or_during_dispute": {
        "zh-Hans": "等待期内或异议未决时作出的不利决定（应为 0）",
        "zh-Hant": "等待期內或異議未決時作出的不利決定（應為 0）",
        "en": "Adverse decisions before the waiting period ended or during a dispute (must be 0)",
    },
    "requests": {"zh-Hans": "请求数", "zh-Hant": "請求數", "en": "Requests"},
    "done_on_time": {"zh-Hans": "按时完成", "zh-Hant": "按時完成", "en": "Done on time"},
    "done_late": {"zh-Hans": "逾期完成", "zh-Hant": "逾期完成", "en": "Done late"},
    "pending": {"zh-Hans": "处理中", "zh-Hant": "處理中", "en": "Pending"},
    "overdue": {"zh-Hans": "已逾期", "zh-Hant": "已逾期", "en": "Overdue"},
    "on_time_rate": {"zh-Hans": "按时率", "zh-Hant": "按時率", "en": "On-time rate"},
    "verified": {"zh-Hans": "已核实", "zh-Hant": "已核實", "en": "Verified"},
    "unverified": {"zh-Hans": "未核实", "zh-Hant": "未核實", "en": "Unverified"},
    "inconclusive": {"zh-Hans": "无定论", "zh-Hant": "無定論", "en": "Inconclusive"},
    "count": {"zh-Hans": "总数", "zh-Hant": "總數", "en": "Count"},
    "closed": {"zh-Hans": "已结案", "zh-Hant": "已結案", "en": "Closed"},
    "open": {"zh-Hans": "未结案", "zh-Hant": "未結案", "en": "Open"},
    "median_days_to_close": {
        "zh-Hans": "处理天数中位数",
        "zh-Hant": "處理天數中位數",
        "en": "Median days to close",
    },
    "outcomes": {"zh-Hans": "结果", "zh-Hant": "結果", "en": "Outcomes"},
    "satisfaction_average": {
        "zh-Hans": "平均满意度",
        "zh-Hant": "平均滿意度",
        "en": "Average satisfaction",
    },
    "satisfaction_count": {"zh-Hans": "评价数", "zh-Hant": "評價數", "en": "Ratings given"},
    "figure": {"zh-Hans": "项目", "zh-Hant": "項目", "en": "Figure"},
    "value": {"zh-Hans": "数值", "zh-Hant": "數值", "en": "Value"},
}

BAR_HEIGHT = 22
LABEL_WIDTH = 150
CHART_WIDTH = 480


@dataclass(frozen=True)
class Bar:
    """One bar of a server-drawn SVG chart, positioned in the template."""

    label: str
    value: int
    y: int
    width: int


def bars(counts: Mapping[str, int]) -> list[Bar]:
    """Lay out a horizontal bar chart: one row per label, widths scaled to the largest value."""
    top = max(counts.values(), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 60
    return [
        Bar(label, int(n), i * BAR_HEIGHT, round(span * int(n) / top))
        for i, (label, n) in enumerate(counts.items())
    ]


def _text(request: Request) -> Callable[[str], str]:
    lang = pick_lang(request)

    def label(key: str) -> str:
        entry = LABELS.get(key, {})
        return entry.get(lang) or entry.get("en") or key

    return label


def _period_args(request: Request) -> tuple[str | None, str | None]:
    return request.query_params.get("from") or None, request.query_params.get("to") or None


@router.get("/regulator", response_class=HTMLResponse)
def regulator_home(request: Request, app: AppDep) -> Response:
    """List the organisations under the signed-in regulator."""
    actor = optional_actor(request, app)
    if actor is None or actor.kind != "staff":
        return RedirectResponse("/login", status_code=303)
    period = parse_period(*_period_args(request), app.clock.now())
    listing = queries.regulated_orgs(app, actor=actor, period=period)
    return render(
        request, "regulator.html", actor=actor, rt=_text(request), listing=listing, figures=None
    )


@router.get("/regulator/organizations/{org_id}", response_class=HTMLResponse)
def regulator_org(org_id: str, request: Request, app: AppDep) -> Response:
    """Show one organisation's figures with bar charts."""
    actor = optional_actor(request, app)
    if actor is None or actor.kind != "staff":
        return RedirectResponse("/login", status_code=303)
    period = parse_period(*_period_args(request), app.clock.now())
    figures = queries.org_compliance(app, actor=actor, org_id=org_id, period=period)
    return render(
        request,
        "regulator.html",
        actor=actor,
        rt=_text(request),
        listing=None,
        figures=figures,
        state_bars=bars(figures["cases"]["by_state"]),
        rating_bars=bars(figures["reports"]["by_rating"]),
        bar_height=BAR_HEIGHT,
        label_width=LABEL_WIDTH,
        chart_width=CHART_WIDTH,
    )
