#!/usr/bin/env python3
"""The wiki page in a DOM that Chromium dumped (--dump-dom), for export-wiki.bats.

    wiki-dom.py skeleton FILE   the elements of the page's content, one a line:
                                tag and attributes (ids and the targets of
                                in-page anchors left out, as they derive from
                                heading text); nothing inside <pre>, since
                                GeSHi's highlighting depends on the code, nor
                                in the table of contents, which DokuWiki's
                                script folds at its own pace (check sees both)
    wiki-dom.py text FILE       the text of the page's content, blanks collapsed
    wiki-dom.py outline FILE    the blocks of the content in order, one a line:
                                "h2 TEXT", "p TEXT", "pre CLASS TEXT" (blanks
                                collapsed), the table of contents left out
    wiki-dom.py toc FILE        the entries of the table of contents, one a line
    wiki-dom.py check FILE      fail when the content holds a script, an
                                image, a frame, a form or an event handler, or a
                                link that leaves the wiki or goes out of the page
                                other than to a day page of the journal

The content is DokuWiki's <div class="page ...">, from its
"wikipage start" comment to "wikipage stop"; with --whole after FILE, the
whole file (the HTML a Markdown renderer made).
"""
import re
import sys
from html.parser import HTMLParser

VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "embed", "source", "track"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.done = False
        self.stack = []
        self.pre = 0
        self.skeleton = []
        self.text = []
        self.elements = []
        self.last_was_pre = False
        self.toc = 0

    def handle_comment(self, data):
        if "wikipage start" in data and not self.done:
            self.inside = True
        elif "wikipage stop" in data:
            self.inside = False
            self.done = True

    def handle_starttag(self, tag, attrs):
        if not self.inside:
            return
        self.elements.append((tag, dict(attrs), self.pre > 0))
        if self.toc == 0 and "dw__toc" in (dict(attrs).get("class") or "").split():
            self.toc = len(self.stack) + 1
        if self.pre or self.toc:
            pass
        elif tag == "pre":
            # a code block cut in two (a text holding both </code> and
            # </file>) is one block of text: adjacent blocks count once
            line = "  " * len(self.stack) + "pre"
            if not (self.skeleton and self.skeleton[-1] == line and self.last_was_pre):
                self.skeleton.append(line)
        else:
            shown = []
            for k, v in sorted(attrs):
                # ids derive from heading text; styles are set by DokuWiki's
                # script as it lays the table of contents out
                if k in ("id", "style"):
                    continue
                if k == "href" and v and v.startswith("#"):
                    v = "#"
                shown.append('%s="%s"' % (k, v))
            self.skeleton.append("  " * len(self.stack) + " ".join([tag] + shown))
        if not self.pre:
            self.last_was_pre = tag == "pre"
        if tag == "pre":
            self.pre += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.inside and tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.inside or tag in VOID:
            return
        while self.stack:
            if self.toc and len(self.stack) == self.toc:
                self.toc = 0
            t = self.stack.pop()
            if t == "pre":
                self.pre -= 1
            if t == tag:
                break

    def handle_data(self, data):
        if self.inside and not self.pre and data.strip():
            self.last_was_pre = False
        if self.inside:
            self.text.append(data)


BLOCKS = {"h1", "h2", "h3", "h4", "h5", "p", "pre"}


class Outline(HTMLParser):
    """The content's blocks and the table of contents' entries, with their text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.depth = 0
        self.toc = 0
        self.block = None
        self.blocks = []
        self.entries = []
        self.link = None

    def handle_comment(self, data):
        if "wikipage start" in data:
            self.inside = True
        elif "wikipage stop" in data:
            self.inside = False

    def handle_starttag(self, tag, attrs):
        if not self.inside or tag in VOID:
            return
        self.depth += 1
        a = dict(attrs)
        if self.toc == 0 and "dw__toc" in (a.get("class") or "").split():
            self.toc = self.depth
        if self.toc and tag == "a":
            self.link = []
        elif not self.toc and self.block is None and tag in BLOCKS:
            name = tag + (" " + a["class"] if tag == "pre" and a.get("class") else "")
            self.block = [self.depth, name, []]

    def handle_endtag(self, tag):
        if not self.inside or tag in VOID:
            return
        if self.link is not None and tag == "a":
            self.entries.append(re.sub(r"\s+", " ", "".join(self.link)).strip())
            self.link = None
        if self.block and self.block[0] == self.depth:
            self.blocks.append((self.block[1] + " " + re.sub(r"\s+", " ", "".join(self.block[2])).strip()).strip())
            self.block = None
        if self.toc == self.depth:
            self.toc = 0
        self.depth -= 1

    def handle_data(self, data):
        if self.link is not None:
            self.link.append(data)
        if self.block:
            self.block[2].append(data)


def load(path, whole):
    p = Page()
    if whole:
        p.inside = True
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    if whole:
        p.done = True
    if not p.done:
        sys.exit("%s: no DokuWiki page content (wikipage start/stop)" % path)
    return p


def main():
    what, path = sys.argv[1], sys.argv[2]
    if what in ("outline", "toc"):
        o = Outline()
        with open(path, encoding="utf-8") as f:
            o.feed(f.read())
        print("\n".join(o.blocks if what == "outline" else o.entries))
        return
    p = load(path, sys.argv[3:] == ["--whole"])
    if what == "skeleton":
        print("\n".join(p.skeleton))
    elif what == "text":
        print(re.sub(r"\s+", " ", "".join(p.text)).strip())
    elif what == "check":
        bad = []
        for tag, attrs, in_pre in p.elements:
            # GeSHi's highlighting (spans) or a Markdown renderer's <code>, with a class
            if in_pre and (tag not in ("span", "code") or set(attrs) - {"class"}):
                bad.append("<%s> in a code block" % tag)
            if tag in ("script", "img", "iframe", "object", "embed", "form", "input", "svg", "style", "link", "meta"):
                bad.append("<%s>" % tag)
            for k in attrs:
                if k.startswith("on") or k == "src":
                    bad.append("<%s %s=...>" % (tag, k))
            href = attrs.get("href")
            if tag == "a" and href is not None and not href.startswith("#") and \
                    not re.fullmatch(r"/doku\.php\?id=[a-z0-9_:]+:\d{4}_\d{2}_\d{2}", href):
                bad.append("<a href=%r>" % href)
        if bad:
            sys.exit("%s: elements that records must not make: %s" % (path, ", ".join(bad)))
    else:
        sys.exit("wiki-dom.py: unknown command " + what)


main()
