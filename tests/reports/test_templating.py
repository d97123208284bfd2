"""The shared Jinja environment (wecomply.templating), exercised with real template files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from wecomply import templating
from wecomply.errors import UserFacingError
from wecomply.reports.model import ScopeKind
from tests.reports.samples import sample_report

REPORT_TEMPLATES = ("reports/monthly.html.j2", "reports/summary.md.j2")


@pytest.fixture
def template_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private templates folder with one duty, `demo`, whose files each test writes."""
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "messages.yaml").write_text(
        'hello: {zh: "你好，{name}", en: "Hello, {name}"}\n', encoding="utf-8"
    )
    monkeypatch.setenv(templating.TEMPLATES_DIR_ENV, str(tmp_path))
    return tmp_path


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


def test_missing_variable_raises(template_root: Path) -> None:
    write(template_root, "demo/wecom.text.j2", "{{ person.name }} {{ deadline }}")
    with pytest.raises(UndefinedError, match="deadline"):
        templating.render("demo/wecom.text.j2", person={"name": "张三"})


def test_only_html_templates_are_autoescaped(template_root: Path) -> None:
    write(template_root, "demo/page.html.j2", "<p>{{ name }}</p>")
    write(template_root, "demo/wecom.md.j2", "**{{ name }}**")
    name = "<script>alert('x')</script> & Co"
    assert templating.render("demo/page.html.j2", name=name) == (
        "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co</p>"
    )
    assert templating.render("demo/wecom.md.j2", name=name) == f"**{name}**"


def test_t_reads_the_duty_catalogue_in_the_requested_locale(template_root: Path) -> None:
    write(template_root, "demo/wecom.text.j2", '{{ t("hello", name=who) }}')
    assert templating.render("demo/wecom.text.j2", who="李雷") == "你好，李雷"
    assert templating.render("demo/wecom.text.j2", locale="en", who="Li Lei") == "Hello, Li Lei"


def test_t_can_read_another_duty_catalogue(template_root: Path) -> None:
    (template_root / "other").mkdir()
    write(template_root, "other/wecom.text.j2", '{{ t("demo:hello", name="A") }}')
    assert templating.render("other/wecom.text.j2") == "你好，A"


def test_unknown_key_and_locale_name_the_fix(template_root: Path) -> None:
    write(template_root, "demo/wecom.text.j2", '{{ t("goodbye") }}')
    with pytest.raises(UserFacingError, match=r"demo/messages.yaml: no message 'goodbye'"):
        templating.render("demo/wecom.text.j2")
    with pytest.raises(UserFacingError, match="locale 'fr'"):
        templating.render("demo/wecom.text.j2", locale="fr")


def test_catalogue_entry_without_both_locales_is_refused(template_root: Path) -> None:
    (template_root / "bad").mkdir()
    write(template_root, "bad/messages.yaml", "title: {zh: 标题}\n")
    write(template_root, "bad/wecom.text.j2", '{{ t("title") }}')
    with pytest.raises(UserFacingError, match=r"bad/messages.yaml: key 'title' must map exactly"):
        templating.render("bad/wecom.text.j2")


@pytest.mark.parametrize(
    ("value", "text"), [(12, "12"), (12.0, "12"), (83.33, "83.3"), (0.05, "0.1"), (None, "—"), (7.25, "7.2")]
)
def test_format_number(value: float | None, text: str) -> None:
    assert templating.format_number(value) == text


def test_md_text_neutralises_markdown_and_font_tags() -> None:
    assert templating.md_text('<font color="info">**王**</font>\n[x](y)') == '＜font color="info"＞＊＊王＊＊＜/font＞ ［x］(y)'


def test_importing_does_no_io() -> None:
    # Building the environment reads the templates folder; that must wait until a task
    # renders something, so a DAG file importing this module stays cheap at parse time.
    code = (
        "import wecomply.templating as t, wecomply.reports.render as r; "
        "assert t._environment.cache_info().currsize == 0; "
        "assert t._catalogue.cache_info().currsize == 0"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("template", REPORT_TEMPLATES)
def test_report_templates_fail_on_a_missing_variable(template: str) -> None:
    with pytest.raises(UndefinedError, match="fmt"):
        templating.render(template, report=sample_report(), charts=None, name_limit=None)


def test_every_message_key_used_by_the_report_templates_exists_in_both_locales() -> None:
    root = templating.templates_dir()
    used = {key for key, _ in sample_report().headline()}
    used |= {f"scope.{kind.value}" for kind in ScopeKind}
    used |= {f"list.{form}.{counting}" for form in ("and_more", "total_only") for counting in ("people", "items")}
    for name in REPORT_TEMPLATES:
        used |= set(re.findall(r'\bt\("([\w.]+\w)"', (root / name).read_text(encoding="utf-8")))
    assert len(used) > 60
    for locale in templating.LOCALES:
        for key in sorted(used):
            assert templating.message("reports", key, locale), key
