"""Translate the titles written in the navigation into the language being built.

mkdocs.yml lists the navigation once, for both languages: file names, whose titles come from
each page's first heading, and a few explicit titles in English (sections, "Home"). Each
language's config maps those in `extra.nav_titles`. An explicit title missing from the map fails
the build, so a new section cannot ship untranslated.
"""

from mkdocs.exceptions import PluginError


def _items(items):
    for item in items:
        yield item
        yield from _items(getattr(item, "children", None) or [])


def on_nav(nav, config, files):
    titles = config.extra.get("nav_titles") or {}
    for item in _items(nav.items):
        if item.title is None:  # a page whose title comes from its heading
            continue
        if item.title not in titles:
            raise PluginError(
                f"{config.config_file_path}: navigation title {item.title!r} has no "
                f"translation in extra.nav_titles"
            )
        item.title = titles[item.title]
    return nav
