#!/usr/bin/env python3
"""Runs the examples of a Markdown doc and compares their output.

A fenced block with lines starting '$ ' is a transcript: each such line is
a command (continued over lines while a single quote is open), the lines
after it up to the next '$ ' its expected output. Other blocks are set up
as the prose says: 'save it as `X`' / 'Save this as `X`' writes the block
to X (then 'load it with `kpi ...`' runs that); a block of `define`
statements is run with `kpi query --db D -f` on the store the prose names
('--db D' or 'the D store') or else the last one used. Indented lines
'    kpi ...' are run, checked only for their exit status.

Output is compared after normalising what changes from run to run: ingest
timings and rates, milliseconds, and timestamps of the current time
(years 2026 and later; the example data is older).

Usage: doc_examples.py DOC --work DIR [--kpi BINARY] [--sections A-B]
                       [--only DB,...] [--fix-snippets]
  --work DIR      scratch folder the commands run in (created; kept)
  --kpi BINARY    the `kpi` the commands run (default: the one on PATH)
  --sections A-B  only the numbered sections A to B ('## A. ...')
  --only DB,...   only commands on these stores ('None': commands with no --db)
  --fix-snippets  rewrite in DOC the outputs that differ only in the quoted
                  source line and caret under an `error:` line
Exit status 1 when an output differs or a command fails, else 0. ctest
(doc_examples) runs sections 3 to 11 of docs/query-language.md on the
example store of section 3 (--sections 3-11 --only mini) in a fresh
folder. The tutorials (12 and on) need 100,000 generated tickets, files
they show only in part, the shared real logs and a running server: run
them by hand and read the differences, e.g.
  tests/docs/doc_examples.py docs/query-language.md --work /tmp/ql \\
      --kpi build/cli/kpi --only kpistore,catalog,helpdesk,servicenow,bpi2013,None
"""
import argparse
import difflib
import os
import re
import subprocess
import sys


def parse(lines):
    """Yields (line number, section, kind, payload) in document order."""
    section = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        h = re.match(r'^## (\d+)\.', line)
        if h:
            section = int(h.group(1))
        if line.startswith('```'):
            j = i + 1
            while j < len(lines) and not lines[j].startswith('```'):
                j += 1
            body = lines[i + 1:j]
            prose = '\n'.join(lines[max(0, i - 14):i])
            saved = re.findall(r'[Ss]ave (?:it|this) as `([^`]+)`', prose)
            if any(b.startswith('$ ') for b in body):
                k = 0
                while k < len(body):
                    if not body[k].startswith('$ '):
                        k += 1
                        continue
                    cmd, start = body[k][2:], i + 2 + k
                    k += 1
                    while cmd.count("'") % 2 == 1 and k < len(body):
                        cmd += '\n' + body[k]
                        k += 1
                    out = []
                    while k < len(body) and not body[k].startswith('$ '):
                        out.append(body[k])
                        k += 1
                    while out and out[-1] == '':
                        out.pop()
                    yield start, section, 'cmd', (cmd, out)
            elif (any(b.startswith('define ') for b in body)
                  and all(b == '' or b.startswith(('define ', '--', ' ')) for b in body)
                  and not any(re.search(r'<[a-z]|NAME', b) for b in body)):
                named = re.findall(r'--db (\w+)', prose) or re.findall(r'the (\w+) store', prose)
                yield i + 1, section, 'defs', ('\n'.join(body) + '\n', named[-1] if named else None)
            elif saved:
                yield i + 1, section, 'file', (saved[-1], '\n'.join(body) + '\n')
                load = re.findall(r'load it with\s+`(kpi [^`]+)`', prose)
                if load:
                    yield i + 1, section, 'cmd', (load[-1], None)
            i = j + 1
            continue
        if line.startswith('    kpi ') and (lines[i - 1].strip() == '' or lines[i - 1].startswith('    ')):
            yield i + 1, section, 'cmd', (line.strip(), None)
        i += 1


def norm(s):
    s = re.sub(r'elapsed [0-9.]+s', 'elapsed Xs', s)
    s = re.sub(r'[0-9,]+ events/s', 'N events/s', s)
    s = re.sub(r'in [0-9.]+s\b', 'in Xs', s)
    s = re.sub(r'[0-9.]+ ?ms\b', 'X ms', s)
    s = re.sub(r'20(2[6-9]|[3-9]\d)-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z', 'NOW', s)
    return s.rstrip()


def without_snippets(lines):
    """The lines without the quoted source line and caret after `error:`."""
    out, k = [], 0
    while k < len(lines):
        out.append(lines[k])
        if lines[k].startswith('error: line ') and k + 2 < len(lines) and lines[k + 2].strip() == '^':
            k += 3
        else:
            k += 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('doc')
    ap.add_argument('--work', required=True)
    ap.add_argument('--kpi')
    ap.add_argument('--sections')
    ap.add_argument('--only')
    ap.add_argument('--fix-snippets', action='store_true')
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    env = dict(os.environ)
    if a.kpi:
        bindir = os.path.join(a.work, 'bin')
        os.makedirs(bindir, exist_ok=True)
        link = os.path.join(bindir, 'kpi')
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.abspath(a.kpi), link)
        env['PATH'] = bindir + ':' + env['PATH']
    lo, hi = (int(x) for x in a.sections.split('-')) if a.sections else (0, 10**9)
    only = set(a.only.split(',')) if a.only else None
    lines = open(a.doc, encoding='utf-8').read().split('\n')
    bad = ran = 0
    fixes = []
    last_db = None
    for line, section, kind, payload in parse(lines):
        if not lo <= section <= hi:
            continue
        if kind == 'file':
            name, content = payload
            open(os.path.join(a.work, name), 'w', encoding='utf-8').write(content)
            continue
        if kind == 'defs':
            content, named = payload
            last_db = named or last_db
            if last_db is None or (only is not None and last_db not in only):
                continue
            open(os.path.join(a.work, 'defs.kpiql'), 'w', encoding='utf-8').write(content)
            p = subprocess.run(['kpi', 'query', '--db', last_db, '-f', 'defs.kpiql'], cwd=a.work, env=env,
                               capture_output=True, text=True)
            if p.returncode != 0:
                bad += 1
                print(f'--- {a.doc}:{line}: definitions on {last_db}: exit {p.returncode}\n{p.stdout}{p.stderr}')
            continue
        cmd, want = payload
        m = re.search(r'--db (\S+)', cmd)
        db = m.group(1) if m else None
        last_db = db or last_db
        if only is not None and str(db) not in only:
            continue
        ran += 1
        p = subprocess.run(['bash', '-c', cmd], cwd=a.work, env=env, capture_output=True, text=True, timeout=900)
        got = (p.stdout + p.stderr).rstrip('\n').split('\n')
        if want is None:
            if p.returncode != 0:
                bad += 1
                print(f'--- {a.doc}:{line}: exit {p.returncode}: {cmd}\n' + '\n'.join(got))
            continue
        if [norm(x) for x in got] == [norm(x) for x in want]:
            continue
        if (a.fix_snippets and len(got) == len(want)
                and [norm(x) for x in without_snippets(got)] == [norm(x) for x in without_snippets(want)]):
            fixes.append((line + cmd.count('\n'), want, got))
            print(f'rewritten {a.doc}:{line}')
            continue
        bad += 1
        print(f'--- {a.doc}:{line}: exit {p.returncode}: {cmd}')
        for d in difflib.unified_diff([norm(x) for x in want], [norm(x) for x in got], 'doc', 'got', lineterm='', n=1):
            print('   ', d)
    for line, want, got in sorted(fixes, reverse=True):
        assert lines[line:line + len(want)] == want
        lines[line:line + len(want)] = got
    if fixes:
        open(a.doc, 'w', encoding='utf-8').write('\n'.join(lines))
    print(f'{ran} commands run, {bad} differ or fail' + (f', {len(fixes)} outputs rewritten' if fixes else ''))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
