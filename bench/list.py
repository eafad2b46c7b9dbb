#!/usr/bin/env python3
"""list.py: how fast "Anfragen" answers on a large database.

    make build                           # the release binary build/zek
    bench/run --only list:               # makes var/bench/bench-1000000.db
    python3 bench/list.py [--db var/bench/bench-1000000.db] [--seconds 5]

Starts `build/zek serve` on the database, signs in as the customer
kunde@bench.example and as the agent agent@bench.example (password "bench",
made by gen.py), and measures the list page with wrk (installed with apt-get
when missing) for several filters and search terms, from the first page and
from a deep one. Prints wrk's latency percentiles per URL, then the query
plan of every list statement (EXPLAIN QUERY PLAN, sqlite3 CLI) and, per
URL, how the store reads it. Standard library only.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST = '/servicedesk/customer/user/requests'
CUSTOMER = 'kunde@bench.example'
AGENT = 'agent@bench.example'
PASSWORD = 'bench'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def ensure_wrk():
    if shutil.which('wrk'):
        return
    sudo = [] if os.geteuid() == 0 else ['sudo']
    subprocess.run(sudo + ['apt-get', 'install', '-y', '-qq', 'wrk'], check=True)


def fetch(port, method, path, body=None, cookies=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    headers = {}
    if cookies:
        headers['Cookie'] = '; '.join('%s=%s' % kv for kv in cookies.items())
    if body is not None:
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read().decode('utf-8', 'replace')
    got = dict(cookies or {})
    for k, v in r.getheaders():
        if k.lower() == 'set-cookie':
            name, _, rest = v.partition('=')
            got[name] = rest.split(';')[0]
    conn.close()
    return r.status, data, got


def login(port, email):
    _, page, cookies = fetch(port, 'GET', '/servicedesk/customer/user/login')
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({'email': email, 'password': PASSWORD,
                                   'csrf': csrf})
    status, _, cookies = fetch(port, 'POST', '/servicedesk/customer/user/login',
                              body, cookies)
    if status != 303 or 'zek_session' not in cookies:
        sys.exit('cannot sign in as %s (status %d); run bench/gen.py first'
                 % (email, status))
    return 'zek_session=' + cookies['zek_session']


def cursor_at(db, sql, args):
    row = db.execute(sql, args).fetchone()
    return '%d.%d' % row if row else None


def cases(db):
    """(who, label, query) for every measured URL."""
    kunde = db.execute('SELECT id FROM users WHERE email = ?', (CUSTOMER,)).fetchone()[0]
    # A cursor deep in the agent's list (page 4,999 of 5,000) and in the
    # customer's "all requests created by me" (the last page).
    total = db.execute('SELECT count(*) FROM requests').fetchone()[0]
    deep_all = cursor_at(db, 'SELECT created_at, id FROM requests ORDER BY '
                         'created_at DESC, id DESC LIMIT 1 OFFSET ?', (total - 41,))
    deep_mine = cursor_at(db, 'SELECT created_at, id FROM requests WHERE reporter_id = ? '
                          'ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ('
                          'SELECT count(*) - 21 FROM requests WHERE reporter_id = ?)',
                          (kunde, kunde))
    c = 'customer'
    a = 'agent'
    out = [
        (c, 'default: open, created by me', {}),
        (c, 'all, created by me', {'status': 'all'}),
        (c, 'closed, any creator', {'status': 'closed', 'creator': 'any'}),
        (c, 'all, any creator', {'status': 'all', 'creator': 'any'}),
        (c, 'all, participant', {'status': 'all', 'creator': 'participant'}),
        (c, 'wartet_kunde, any, type 1', {'status': 'wartet_kunde', 'creator': 'any', 'type': 1}),
        (c, 'all, any, q=Störung', {'status': 'all', 'creator': 'any', 'q': 'Störung'}),
        (c, 'open, any, q=stör', {'status': 'open', 'creator': 'any', 'q': 'stör'}),
        (c, 'closed, me, type 1, q=Wohngeld', {'status': 'closed', 'type': 1, 'q': 'Wohngeld'}),
        (c, 'all, any, q=Zeitüberschreitung Kfz', {'status': 'all', 'creator': 'any',
                                                   'q': 'Zeitüberschreitung Kfz'}),
        (c, 'all, any, q=ZEK-4711', {'status': 'all', 'creator': 'any', 'q': 'ZEK-4711'}),
        (c, 'all, any, q="*(AND -NEAR', {'status': 'all', 'creator': 'any', 'q': '"*(AND -NEAR'}),
        (c, 'all, me, last page', {'status': 'all', 'after': deep_mine, 'page': 2}),
        (a, 'all, any creator', {'status': 'all', 'creator': 'any'}),
        (a, 'open, any creator', {'status': 'open', 'creator': 'any'}),
        (a, 'closed, any creator', {'status': 'closed', 'creator': 'any'}),
        (a, 'closed, any, type 3', {'status': 'closed', 'creator': 'any', 'type': 3}),
        (a, 'wartet_kunde, any, type 3', {'status': 'wartet_kunde', 'creator': 'any', 'type': 3}),
        (a, 'all, any, q=Störung', {'status': 'all', 'creator': 'any', 'q': 'Störung'}),
        (a, 'open, any, q=stör', {'status': 'open', 'creator': 'any', 'q': 'stör'}),
        (a, 'closed, any, q=Wohngeld', {'status': 'closed', 'creator': 'any', 'q': 'Wohngeld'}),
        (a, 'all, any, q=Zeitüberschreitung Kfz', {'status': 'all', 'creator': 'any',
                                                   'q': 'Zeitüberschreitung Kfz'}),
        (a, 'all, any, q=antr (in 62% of requests)', {'status': 'all', 'creator': 'any', 'q': 'antr'}),
        (a, 'all, any, q=ZEK-4711', {'status': 'all', 'creator': 'any', 'q': 'ZEK-4711'}),
        (a, 'all, any, q=4711', {'status': 'all', 'creator': 'any', 'q': '4711'}),
        (a, 'all, any, q=xyzzy (no match)', {'status': 'all', 'creator': 'any', 'q': 'xyzzy'}),
        (a, 'all, any, second to last page', {'status': 'all', 'creator': 'any',
                                              'after': deep_all, 'page': 2}),
    ]
    return [(w, label, LIST + '?' + urllib.parse.urlencode(q) if q else LIST)
            for w, label, q in out]


def load():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def ms(text):
    m = re.match(r'([\d.]+)(us|ms|s)', text)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == 'us' else v * 1000 if m.group(2) == 's' else v


def cpu_ms(pid):
    """CPU time (user + system) the process has used, in ms."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf('SC_CLK_TCK')


def run_wrk(port, cookie, path, seconds, connections, pid):
    before = cpu_ms(pid)
    out = subprocess.run(['wrk', '-t1', '-c%d' % connections, '-d%ds' % seconds, '--latency',
                          '-H', 'Cookie: ' + cookie, 'http://127.0.0.1:%d%s' % (port, path)],
                         capture_output=True, text=True, check=True).stdout
    pct = dict(re.findall(r'^\s+(50|75|90|99)%\s+(\S+)', out, re.M))
    mx = re.search(r'Latency\s+\S+\s+\S+\s+(\S+)', out).group(1)
    rps = re.search(r'Requests/sec:\s+([\d.]+)', out).group(1)
    bad = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    if bad:
        sys.exit('wrk: %s non-2xx answers for %s' % (bad.group(1), path))
    count = int(re.search(r'(\d+) requests in', out).group(1))
    cpu = (cpu_ms(pid) - before) / max(count, 1)
    return [ms(pct[p]) for p in ('50', '90', '99')] + [ms(mx), float(rps), cpu]


def page_facts(port, cookie, path):
    status, page, _ = fetch(port, 'GET', path, cookies={'zek_session': cookie.split('=', 1)[1]})
    if status != 200:
        sys.exit('%s: status %d' % (path, status))
    rows = len(re.findall(r'class="request-table__key"', page))
    m = re.search(r'<p class="list-summary"[^>]*>([^<]*)</p>', page)
    return rows, (m.group(1) if m else 'none')


def statements():
    """The list's SQL texts (sqlite_list.c, sqlite_walk.c), as the C
    preprocessor expands them."""
    sqls = []
    for src, table in (('sqlite_list.c', 'list_sql[Q_MAX] = {'),
                       ('sqlite_walk.c', 'walk_sql[W_MAX] = {')):
        out = subprocess.run(['cc', '-E', '-P', '-I' + os.path.join(ROOT, 'src'),
                              os.path.join(ROOT, 'src/store', src)],
                             capture_output=True, text=True, check=True).stdout
        body = out[out.index(table):]
        body = body[:body.index('};')]
        for name, lits in re.findall(r'\[([QW]_\w+)\]\s*=\s*((?:"(?:[^"\\]|\\.)*"\s*)+)',
                                     body):
            sqls.append((name, ''.join(json.loads(s) for s in
                                       re.findall(r'"(?:[^"\\]|\\.)*"', lits))))
    return sqls


def plans(db_path):
    print('\n## Query plans (EXPLAIN QUERY PLAN, sqlite3 %s)\n' % sqlite3.sqlite_version)
    for name, sql in statements():
        res = subprocess.run(['sqlite3', '-readonly', db_path, 'EXPLAIN QUERY PLAN ' + sql],
                             capture_output=True, text=True)
        print('%s\n  %s\n%s' % (name, sql, '\n'.join('  ' + l for l in res.stdout.splitlines())))
        if res.returncode != 0:
            print('  ' + res.stderr.strip())
        print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--db', default=os.path.join(ROOT, 'var', 'bench', 'bench-1000000.db'))
    ap.add_argument('--zek', default=os.path.join(ROOT, 'build', 'zek'))
    ap.add_argument('--seconds', type=int, default=5)
    ap.add_argument('--connections', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--only', help='measure only URLs whose label contains this')
    args = ap.parse_args()
    if not os.path.exists(args.db):
        sys.exit('%s is missing: run bench/run (or bench/gen.py) first' % args.db)
    if not os.path.exists(args.zek):
        sys.exit('%s is missing: run make build first' % args.zek)
    ensure_wrk()
    db = sqlite3.connect('file:%s?mode=ro' % args.db, uri=True)
    todo = cases(db)
    db.close()
    port = free_port()
    logdir = tempfile.mkdtemp(prefix='zek-bench-')
    log = open(os.path.join(logdir, 'server.log'), 'wb')
    srv = subprocess.Popen([args.zek, 'serve', '--db', args.db, '--root', ROOT,
                            '--listen', '127.0.0.1:%d' % port, '--threads', str(args.threads)],
                           stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                socket.create_connection(('127.0.0.1', port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cookies = {'customer': login(port, CUSTOMER), 'agent': login(port, AGENT)}
        print('# "Anfragen" on %s: %d s per URL, %d connection(s), zek --threads %d, '
              'load average %s\n' % (os.path.basename(args.db), args.seconds,
                                     args.connections, args.threads, load()))
        print('| who | list | rows | shown | p50 ms | p90 ms | p99 ms | max ms | req/s | CPU ms/req |')
        print('|---|---|---|---|---|---|---|---|---|---|')
        for who, label, path in todo:
            if args.only and args.only not in label:
                continue
            rows, shown = page_facts(port, cookies[who], path)
            p50, p90, p99, mx, rps, cpu = run_wrk(port, cookies[who], path, args.seconds,
                                                  args.connections, srv.pid)
            print('| %s | %s | %d | %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.2f |'
                  % (who, label.replace('|', '\\|'), rows, shown, p50, p90, p99, mx, rps,
                     cpu), flush=True)
        print('\nload average at the end: %s' % load())
    finally:
        srv.terminate()
        srv.wait()
        log.close()
    plans(args.db)


if __name__ == '__main__':
    main()
