#!/usr/bin/env python3
"""Every in-page link of the docs resolves.

Checks each Markdown link `[text](#anchor)` or `[text](file.md#anchor)` in
the files named on the command line against the headings of its target
file, slugged as GitHub does: lowercase, characters other than letters,
digits, spaces, '-' and '_' dropped, spaces turned into '-', a repeated slug
suffixed -1, -2, ... Code blocks are skipped. Exits 1 and names each link
that points nowhere (file:line), 0 when all resolve. Run by ctest
(doc_anchors) over README.md and docs/*.md."""
import os
import re
import sys

FENCE = re.compile(r'```.*?```', re.S)


def slugs(path):
    out, seen = set(), {}
    text = FENCE.sub('', open(path, encoding='utf-8').read())
    for line in text.split('\n'):
        m = re.match(r'^(#{1,6})\s+(.*?)\s*#*\s*$', line)
        if not m:
            continue
        title = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', m.group(2)).replace('`', '')
        s = re.sub(r'[^\w\- ]', '', title.strip().lower()).replace(' ', '-')
        n = seen.get(s)
        seen[s] = 0 if n is None else n + 1
        out.add(s if n is None else f'{s}-{n + 1}')
    return out


def main(paths):
    bad, cache = 0, {}
    for path in paths:
        text = open(path, encoding='utf-8').read()
        # Blank the code blocks out, keeping their newlines for line numbers.
        text = FENCE.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text)
        for m in re.finditer(r'\]\(([^)\s#]*)#([^)\s]+)\)', text):
            target, anchor = m.group(1), m.group(2)
            if re.match(r'[a-z]+:', target):
                continue  # another site's page
            file = os.path.normpath(os.path.join(os.path.dirname(path), target)) if target else path
            line = text.count('\n', 0, m.start()) + 1
            if not os.path.exists(file):
                print(f'{path}:{line}: no file {target}')
                bad += 1
                continue
            if file not in cache:
                cache[file] = slugs(file)
            if anchor not in cache[file]:
                print(f'{path}:{line}: no heading #{anchor} in {target or os.path.basename(path)}')
                bad += 1
    print(f'{bad} unresolved link(s) in {len(paths)} file(s)')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
