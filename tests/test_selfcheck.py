"""Self-check questions (hooks/selfcheck.py, overrides/assets/quiz/), in Chromium, both languages.

On the quiz pages each of the 7 questions takes an answer and says right or wrong; a wrong answer
gets the reason that option is wrong (the answer box's own words); the answer box then opens. The
same works by keyboard alone (Tab, arrow keys, Space, Enter) and from the offline zip (file://).
Without JavaScript the options read as a list and the answers stay collapsed. (With every feedback
shown, axe and the widths are checked in tests/test_accessibility.py's sweep, in both schemes.)
The chapters' self-checks (sgd-mistakes, api-glossary) answer the same way. Only pages with a
self-check load its script, deferred; the build fails on a wrong option without a reason.
"""

from __future__ import annotations

import re
import zipfile
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from mkdocs.exceptions import PluginError
from mkdocs.utils import yaml_load

from helpers import LANGS, LANGUAGES, PREFIX, built_pages, import_tool

selfcheck = import_tool("selfcheck", "hooks")
offline = import_tool("offline", "hooks")

# (page, heading id, answer, a wrong answer, words of that wrong answer's reason per language)
QUESTIONS = [
    ("quiz", "q1", "C", "D", {"zh": "只有一个数（1×1）", "en": "single number (1×1)"}),
    ("quiz", "q2", "B", "A", {"zh": "两边形状一致", "en": "both sides have the same shape"}),
    ("quiz", "q3", "0.112", "0.224", {"zh": "漏掉 ½ 会得到 0.224", "en": "Without the ½ you get 0.224"}),
    ("quiz-softmax", "q4", "C", "A", {"zh": "A 把间隔从 1 缩成 0.1", "en": "A shrinks the gaps from 1 to 0.1"}),
    ("quiz-softmax", "q5", "C", "A", {"zh": "过拟合的表现正好相反", "en": "overfitting shows the opposite"}),
    ("quiz-mlp", "q6", "B", "C", {"zh": "死亡 ReLU", "en": "dead ReLU"}),
    ("quiz-mlp", "q7", "65,546,000", "65547010", {"zh": "再加上 1000 + 10 个偏置", "en": "with the 1000 + 10 biases"}),
]
QUIZ_PAGES = sorted({q[0] for q in QUESTIONS})
CHAPTERS = ["sgd-mistakes", "api-glossary"]
VERDICT = {"zh": ("答对了", "不对"), "en": ("Right", "Not quite")}

# The form after a heading, its answer box, and what the reader sees of them.
STATE = """qid => {
    const heading = document.getElementById(qid);
    const form = [...document.querySelectorAll('form.selfcheck')]
        .find(f => heading.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING);
    const box = document.getElementById(form.dataset.box);
    const feedback = form.querySelector('.selfcheck__feedback');
    return {feedback: feedback.innerText.replace(/\\s+/g, ' '), open: box.open,
            right: !!feedback.querySelector('.selfcheck__verdict--right'),
            wrong: !!feedback.querySelector('.selfcheck__verdict--wrong')};
}"""


def space(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def form_of(page, qid):
    return page.locator(f"xpath=//*[@id='{qid}']/following::form[contains(@class, 'selfcheck')][1]")


def answer(page, qid, value):
    form = form_of(page, qid)
    if form.get_attribute("data-kind") == "number":
        form.locator("input[type=text]").fill(value)
    else:
        form.locator(f"input[value='{value}']").check()
    form.locator("button[type=submit]").click()
    return page.evaluate(STATE, qid)


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.errors = errors
    yield page
    context.close()


def open_page(page, url):
    page.errors.clear()
    page.goto(url, wait_until="load")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("question", QUESTIONS, ids=[q[1] for q in QUESTIONS])
def test_right_and_wrong_answers(tab, server, lang, question):
    name, qid, right, wrong, reason = question
    open_page(tab, f"{server}{PREFIX[lang]}{name}/")
    assert not tab.evaluate(STATE, qid)["open"], f"{lang} {name} #{qid}: the answer box is open before any answer"

    state = answer(tab, qid, wrong)
    assert state["wrong"] and not state["right"], f"{lang} #{qid}: {wrong!r} not called wrong: {state}"
    assert VERDICT[lang][1] in state["feedback"], state
    assert space(reason[lang]) in state["feedback"], f"{lang} #{qid}: the reason is missing from {state['feedback']!r}"
    assert state["open"], f"{lang} #{qid}: the answer box stays closed after a wrong answer"

    state = answer(tab, qid, right)
    assert state["right"] and not state["wrong"], f"{lang} #{qid}: {right!r} not called right: {state}"
    assert VERDICT[lang][0] in state["feedback"] and space(reason[lang]) not in state["feedback"], state
    assert state["open"]
    assert not tab.errors, tab.errors


def keyboard_answer(page, qid, value):
    """Reach the question from its heading with Tab, choose with Space and the arrow keys (or type),
    submit with Enter. Returns the feedback state."""
    page.evaluate("qid => document.querySelector('#' + qid + ' a.headerlink').focus()", qid)
    form = form_of(page, qid)
    number = form.get_attribute("data-kind") == "number"
    for _ in range(15):
        page.keyboard.press("Tab")
        if form.evaluate("f => f.contains(document.activeElement) && document.activeElement.tagName === 'INPUT'"):
            break
    else:
        pytest.fail(f"#{qid}: Tab never reaches the question's first control")
    if number:
        page.keyboard.type(value)
        page.keyboard.press("Enter")  # submits the form from the text box
        return page.evaluate(STATE, qid)
    page.keyboard.press("Space")  # checks the first option
    for _ in range(6):
        if form.evaluate("f => (f.querySelector('input:checked') || {}).value") == value:
            break
        page.keyboard.press("ArrowDown")
    assert form.evaluate("f => document.activeElement.value") == value
    page.keyboard.press("Tab")
    assert form.evaluate("f => document.activeElement === f.querySelector('button')"), "Tab from the options skips the button"
    page.keyboard.press("Enter")
    return page.evaluate(STATE, qid)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", QUIZ_PAGES)
def test_keyboard_only(tab, server, lang, name):
    for _, qid, right, wrong, reason in [q for q in QUESTIONS if q[0] == name]:
        open_page(tab, f"{server}{PREFIX[lang]}{name}/")
        state = keyboard_answer(tab, qid, wrong)
        assert state["wrong"] and space(reason[lang]) in state["feedback"] and state["open"], f"{lang} #{qid}: {state}"
        state = keyboard_answer(tab, qid, right)
        assert state["right"] and state["open"], f"{lang} #{qid}: {state}"
        # after the feedback, Tab leaves the form (the text box, then the button) for the answer box
        for _ in range(3):
            tab.keyboard.press("Tab")
            if not form_of(tab, qid).evaluate("f => f.contains(document.activeElement)"):
                break
        assert tab.evaluate("qid => document.activeElement.closest('details') !== null"
                            " || document.activeElement.tagName === 'SUMMARY'", qid), f"{lang} #{qid}: Tab skips the answer box"
    assert not tab.errors, tab.errors


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_self_checks(tab, server, lang, name):
    open_page(tab, f"{server}{PREFIX[lang]}{name}/")
    ids = tab.evaluate("""() => [...document.querySelectorAll('form.selfcheck')].map(f => {
        let h = f; while (h && !/^H[23]$/.test(h.tagName)) h = h.previousElementSibling; return h && h.id; })""")
    assert 2 <= len(ids) <= 4, f"{lang} {name}: {len(ids)} self-check questions"
    for qid in ids:
        form = form_of(tab, qid)
        right = form.get_attribute("data-answer")
        for value in form.locator("input[type=radio]").evaluate_all("rs => rs.map(r => r.value)"):
            state = answer(tab, qid, value)
            verdict = "right" if value == right else "wrong"
            assert state[verdict] and state["open"], f"{lang} {name} #{qid} {value}: {state}"
            if value != right:
                reason = space(form.evaluate("f => f.querySelector('.selfcheck__reason')?.innerText || ''"))
                assert len(reason) > 10, f"{lang} {name} #{qid} {value}: no reason shown"
        # the explanation links to its proof on this page
        box_links = tab.evaluate("""qid => {
            const f = [...document.querySelectorAll('form.selfcheck')].find(f =>
                document.getElementById(qid).compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING);
            return [...document.getElementById(f.dataset.box).querySelectorAll('a[href^="#"]')]
                .map(a => a.hash.slice(1)).filter(id => document.getElementById(id)); }""", qid)
        assert box_links, f"{lang} {name} #{qid}: the explanation links to no proof on the page"
    assert not tab.errors, tab.errors


def test_only_self_check_pages_load_the_script(built_site):
    with_quiz, without = [], []
    for page in built_pages(built_site):
        text = page.read_text("utf-8")
        (with_quiz if 'class="selfcheck"' in text else without).append(page)
        if "selfcheck.js" in text:
            assert 'class="selfcheck"' in text, f"{page}: loads selfcheck.js without a self-check"
            assert re.search(r'<script src="[^"]*assets/quiz/selfcheck\.js" defer></script>', text), page
    names = {p.relative_to(built_site).parent.name for p in with_quiz}
    assert set(QUIZ_PAGES + CHAPTERS) <= names, names
    assert without, "every page has a self-check?"
    script = (built_site / "assets" / "quiz" / "selfcheck.js").read_text("utf-8")
    assert len(script.encode()) < 4000, "the self-check script should stay tiny"


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_answers_stay_collapsed(browser, server, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        for name in QUIZ_PAGES + CHAPTERS:
            page.goto(f"{server}{PREFIX[lang]}{name}/", wait_until="load")
            forms = page.locator("form.selfcheck")
            assert forms.count(), f"{lang} {name}: no self-check"
            for i in range(forms.count()):
                form = forms.nth(i)
                box = page.locator(f"#{form.get_attribute('data-box')}")
                assert box.evaluate("d => !d.open"), f"{lang} {name}: an answer box is open without JavaScript"
                assert not box.locator("pre, p").first.is_visible(), f"{lang} {name}: answer visible"
                assert not form.locator("button").is_visible(), f"{lang} {name}: a submit button that does nothing"
                assert not form.locator("input").first.is_visible(), f"{lang} {name}: an input that does nothing"
                options = form.locator("li")
                if options.count():
                    assert options.first.is_visible() and re.match(r"\s*A\. ", options.first.inner_text())
    finally:
        context.close()


def test_offline_copy_from_file(browser, built_site, tmp_path):
    with zipfile.ZipFile(built_site / offline.DOWNLOAD) as archive:
        archive.extractall(tmp_path)
    root = tmp_path / offline.ZIP_FOLDER
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    try:
        page = context.new_page()
        problems = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https") and problems.append(r.url))
        for lang in LANGS:
            page.goto((root / PREFIX[lang] / "quiz.html").as_uri(), wait_until="load")
            name, qid, right, wrong, reason = QUESTIONS[1]
            state = answer(page, qid, wrong)
            assert state["wrong"] and space(reason[lang]) in state["feedback"] and state["open"], (lang, state)
            state = keyboard_answer(page, qid, right)
            assert state["right"], (lang, state)
        assert not problems, problems
    finally:
        context.close()


# --- The hook fails loudly on a question it cannot make right ------------------------------------------

PAGE = """<html><head></head><body><h3 id="q9">Question 9<a class="headerlink" href="#q9">#</a></h3>
<div class="selfcheck" data-answer="{answer}">
<ul>
<li>A. one</li>
<li>B. two</li>
</ul>
</div>
<details class="success"><summary>Answer</summary><p>{why}</p></details></body></html>"""


def run_hook(answer="B", why='<span data-why="A">A is wrong because</span>', words=None):
    page = SimpleNamespace(url="quiz/", file=SimpleNamespace(src_uri="quiz.md"))
    config = SimpleNamespace(config_file_path="mkdocs.en.yml", extra={"selfcheck": words or ENGLISH})
    return selfcheck.on_post_page(PAGE.format(answer=answer, why=why), page, config)


def words_of(lang):
    with open(lang.config, encoding="utf-8") as f:  # its INHERIT resolved
        return yaml_load(f)["extra"]["selfcheck"]


ENGLISH = words_of(next(lang for lang in LANGUAGES if lang.lang == "en"))


def test_every_language_has_the_words_of_the_form():
    for lang in LANGUAGES:
        assert words_of(lang).keys() == set(selfcheck.WORDS), lang.config
    with pytest.raises(PluginError, match="extra.selfcheck needs empty_number"):
        run_hook(words={k: v for k, v in ENGLISH.items() if k != "empty_number"})


def test_hook_writes_a_form_named_by_its_heading():
    out = run_hook()
    assert '<legend class="selfcheck__legend">Question 9</legend>' in out
    assert out.count('type="radio"') == 2 and '<details id="selfcheck-1-answer" class="success">' in out
    assert 'role="status"' in out and 'data-empty-number="Type a number first, then check."' in out


@pytest.mark.parametrize("answer, why, message", [
    ("B", "no reason here", "no reason marked"),
    ("E", '<span data-why="A B">x</span>', "is not one of the options"),
    ("B", '<span data-why="A C">x</span>', "names no option"),
])
def test_hook_rejects_a_question_it_cannot_check(answer, why, message):
    with pytest.raises(PluginError, match=message):
        run_hook(answer, why)
