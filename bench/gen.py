#!/usr/bin/env python3
"""gen.py: a zek database with many realistic requests, for benchmarks.

    python3 bench/gen.py [--db var/bench.db] [-n 100000] [--zek build/zek]

zek itself creates the schema and the ZEK configuration (`zek init`), the
object catalogue (`zek import-objects demo/objects.csv`) and the two users
the benchmark signs in as (`zek user add`, password "bench"):

    kunde@bench.example   a customer with thousands of visible requests
    agent@bench.example   an agent (sees every request)

Everything else (organisations, about 1,500 customers, the requests, their
values and participants) is inserted here with the columns zek writes;
the database's triggers fill the full-text index. Only the Python standard
library is used. The same --seed gives the same database.
"""
import argparse
import os
import random
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = 'bench'
BENCH_CUSTOMER = 'kunde@bench.example'
BENCH_AGENT = 'agent@bench.example'
BENCH_ORG = 'Stadt Musterstadt – Bürgeramt'
DAY_MS = 86400 * 1000

CITIES = ['Musterstadt', 'Beispielhausen', 'Neustadt', 'Altdorf', 'Bergheim',
          'Talingen', 'Seeburg', 'Waldkirch', 'Lindenau', 'Rosenthal',
          'Kirchberg', 'Mühlhausen', 'Schönefeld', 'Großenhain', 'Lübbenau',
          'Fürstenwalde', 'Gößnitz', 'Bückeburg', 'Jülich', 'Würzen']
OFFICES = ['Bürgeramt', 'Ordnungsamt', 'Straßenverkehrsamt', 'Standesamt',
           'Jugendamt', 'Sozialamt', 'Bauaufsicht', 'Kämmerei']
LANDS = ['Beispielland', 'Nordmark', 'Südheide']
MINISTRIES = ['Ministerium für Digitales', 'Ministerium des Innern',
              'Ministerium für Soziales', 'Finanzministerium']
FIRST = ['Anna', 'Ben', 'Carla', 'Jörg', 'Jürgen', 'Özlem', 'Ülkü', 'Sören',
         'Björn', 'Käthe', 'Lena', 'Jonas', 'Mia', 'Paul', 'Emma', 'Lukas',
         'Hannah', 'Felix', 'Sophie', 'Max', 'Marie', 'Tim', 'Lea', 'Niklas',
         'Sarah', 'Moritz', 'Laura', 'Finn', 'Julia', 'Elias', 'Ayşe', 'Mehmet',
         'Agnieszka', 'Dmitri', 'Grete', 'Uwe', 'Heike', 'Bärbel', 'Günther']
LAST = ['Schmidt', 'Weber', 'Yilmaz', 'Müller', 'Schäfer', 'Köhler', 'Groß',
        'Bäcker', 'Fuchs', 'Wagner', 'Becker', 'Hoffmann', 'Koch', 'Richter',
        'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann',
        'Braun', 'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner',
        'Krause', 'Meier', 'Lehmann', 'Özdemir', 'Kowalski', 'Nowak', 'Jäger']
SERVICES = ['Wohngeld', 'Elterngeld', 'Kfz-Zulassung', 'Anwohnerparken',
            'Hundesteuer', 'Gewerbeanmeldung', 'Briefwahl', 'Führungszeugnis',
            'BAföG', 'Kita-Platz', 'Personalausweis', 'Ummeldung',
            'Melderegisterauskunft', 'Baumfällgenehmigung',
            'Sperrmüllanmeldung', 'Fischereischein', 'Wohnberechtigungsschein',
            'Bauantrag', 'Eheschließung', 'Geburtsurkunde', 'Aufenthaltstitel',
            'Einbürgerung', 'Schwerbehindertenausweis', 'Unterhaltsvorschuss',
            'Grundsteuer', 'Sondernutzungserlaubnis', 'Gaststättenerlaubnis',
            'Reisepass', 'Fahrerlaubnis', 'Beglaubigung']
PAYMENTS = ['giropay', 'PayPal', 'Kreditkarte', 'SEPA-Lastschrift', 'ePayBL']
ACCOUNTS = ['BundID', 'Mein Unternehmenskonto', 'Servicekonto des Landes']
CODES = ['500', '502', '503', '504', '400', '403', '404', '413']
FACHVERFAHREN = ['OK.EWO', 'VOIS', 'MESO', 'AutiSta', 'ProDoppik', 'XBau',
                 'XMeld', 'i-Kfz', 'OZG-Hub', 'Elster']
FEATURES = ['Steuer-ID', 'Geburtsort', 'Aktenzeichen', 'IBAN',
            'Staatsangehörigkeit', 'Telefonnummer', 'Einwilligung']
TOPICS = ['Bearbeitungsdauer', 'Gebühren', 'Datenschutz', 'Nachweisen',
          'Fristen', 'Zuständigkeit', 'Barrierefreiheit']
MONTHS = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli',
          'August', 'September', 'Oktober', 'November', 'Dezember']
BROWSERS = ['Firefox', 'Chrome', 'Edge', 'Safari']
SYSTEMS = ['Windows 11', 'Windows 10', 'macOS', 'Android', 'iOS', 'Linux']

TITLES = {
    1: ['{svc}: Störung beim Absenden des Antrags',
        '{svc}: Zahlung per {pay} schlägt fehl',
        '{svc}: Umlaute im Namen werden falsch dargestellt',
        '{svc}: Zeitüberschreitung bei der Datenübermittlung',
        '{svc}: leere Seite nach der Anmeldung mit {acc}',
        '{svc}: Fehlermeldung {code} beim Hochladen von Nachweisen',
        '{svc}: PDF-Bestätigung enthält falsches Datum',
        '{svc}: Anmeldung mit {acc} nicht möglich',
        '{svc}: Formular lädt sehr langsam',
        '{svc}: Sitzung läuft nach fünf Minuten ab',
        'Störungsmeldung {svc}: Dienst nicht erreichbar'],
    2: ['{svc}: neues Pflichtfeld {feat}',
        '{svc}: Textänderung im Hinweis zu {topic}',
        '{svc}: Barrierefreiheit der Fehlermeldungen verbessern',
        '{svc}: Gebühr im Formular anzeigen',
        '{svc}: Weiterleitung an das Fachverfahren {fv}',
        '{svc}: Layout an das Corporate Design anpassen'],
    3: ['Inbetriebnahme Online-Dienst {svc}',
        'Go-Live {svc} im Land {land}',
        'Abnahme und Betriebsübergabe Online-Dienst {svc}'],
    4: ['Frage zu {svc}: {topic}',
        'Zugang zum Kundenportal für {person}',
        'Statistik zu Antragszahlen {svc}',
        'Wartungsfenster im {month}?',
        'Ansprechperson für das Fachverfahren {fv}'],
}
SENTENCES = [
    'Seit {day} melden Bürgerinnen und Bürger, dass der Antrag nicht abgeschickt werden kann.',
    'Der Fehler tritt in {browser} unter {os} auf, in anderen Browsern nicht.',
    'Betroffen sind etwa {n} Anträge pro Tag.',
    'Bitte prüfen Sie die Schnittstelle zum Fachverfahren {fv}.',
    'Im Protokoll steht `HTTP {code}` mit der Vorgangsnummer {ticket}.',
    'Nach dem Klick auf **Weiter** erscheint eine leere Seite.',
    'Die Zahlung über {pay} bricht mit einer Zeitüberschreitung ab.',
    'Umlaute wie ä, ö und ü werden in der Bestätigung als Fragezeichen gezeigt.',
    'Die Störung betrifft nur Anträge mit mehr als drei Anhängen.',
    'Wir bitten um eine kurzfristige Rückmeldung, da die Frist am {day} endet.',
    'Die Änderung soll zum {month} in Kraft treten.',
    'Ein Screenshot der Fehlermeldung liegt bei.',
    'Die Nutzerinnen sehen den Hinweis „Sitzung abgelaufen“.',
    'Das Bürgeramt hat den Fehler mehrfach nachgestellt.',
    'Eine Abstimmung mit dem Fachverfahren {fv} hat bereits stattgefunden.',
    'Bei Rückfragen erreichen Sie uns unter der Durchwahl {n}.',
]
STATUSES_OPEN = ['offen', 'wartet_support', 'in_bearbeitung', 'wartet_kunde']
RESOLUTIONS = ['geloest'] * 7 + ['zurueckgezogen', 'duplikat', 'abgelehnt']


def run(cmd, **kw):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, **kw)
    if res.returncode != 0:
        sys.exit('failed: %s\n%s' % (' '.join(cmd), res.stdout))


def fill(rng, template, names):
    return template.format(
        svc=rng.choice(SERVICES), pay=rng.choice(PAYMENTS),
        acc=rng.choice(ACCOUNTS), code=rng.choice(CODES),
        feat=rng.choice(FEATURES), topic=rng.choice(TOPICS),
        fv=rng.choice(FACHVERFAHREN), land=rng.choice(LANDS),
        person=rng.choice(names), month=rng.choice(MONTHS),
        day='%d.%d.' % (rng.randint(1, 28), rng.randint(1, 12)),
        browser=rng.choice(BROWSERS), os=rng.choice(SYSTEMS),
        n=rng.randint(2, 400), ticket='%05d-%02d' % (rng.randint(0, 99999),
                                                     rng.randint(0, 99)))


def description(rng, names):
    parts = [fill(rng, s, names) for s in rng.sample(SENTENCES, rng.randint(2, 6))]
    if rng.random() < 0.3:
        return parts[0] + '\n\n' + '\n'.join('%d. %s' % (i + 1, p)
                                             for i, p in enumerate(parts[1:]))
    return ' '.join(parts)


def organisations(db, rng, now):
    names = [BENCH_ORG]
    for city in CITIES:
        for office in rng.sample(OFFICES, 3):
            names.append('Stadt %s – %s' % (city, office))
    for land in LANDS:
        for m in MINISTRIES:
            names.append('Land %s – %s' % (land, m))
    names = list(dict.fromkeys(names))
    ids = []
    for n in names:
        row = db.execute('SELECT id FROM organisations WHERE name = ?', (n,)).fetchone()
        if row is None:
            row = db.execute('INSERT INTO organisations (name, created_at) '
                             'VALUES (?, ?) RETURNING id', (n, now)).fetchone()
        ids.append(row[0])
    return ids


def customers(db, rng, orgs, count, now):
    """Customers with their organisations: {user_id: [org_id, ...]}."""
    members = {}
    rows = []
    for i in range(count):
        name = '%s %s' % (rng.choice(FIRST), rng.choice(LAST))
        email = 'kunde%05d@bench.example' % i
        rows.append((email, email.casefold(), name, name.casefold(), now))
    db.executemany("INSERT INTO users (email, email_fold, name, name_fold, "
                   "password_hash, role, lang, tz, notify, created_at) "
                   "VALUES (?, ?, ?, ?, '', 'customer', 'de', 'Europe/Berlin', "
                   "1, ?)", rows)
    ids = [r[0] for r in db.execute("SELECT id FROM users WHERE email LIKE "
                                    "'kunde0%@bench.example' ORDER BY id")]
    links = []
    for uid in ids:
        # The bench customer's office is big: many colleagues share with it.
        first = orgs[0] if rng.random() < 0.04 else rng.choice(orgs)
        mine = [first]
        if rng.random() < 0.1:
            other = rng.choice(orgs)
            if other != first:
                mine.append(other)
        members[uid] = mine
        links.extend((uid, o) for o in mine)
    db.executemany('INSERT INTO user_orgs (user_id, org_id) VALUES (?, ?)', links)
    return members


def fields(db):
    """{type_id: [(key, kind, object_kind, multiple, [option values])]}"""
    out = {}
    for tid, key, kind, okind, multiple, fid in db.execute(
            'SELECT type_id, field_key, kind, object_kind, multiple, id '
            'FROM fields ORDER BY type_id, position'):
        opts = [r[0] for r in db.execute(
            'SELECT value FROM field_options WHERE field_id = ? ORDER BY position',
            (fid,))]
        out.setdefault(tid, []).append((key, kind, okind, multiple, opts))
    return out


def values_for(rng, tfields, title, desc, objects, created):
    vals = []
    for key, kind, okind, multiple, opts in tfields:
        if key == 'summary':
            vals.append((key, 0, title))
        elif key == 'description':
            vals.append((key, 0, desc))
        elif kind == 'select' and opts and rng.random() < 0.7:
            vals.append((key, 0, rng.choice(opts)))
        elif kind == 'object' and objects.get(okind) and rng.random() < 0.8:
            pick = rng.sample(objects[okind], rng.randint(1, 2) if multiple else 1)
            vals.extend((key, i, str(o)) for i, o in enumerate(pick))
        elif kind == 'checkbox' and rng.random() < 0.3:
            vals.append((key, 0, '1'))
        elif kind == 'datetime' and rng.random() < 0.5:
            vals.append((key, 0, str(created - rng.randint(1, 72) * 3600000)))
        elif kind == 'text' and rng.random() < 0.3:
            vals.append((key, 0, rng.choice(FACHVERFAHREN)))
        elif kind == 'textarea' and rng.random() < 0.2:
            vals.append((key, 0, 'HTTP %s Service Unavailable' % rng.choice(CODES)))
        elif kind == 'url' and rng.random() < 0.2:
            vals.append((key, 0, 'https://www.%s.example/antrag'
                         % rng.choice(CITIES).lower()))
    return vals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--db', default=os.path.join(ROOT, 'var', 'bench.db'))
    ap.add_argument('-n', '--requests', type=int, default=100000)
    ap.add_argument('--customers', type=int, default=1500)
    ap.add_argument('--zek', default=os.path.join(ROOT, 'build', 'zek'))
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.time()

    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    env = dict(os.environ, ZEK_PASSWORD=PASSWORD)
    zek = [args.zek, '--root', ROOT]
    run(zek + ['init', '--db', args.db])
    run(zek + ['import-objects', '--db', args.db,
               os.path.join(ROOT, 'demo', 'objects.csv')])
    run(zek + ['user', 'add', '--db', args.db, '--email', BENCH_CUSTOMER,
               '--name', 'Klara Kundin', '--org', BENCH_ORG], env=env)
    run(zek + ['user', 'add', '--db', args.db, '--email', BENCH_AGENT,
               '--name', 'Sam Bench', '--role', 'agent'], env=env)

    db = sqlite3.connect(args.db)
    db.execute('PRAGMA foreign_keys = ON')
    db.execute('PRAGMA synchronous = OFF')
    now = int(time.time() * 1000)
    with db:
        orgs = organisations(db, rng, now)
        members = customers(db, rng, orgs, args.customers, now)
        bench_id = db.execute('SELECT id FROM users WHERE email = ?',
                              (BENCH_CUSTOMER,)).fetchone()[0]
        members[bench_id] = [orgs[0]]
        agents = [db.execute('SELECT id FROM users WHERE email = ?',
                             (BENCH_AGENT,)).fetchone()[0]]
        by_org = {}
        for uid, mine in members.items():
            for o in mine:
                by_org.setdefault(o, []).append(uid)
        names = [r[0] for r in db.execute("SELECT name FROM users LIMIT 200")]
        objects = {}
        for oid, kind in db.execute('SELECT id, kind FROM objects'):
            objects.setdefault(kind, []).append(oid)
        tfields = fields(db)
        desk_id, key = db.execute('SELECT id, project_key FROM service_desks '
                                  'ORDER BY id LIMIT 1').fetchone()
        uids = list(members)
        types = [1] * 50 + [2] * 25 + [3] * 10 + [4] * 15

        n = args.requests
        span = 3 * 365 * DAY_MS
        t = now - span
        reqs, vals, parts = [], [], []
        for i in range(1, n + 1):
            # Mostly in order of creation; some were imported later with
            # their original (older) time, so id order != time order.
            t += rng.randint(1, 2 * span // n)
            created = t - (rng.randint(0, 30 * DAY_MS) if rng.random() < 0.03 else 0)
            if rng.random() < 0.025:
                reporter = bench_id
            else:
                reporter = rng.choice(uids)
            org = rng.choice(members[reporter])
            creator = reporter
            if rng.random() < 0.05:
                creator = rng.choice(by_org[org] + agents)
            shared = org if rng.random() < 0.35 else None
            age = now - created
            if age > 60 * DAY_MS or rng.random() < age / (60 * DAY_MS):
                status = 'geschlossen' if rng.random() < 0.93 else rng.choice(STATUSES_OPEN)
            else:
                status = rng.choice(STATUSES_OPEN)
            resolution = rng.choice(RESOLUTIONS) if status == 'geschlossen' else ''
            tid = rng.choice(types)
            title = fill(rng, rng.choice(TITLES[tid]), names)
            updated = min(now, created + rng.randint(0, 20 * DAY_MS))
            reqs.append((i, desk_id, i, '%s-%d' % (key, i), tid, reporter,
                         creator, shared, status, resolution, title, created,
                         updated))
            desc = description(rng, names)
            for fk, pos, v in values_for(rng, tfields[tid], title, desc,
                                         objects, created):
                vals.append((i, fk, pos, v))
            if rng.random() < 0.15:
                pool = by_org[org] if rng.random() < 0.8 else uids
                for p in set(rng.sample(pool, min(len(pool), rng.randint(1, 3)))):
                    if p != reporter:
                        parts.append((i, p))
            elif rng.random() < 0.004:
                parts.append((i, bench_id))
            if len(reqs) >= 5000 or i == n:
                flush(db, reqs, vals, parts)
                reqs, vals, parts = [], [], []
                print('\r%d/%d requests' % (i, n), end='', file=sys.stderr)
        db.execute('UPDATE service_desks SET next_number = ? WHERE id = ?',
                   (n, desk_id))
    print(file=sys.stderr)
    db.execute('VACUUM')
    db.close()
    print('%s: %d requests in %.0f s' % (args.db, n, time.time() - started))


def flush(db, reqs, vals, parts):
    db.executemany('INSERT INTO requests (id, desk_id, number, issue_key, '
                   'type_id, reporter_id, creator_id, shared_org_id, status, '
                   'resolution, title, created_at, updated_at) '
                   'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', reqs)
    db.executemany('INSERT INTO request_values (request_id, field_key, '
                   'position, value) VALUES (?, ?, ?, ?)', vals)
    db.executemany('INSERT INTO participants (request_id, user_id) VALUES (?, ?) '
                   'ON CONFLICT DO NOTHING', parts)


if __name__ == '__main__':
    main()
