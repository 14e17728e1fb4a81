"""Generate src/fairscreen/shared/calendars/cn.json from the chinese_calendar package.

Run once (and again only to refresh the shipped data):

    .venv/bin/python scripts/gen_cn_calendar.py

The package itself never imports chinese_calendar: the official arrangement is shipped
as data so that an admin can add the next year when the State Council publishes it.
Each year holds the arrangement of that year's notice: every rest day of a holiday period
(weekend days inside the period included) and every make-up working day (调休) on a
weekend. A notice can reach into the last week of the previous December (the 2019 notice
made Monday 2018-12-31 a holiday), so those dates belong to the next year's arrangement
(see fairscreen.shared.workdays.arrangement_year).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from chinese_calendar import constants

from fairscreen.shared.workdays import arrangement_year

FIRST_YEAR, LAST_YEAR = 2004, 2026
OUT = Path(__file__).resolve().parents[1] / "src/fairscreen/shared/calendars/cn.json"

# Codes are stable identifiers an admin uses when adding a year; names are for people.
NAMES: dict[str, tuple[str, dict[str, str]]] = {
    "New Year's Day": ("new_years_day", {"zh-Hant": "元旦"}),
    "Spring Festival": ("spring_festival", {"zh-Hant": "春節"}),
    "Tomb-sweeping Day": ("tomb_sweeping_day", {"zh-Hant": "清明節"}),
    "Labour Day": ("labour_day", {"zh-Hant": "勞動節"}),
    "Dragon Boat Festival": ("dragon_boat_festival", {"zh-Hant": "端午節"}),
    "Mid-autumn Festival": ("mid_autumn_festival", {"zh-Hant": "中秋節"}),
    "National Day": ("national_day", {"zh-Hant": "國慶節"}),
    "Anti-Fascist 70th Day": (
        "anti_fascist_war_victory_70th",
        {"zh-Hant": "中國人民抗日戰爭暨世界反法西斯戰爭勝利70周年紀念日"},
    ),
}
ZH_HANS_OVERRIDES = {
    "tomb_sweeping_day": "清明节",
    "dragon_boat_festival": "端午节",
    "mid_autumn_festival": "中秋节",
}


def build() -> dict[str, object]:
    """Build the calendar document from chinese_calendar's constants."""
    holiday_names: dict[str, dict[str, str]] = {}
    for member in constants.Holiday:
        code, extra = NAMES[member.value]
        zh_hans = ZH_HANS_OVERRIDES.get(code, member.chinese)
        holiday_names[code] = {"zh-Hans": zh_hans, "zh-Hant": extra["zh-Hant"], "en": member.value}
    by_english = {member.value: NAMES[member.value][0] for member in constants.Holiday}

    years: dict[int, dict[str, dict[str, str]]] = defaultdict(
        lambda: {"holidays": {}, "workdays": {}}
    )
    for kind, table in (("holidays", constants.holidays), ("workdays", constants.workdays)):
        for d, english in sorted(table.items()):
            if arrangement_year(d) != d.year and english != "New Year's Day":
                raise SystemExit(f"unexpected December entry {d} {english}")
            if kind == "workdays" and d.weekday() < 5:
                raise SystemExit(f"make-up working day {d} is not on a weekend")
            year = arrangement_year(d)
            if FIRST_YEAR <= year <= LAST_YEAR:
                years[year][kind][d.isoformat()] = by_english[english]

    missing = [y for y in range(FIRST_YEAR, LAST_YEAR + 1) if not years[y]["holidays"]]
    if missing:
        raise SystemExit(f"no holidays for {missing}")
    return {
        "schema": "fairscreen.workdays/1",
        "code": "cn",
        "name": {
            "zh-Hans": "中国大陆法定节假日与调休安排",
            "zh-Hant": "中國大陸法定節假日與調休安排",
            "en": "Mainland China public holidays and make-up working days",
        },
        "timezone": "Asia/Shanghai",
        "weekend": [6, 7],
        "source": "General Office of the State Council, annual notices on holiday arrangements "
        f"{FIRST_YEAR}-{LAST_YEAR}, as collected by the chinese_calendar package 1.11",
        "holiday_names": holiday_names,
        "years": {str(y): years[y] for y in sorted(years)},
    }


def render(doc: dict[str, object]) -> str:
    """Render the document with one date per line so that a year's diff reads easily."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    """Write cn.json, or with --check fail when the shipped file differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    text = render(build())
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{OUT} differs from chinese_calendar")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
