"""Language choice: a `lang` cookie, else the browser's Accept-Language, else zh-Hans."""

from __future__ import annotations

from fastapi import Request

LANGS = ("zh-Hans", "zh-Hant", "en")
HTML_LANG = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "en": "en"}


def pick_lang(request: Request) -> str:
    """Return the language for this request."""
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    if chosen in LANGS:
        return chosen
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((q, tag.strip().lower()))
    for _q, tag in sorted(ranked, key=lambda r: -r[0]):
        if tag.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")):
            return "zh-Hant"
        if tag.startswith("zh"):
            return "zh-Hans"
        if tag.startswith("en"):
            return "en"
    return "zh-Hans"


# The foundation's small catalogue; the full UI moves these into Babel catalogues.
TEXT: dict[str, dict[str, str]] = {
    "tagline": {
        "zh-Hans": "合法的入职背景调查：授权、范围、多源核实、结果反馈、加密存档、到期销毁。",
        "zh-Hant": "合法的入職背景調查：授權、範圍、多源核實、結果反饋、加密存檔、到期銷毀。",
        "en": "Lawful pre-employment background checks: consent, scope, verification, "
        "feedback, encrypted archive, destruction on expiry.",
    },
    "sign_in": {"zh-Hans": "员工登录", "zh-Hant": "員工登入", "en": "Staff sign-in"},
    "email": {"zh-Hans": "电子邮箱", "zh-Hant": "電子郵件", "en": "E-mail"},
    "password": {"zh-Hans": "密码", "zh-Hant": "密碼", "en": "Password"},
    "submit_sign_in": {"zh-Hans": "登录", "zh-Hant": "登入", "en": "Sign in"},
    "sign_out": {"zh-Hans": "退出", "zh-Hant": "登出", "en": "Sign out"},
    "rating_rules": {
        "zh-Hans": "公开评级规则",
        "zh-Hant": "公開評級規則",
        "en": "Published rating rules",
    },
    "not_found": {"zh-Hans": "找不到此页面", "zh-Hant": "找不到此頁面", "en": "Page not found"},
    "not_found_text": {
        "zh-Hans": "您要找的页面不存在，或您无权查看。",
        "zh-Hant": "您要找的頁面不存在，或您無權查看。",
        "en": "The page does not exist, or it is not yours to see.",
    },
    "error": {"zh-Hans": "出错了", "zh-Hant": "出錯了", "en": "Something went wrong"},
    "home": {"zh-Hans": "返回首页", "zh-Hant": "返回首頁", "en": "Back to the home page"},
    "bad_login": {
        "zh-Hans": "邮箱或密码不正确。",
        "zh-Hant": "電子郵件或密碼不正確。",
        "en": "The e-mail or password is not right.",
    },
    "welcome": {"zh-Hans": "欢迎", "zh-Hant": "歡迎", "en": "Welcome"},
    "your_cases": {"zh-Hans": "案件", "zh-Hant": "案件", "en": "Cases"},
    "consent_title": {
        "zh-Hans": "背景调查授权",
        "zh-Hant": "背景調查授權",
        "en": "Background check authorisation",
    },
    "procedures": {
        "zh-Hans": "签署授权|确定范围|多源核实|结果反馈|加密存档|到期销毁",
        "zh-Hant": "簽署授權|確定範圍|多源核實|結果反饋|加密存檔|到期銷毀",
        "en": "Signed authorisation|Scope determination|Multi-source verification|"
        "Result feedback|Encrypted archiving|Destruction on expiry",
    },
}


def t(key: str, lang: str) -> str:
    """Return a UI text in a language."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]
