"""Four changes to Material's markup that no setting makes. The last three fail the build, naming
Material's version, when an upgrade changes the markup they expect.

* Code loses Pygments' spans around plain names and whitespace (classes n and w): Material draws a
  name in the code's own colour (tests/test_theme_reliance.py checks it) and does not style w, so
  they only add elements for a phone to lay out (700 of the glossary's 3,800). hooks/api_links.py
  has already linked the API names among them.
* Each table in a <div> of its own. Material wraps every `table:not([class])` on load, and an
  insertion restyles all the article's children (its rule `table:not([class]) + *`): 5,132
  elements on the SGD chapter, in a task Lighthouse counts as blocking; in a div, one table.
* No <link rel="alternate" hreflang> in <head>: Material's hrefs are relative, which search engines
  ignore and Lighthouse fails. The header's switcher keeps its links.
* A name for the search dialog (aria-label), as ARIA asks of every dialog (axe: aria-dialog-name).
"""

import re
from importlib.metadata import version

from mkdocs.exceptions import PluginError

_TABLE = re.compile(r"<table>.*?</table>", re.S)
_PLAIN_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')
_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def _expected(what: str, where: str) -> PluginError:
    return PluginError(f"hooks/theme_markup.py: {what} not found on {where}; "
                       f"Material {version('mkdocs-material')} writes it differently: update the hook")


def on_page_content(html, page, config, files):
    return _TABLE.sub(lambda m: f"<div>{m[0]}</div>", _PLAIN_TOKEN.sub(r"\1", html))


def _head_and_search(output: str, where: str, config) -> str:
    output, found = _ALTERNATE.subn("", output)
    if config.extra.get("alternate") and not found:
        raise _expected('<link rel="alternate" hreflang>', where)
    if _SEARCH_DIALOG not in output:
        raise _expected("the search dialog", where)
    label = re.search(r'<input type="text" class="md-search__input" name="query" aria-label="([^"]*)"', output)
    name = label[1] if label else "Search"
    return output.replace(_SEARCH_DIALOG, _SEARCH_DIALOG[:-1] + f' aria-label="{name}">', 1)


def on_post_page(output, page, config):
    return _head_and_search(output, page.file.src_uri, config)


def on_post_template(output_content, template_name, config):
    if template_name == "404.html":  # the one theme template that is a page
        return _head_and_search(output_content, template_name, config)
    return output_content
