"""Keep the gettext catalogues in step with the code: `make messages` (extract, update, compile).

    python scripts/messages.py            # all three steps
    python scripts/messages.py --check    # only report; exit 1 if a text lacks a translation

1. extract: every text marked in Python (`_(...)`, `gettext(...)`, the `N_(...)` marker of
   fairscreen.shared.catalogues), in the page templates (`_(...)`) and in the mail templates
   (`{% trans %}`), as `babel.cfg` maps them, into var/messages.pot;
2. update: a text in no catalogue of a language is added to that language's `mail.po` (when
   only mail templates use it) or `messages.po`, with an empty translation to write; the
   area files (`staff.po`, `admin.po`, ...) are left as they are;
3. compile: each `.po` is checked by Babel (placeholders kept, syntax) and compiled to
   var/mo/ to prove it compiles. The app itself reads the `.po` files at start
   (fairscreen.shared.catalogues), so nothing compiled is shipped or needed.

Texts that no code uses any more are listed, not deleted: some ids are looked up from data
(the refusal codes' messages in web/forms.py) rather than marked where they are written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
LOCALES = SRC / "fairscreen" / "web" / "locales"
OUT = ROOT / "var"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
LANG_DIRS = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "en": "en"}
LOCALE = {"zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW", "en": "en_GB"}
MAIL_TEMPLATES = "src/fairscreen/mail/templates/"


def extracted() -> dict[str, list[str]]:
    """Return every marked text of the code and templates -> the files that use it."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    found: dict[str, list[str]] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        text = message if isinstance(message, str) else message[0]
        if text:
            found.setdefault(text, []).append(filename)
    return found


def po_files(lang: str) -> Iterator[Path]:
    yield from sorted((LOCALES / LANG_DIRS[lang] / "LC_MESSAGES").glob("*.po"))


def read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=LOCALE[lang])


def write(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as fp:
        write_po(fp, catalog, width=96, no_location=True, omit_header=False)


def update(found: dict[str, list[str]], *, check: bool) -> int:
    """Add missing texts to the catalogues (or only count them); return how many lack one."""
    lacking = 0
    for lang in LANG_DIRS:
        known: dict[str, str] = {}
        for path in po_files(lang):
            for message in read(path, lang):
                if message.id and isinstance(message.id, str):
                    known[message.id] = message.string if isinstance(message.string, str) else ""
        missing = sorted(set(found) - set(known))
        untranslated = sorted(m for m, s in known.items() if not s and lang != "en")
        unused = sorted(set(known) - set(found))
        for text in missing + untranslated:
            print(f"{lang}: no translation: {text[:90]!r}")
        print(f"{lang}: {len(found)} texts used, {len(missing)} new, {len(unused)} not marked")
        lacking += len(missing) + len(untranslated)
        if check or not missing:
            continue
        for name, wanted in (
            ("mail.po", [m for m in missing if all(MAIL_TEMPLATES in f for f in found[m])]),
            ("messages.po", [m for m in missing if any(MAIL_TEMPLATES not in f for f in found[m])]),
        ):
            if not wanted:
                continue
            path = LOCALES / LANG_DIRS[lang] / "LC_MESSAGES" / name
            catalog = read(path, lang) if path.exists() else Catalog(locale=LOCALE[lang])
            for text in wanted:
                catalog.add(text, "", flags=("python-format",) if "%(" in text else ())
            write(path, catalog)
    return lacking


def compile_all(out: Path = OUT / "mo") -> int:
    """Check and compile every catalogue to `out` (var/mo/); return the number of errors."""
    errors = 0
    for lang in LANG_DIRS:
        for path in po_files(lang):
            catalog = read(path, lang)
            for message, problems in catalog.check():
                for problem in problems:
                    errors += 1
                    print(f"{path.relative_to(ROOT)}: {message.id!r}: {problem}")
            target = out / LANG_DIRS[lang] / path.with_suffix(".mo").name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as fp:
                write_mo(fp, catalog)
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only; change nothing")
    args = parser.parse_args()
    found = extracted()
    if not args.check:
        OUT.mkdir(exist_ok=True)
        template = Catalog(project="fairscreen")
        for text, where in sorted(found.items()):
            template.add(text, locations=[(f, 0) for f in sorted(set(where))])
        with (OUT / "messages.pot").open("wb") as fp:
            write_po(fp, template, width=96, include_lineno=False)
    lacking = update(found, check=args.check)
    errors = compile_all()
    return 1 if (lacking or errors) else 0


if __name__ == "__main__":
    sys.exit(main())
