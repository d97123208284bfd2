"""The one Jinja2 environment every duty renders its user-facing text with.

Templates live in `<repo>/include/templates/` and are named `<duty>/<channel>.<format>.j2`
(for example `reports/monthly.html.j2`, `onboarding/wecom.md.j2`). Only `.html.j2` is
autoescaped: WeCom text and markdown are not HTML, and escaping `&` there would show
`&amp;` to employees. Markdown output should pass user-supplied text through `md_text`.

Wording comes from a small per-duty message catalogue, `<duty>/messages.yaml`, where every
key holds a Chinese (`zh`) and an English (`en`) text. A template calls `t("key")` and
gets the text for the `locale` it was rendered with (Chinese by default); `t("duty:key")`
reads another duty's catalogue, and `t("key", n=3)` fills `{n}` placeholders.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from wecomply.errors import UserFacingError

LOCALES: Final = ("zh", "en")
DEFAULT_LOCALE: Final = "zh"
CATALOGUE_FILE: Final = "messages.yaml"

# Who may override where templates come from: a deployment that customises wording
# points this at its own copy of include/templates.
TEMPLATES_DIR_ENV: Final = "WECOMPLY_TEMPLATES_DIR"

# Markdown-significant characters in WeCom's subset, replaced by their full-width forms so a
# name such as `<font color="warning">` or `**x**` is shown literally instead of styling text.
_MARKDOWN_LOOKALIKES: Final = str.maketrans(
    {"<": "＜", ">": "＞", "*": "＊", "[": "［", "]": "］", "`": "｀", "#": "＃", "\n": " ", "\r": " "}
)


def templates_dir() -> Path:
    override = os.environ.get(TEMPLATES_DIR_ENV)
    if override:
        return Path(override)
    return _shipped_templates_dir()


@lru_cache(maxsize=1)
def _shipped_templates_dir() -> Path:
    # Resolving costs a dozen syscalls, and every t() call asks: once per process is enough
    # (a 100k-person run renders ~1.5M texts).
    return Path(__file__).resolve().parents[2] / "include" / "templates"


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise UserFacingError(
            f"locale {locale!r} is not supported: use one of {', '.join(LOCALES)} "
            f"(zh is the default)"
        )
    return locale


@lru_cache(maxsize=None)
def _catalogue(root: Path, duty: str) -> Mapping[str, Mapping[str, str]]:
    path = root / duty / CATALOGUE_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserFacingError(
            f"{path}: message catalogue missing; create it with one `key: {{zh: ..., en: ...}}` "
            f"entry per text the {duty} templates use"
        ) from None
    except yaml.YAMLError as exc:
        raise UserFacingError(f"{path}: not valid YAML ({exc}); fix the syntax") from None
    if not isinstance(raw, dict):
        raise UserFacingError(f"{path}: expected a mapping of message keys at the top level")
    entries: dict[str, dict[str, str]] = {}
    for key, texts in raw.items():
        if not isinstance(texts, dict) or set(texts) != set(LOCALES):
            raise UserFacingError(
                f"{path}: key {key!r} must map exactly the locales {', '.join(LOCALES)} to texts"
            )
        for locale, text in texts.items():
            if not isinstance(text, str) or not text.strip():
                raise UserFacingError(f"{path}: {key}.{locale} must be a non-empty string")
        entries[str(key)] = {str(k): v for k, v in texts.items()}
    return entries


def message(duty: str, key: str, locale: str = DEFAULT_LOCALE, **values: Any) -> str:
    """The catalogue text for `key` of `duty` in `locale`, with `{name}` placeholders filled."""
    root = templates_dir()
    entries = _catalogue(root, duty)
    if key not in entries:
        raise UserFacingError(
            f"{root / duty / CATALOGUE_FILE}: no message {key!r}; add it with zh and en texts"
        )
    text = entries[key][check_locale(locale)]
    return text.format(**values) if values else text


@pass_context
def _translate(context: Context, key: str, **values: Any) -> str:
    duty, sep, bare = key.partition(":")
    if not sep:
        duty, bare = (context.name or "").split("/", 1)[0], key
    return message(duty, bare, context.get("locale", DEFAULT_LOCALE), **values)


def format_number(value: float | int | None, decimals: int = 1) -> str:
    """Whole numbers without a decimal point, others rounded to `decimals`; None as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    rounded = round(float(value), decimals)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{decimals}f}".rstrip("0").rstrip(".")


def md_text(value: object) -> str:
    """Plain text safe to place inside WeCom markdown."""
    return str(value).translate(_MARKDOWN_LOOKALIKES)


def clip(value: object, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when shortened."""
    text = str(value)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def _autoescape(template_name: str | None) -> bool:
    return template_name is not None and template_name.endswith(".html.j2")


@lru_cache(maxsize=None)
def _environment(root: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(root), encoding="utf-8"),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["t"] = _translate
    env.filters["num"] = format_number
    env.filters["md_text"] = md_text
    env.filters["clip"] = clip
    return env


def environment() -> Environment:
    """The shared environment (built on first use, so importing this module does no I/O)."""
    return _environment(templates_dir())


def render(template_name: str, *, locale: str = DEFAULT_LOCALE, **context: Any) -> str:
    """Render `<duty>/<channel>.<format>.j2` in `locale`; any undefined variable raises."""
    return environment().get_template(template_name).render(locale=check_locale(locale), **context)
