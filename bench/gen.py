#!/usr/bin/env python3
"""gen.py: a zek database with many realistic requests, for benchmarks.

    python3 bench/gen.py [--db var/bench/bench.db] [-n 1000000] [--zek build/zek]

zek itself creates the schema and the ZEK configuration (`zek init`), the
object catalogue (`zek import-objects demo/objects.csv`) and the two users
the benchmark signs in as (`zek user add`, password "bench"):

    kunde@bench.example   a customer with thousands of visible requests
    agent@bench.example   an agent (sees every request, works some of them)

Everything else is inserted here with the columns zek writes: organisations,
customers (n / 50, at least 1,500), 24 more agents, the requests with their
field values, participants, assignees, the activity log (created, status
changes, assignments, comments), comments (public and internal notes) and
attachment rows (metadata only: the file bytes are left empty).

For speed the database is written without a journal and without fsync, the
secondary indexes and the triggers of the tables filled here are dropped
first and made again at the end from their own SQL text (so the schema is
exactly the migrations'), and the full-text index, request_counts and
request_assignee_counts are built once at the end from the same view the triggers read. Then the
database goes back to WAL. A stamp file DB.stamp records the generator
version and the parameters; bench/run reuses a database whose stamp
matches. Only the Python standard library is used; the same --seed gives
the same database.
"""
import argparse
import json
import math
import os
import random
import sqlite3
import string
import subprocess
import sys
import time

# Bump when the data this script writes changes: bench/run regenerates a
# database whose stamp has another version.
GEN_VERSION = 8  # 8: the search index merged into one segment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = 'bench'
BENCH_CUSTOMER = 'kunde@bench.example'
BENCH_AGENT = 'agent@bench.example'
BENCH_ORG = 'Stadt Musterstadt – Bürgeramt'
DAY_MS = 86400 * 1000
HOUR_MS = 3600 * 1000
BATCH = 20000               # requests per executemany round

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
FILES = [('screenshot.png', 'image/png'), ('Fehlermeldung.png', 'image/png'),
         ('Bescheid.pdf', 'application/pdf'), ('Protokoll.txt', 'text/plain'),
         ('Antrag_Entwurf.pdf', 'application/pdf'),
         ('Übersicht Gebühren.xlsx', 'application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.sheet'),
         ('Browser-Konsole.log', 'text/plain'), ('Foto.jpg', 'image/jpeg')]

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
# Comments: the customer's, the agents' public answers, internal notes.
CUSTOMER_SAYS = [
    'Vielen Dank für die schnelle Rückmeldung.',
    'Der Fehler tritt weiterhin auf, zuletzt am {day} gegen {hour} Uhr.',
    'Anbei ein weiterer Screenshot aus {browser}.',
    'Können Sie uns einen Zwischenstand geben? Die Frist endet am {day}.',
    'Wir haben es mit {browser} unter {os} erneut versucht, ohne Erfolg.',
    'Die Bürgerin hat den Antrag inzwischen per Post eingereicht.',
    'Seit heute Morgen funktioniert es wieder, danke!',
    'Betroffen sind inzwischen etwa {n} Vorgänge.',
    'Die Vorgangsnummer lautet {ticket}.',
    'Bitte schließen Sie die Anfrage, das Problem ist gelöst.',
]
AGENT_SAYS = [
    'Vielen Dank für Ihre Meldung. Wir prüfen den Sachverhalt.',
    'Wir konnten den Fehler nachstellen und haben ihn an das Fachverfahren {fv} weitergegeben.',
    'Bitte senden Sie uns die genaue Uhrzeit und einen Screenshot der Fehlermeldung.',
    'Die Störung bei {svc} ist behoben. Bitte prüfen Sie, ob der Antrag jetzt durchgeht.',
    'Die Änderung ist für das Release im {month} eingeplant.',
    'Die Schnittstelle zu {pay} war zwischen {hour} und {hour2} Uhr gestört.',
    'Wir haben die Weiterleitung für **{svc}** angepasst.',
    'Die Abnahme des Online-Dienstes ist für den {day} terminiert.',
    'Bitte leeren Sie den Browser-Cache und versuchen Sie es erneut.',
    'Die Statistik zu {svc} finden Sie im Anhang.',
]
INTERNAL_SAYS = [
    'Intern: an den Dienstleister weitergegeben, Ticket {ticket}.',
    'Intern: Ursache ist ein abgelaufenes Zertifikat an der {fv}-Schnittstelle.',
    'Intern: Rückruf bei {person} erfolgt, Kundin ist informiert.',
    'Intern: betrifft auch weitere Mandanten, siehe Sammelticket {ticket}.',
    'Intern: bitte nicht vor dem Wartungsfenster im {month} schließen.',
    'Intern: Log-Auszug liegt auf dem Fachlaufwerk, HTTP {code} seit {hour} Uhr.',
]
STATUSES_OPEN = ['offen', 'wartet_support', 'in_bearbeitung', 'wartet_kunde']
RESOLUTIONS = ['geloest'] * 7 + ['zurueckgezogen', 'duplikat', 'abgelehnt']

# Tables this script fills; their indexes and triggers are dropped while
# it writes and made again from their SQL at the end.
FILLED = ('requests', 'request_values', 'participants', 'comments',
          'activity', 'attachments', 'users', 'user_orgs')


class Text:
    """Templates with {name} placeholders, parsed once; only the
    placeholders a template uses are drawn."""

    def __init__(self, rng, names):
        r = rng
        self.rng = rng
        self.gen = {
            'svc': lambda: r.choice(SERVICES),
            'pay': lambda: r.choice(PAYMENTS),
            'acc': lambda: r.choice(ACCOUNTS),
            'code': lambda: r.choice(CODES),
            'feat': lambda: r.choice(FEATURES),
            'topic': lambda: r.choice(TOPICS),
            'fv': lambda: r.choice(FACHVERFAHREN),
            'land': lambda: r.choice(LANDS),
            'person': lambda: r.choice(names),
            'month': lambda: r.choice(MONTHS),
            'day': lambda: '%d.%d.' % (r.randint(1, 28), r.randint(1, 12)),
            'hour': lambda: str(r.randint(6, 20)),
            'hour2': lambda: str(r.randint(6, 20)),
            'browser': lambda: r.choice(BROWSERS),
            'os': lambda: r.choice(SYSTEMS),
            'n': lambda: str(r.randint(2, 400)),
            'ticket': lambda: '%05d-%02d' % (r.randint(0, 99999), r.randint(0, 99)),
        }
        fmt = string.Formatter()
        self.parsed = {}
        for group in list(TITLES.values()) + [SENTENCES, CUSTOMER_SAYS,
                                              AGENT_SAYS, INTERNAL_SAYS]:
            for t in group:
                self.parsed[t] = [(lit, self.gen[f] if f else None)
                                  for lit, f, _, _ in fmt.parse(t)]

    def fill(self, template):
        return ''.join(lit + (g() if g else '') for lit, g in self.parsed[template])

    def description(self):
        r = self.rng
        parts = [self.fill(s) for s in r.sample(SENTENCES, r.randint(2, 6))]
        if r.random() < 0.3:
            return parts[0] + '\n\n' + '\n'.join('%d. %s' % (i + 1, p)
                                                 for i, p in enumerate(parts[1:]))
        return ' '.join(parts)

    def comment(self, pool, count):
        return ' '.join(self.fill(self.rng.choice(pool)) for _ in range(count))


def run(cmd, **kw):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, **kw)
    if res.returncode != 0:
        sys.exit('failed: %s\n%s' % (' '.join(cmd), res.stdout))


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


def add_users(db, rng, role, prefix, count, now):
    rows = []
    for i in range(count):
        name = '%s %s' % (rng.choice(FIRST), rng.choice(LAST))
        email = '%s%05d@bench.example' % (prefix, i)
        rows.append((email, email.casefold(), name, name.casefold(), role, now))
    db.executemany("INSERT INTO users (email, email_fold, name, name_fold, "
                   "password_hash, role, lang, tz, notify, created_at) "
                   "VALUES (?, ?, ?, ?, '', ?, 'de', 'Europe/Berlin', 1, ?)", rows)
    return [r[0] for r in db.execute(
        "SELECT id FROM users WHERE email LIKE ? ORDER BY id",
        (prefix + '0%@bench.example',))]


def customers(db, rng, orgs, count, now):
    """Customers with their organisations: {user_id: [org_id, ...]}."""
    members = {}
    links = []
    for uid in add_users(db, rng, 'customer', 'kunde', count, now):
        # The bench customer's office is big: many colleagues share with it.
        first = orgs[0] if rng.random() < 0.02 else rng.choice(orgs)
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
            vals.append((key, 0, str(created - rng.randint(1, 72) * HOUR_MS)))
        elif kind == 'text' and rng.random() < 0.3:
            vals.append((key, 0, rng.choice(FACHVERFAHREN)))
        elif kind == 'textarea' and rng.random() < 0.2:
            vals.append((key, 0, 'HTTP %s Service Unavailable' % rng.choice(CODES)))
        elif kind == 'url' and rng.random() < 0.2:
            vals.append((key, 0, 'https://www.%s.example/antrag'
                         % rng.choice(CITIES).lower()))
    return vals


def schema_objects(db):
    """(name, sql) of the indexes and triggers on the tables filled here,
    not those SQLite makes for constraints, nor the triggers that keep
    request_blocks (cheap, and they handle every order of created_at)."""
    marks = ','.join('?' * len(FILLED))
    return db.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN "
                      "('index', 'trigger') AND sql IS NOT NULL AND tbl_name "
                      "IN (%s) AND name NOT LIKE 'request_blocks%%' "
                      "ORDER BY type, name" % marks, FILLED).fetchall()


class Writer:
    """Rows in batches; ids are given here, in order."""

    def __init__(self, db):
        self.db = db
        self.reqs, self.vals, self.parts = [], [], []
        self.comments, self.acts, self.atts = [], [], []
        self.comment_id = (db.execute('SELECT coalesce(max(id), 0) FROM comments')
                           .fetchone()[0])
        self.activity_id = (db.execute('SELECT coalesce(max(id), 0) FROM activity')
                            .fetchone()[0])
        self.attachment_id = (db.execute('SELECT coalesce(max(id), 0) FROM '
                                         'attachments').fetchone()[0])

    def act(self, rid, actor, kind, at, action='', comment=None, subject=None,
            old='', new='', resolution='', public=1):
        self.activity_id += 1
        self.acts.append((self.activity_id, rid, actor, kind, action, comment,
                          subject, old, new, resolution, public, at))

    def comment(self, rid, author, body, public, at):
        self.comment_id += 1
        self.comments.append((self.comment_id, rid, author, body, public, at))
        self.act(rid, author, 'comment', at, comment=self.comment_id, public=public)
        return self.comment_id

    def attachment(self, rng, rid, uploader, comment, at):
        self.attachment_id += 1
        name, mime = rng.choice(FILES)
        self.atts.append((self.attachment_id, rid, uploader, name, mime,
                          rng.randint(8_000, 2_500_000), at, comment))

    def flush(self):
        db = self.db
        db.executemany('INSERT INTO requests (id, desk_id, number, issue_key, '
                       'type_id, reporter_id, creator_id, shared_org_id, status, '
                       'resolution, title, created_at, updated_at, assignee_id) '
                       'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', self.reqs)
        db.executemany('INSERT INTO request_values (request_id, field_key, '
                       'position, value) VALUES (?, ?, ?, ?)', self.vals)
        db.executemany('INSERT OR IGNORE INTO participants (request_id, user_id, '
                       'created_at) VALUES (?, ?, ?)', self.parts)
        db.executemany('INSERT INTO comments (id, request_id, author_id, body, '
                       'public, created_at) VALUES (?, ?, ?, ?, ?, ?)', self.comments)
        db.executemany('INSERT INTO activity (id, request_id, actor_id, kind, '
                       'action, comment_id, subject_id, old_status, new_status, '
                       'resolution, public, created_at) '
                       'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', self.acts)
        db.executemany("INSERT INTO attachments (id, request_id, uploader_id, "
                       "filename, mime, size, data, created_at, comment_id) "
                       "VALUES (?, ?, ?, ?, ?, ?, x'', ?, ?)", self.atts)
        self.reqs, self.vals, self.parts = [], [], []
        self.comments, self.acts, self.atts = [], [], []


def story(w, rng, text, rid, created, updated, status, resolution, reporter,
          creator, assignee, agents):
    """The request's life after its creation: comments, status changes,
    assignment, attachments; times between created and updated."""
    span = max(updated - created, 60_000)
    steps = []
    if status != 'offen':
        steps.append('start')
    ncomments = rng.choices((0, 1, 2, 3, 4, 6), (18, 25, 25, 15, 10, 7))[0]
    steps.extend(['comment'] * ncomments)
    if status == 'wartet_kunde':
        steps.append('ask')
    elif status == 'wartet_support':
        steps.append('reply')
    elif status == 'geschlossen':
        steps.append('close')
    at = created
    cur = 'offen'
    worker = assignee or rng.choice(agents)
    for i, step in enumerate(steps):
        at = created + span * (i + 1) // (len(steps) + 1)
        if step == 'start':
            if assignee:
                w.act(rid, worker, 'assigned', at, subject=assignee, public=0)
            w.act(rid, worker, 'status_changed', at, action='start', old=cur,
                  new='in_bearbeitung')
            cur = 'in_bearbeitung'
        elif step == 'comment':
            if rng.random() < 0.45:
                cid = w.comment(rid, reporter, text.comment(CUSTOMER_SAYS,
                                rng.randint(1, 2)), 1, at)
                who = reporter
            elif rng.random() < 0.25:
                cid = w.comment(rid, worker, text.comment(INTERNAL_SAYS, 1), 0, at)
                who = worker
            else:
                cid = w.comment(rid, worker, text.comment(AGENT_SAYS,
                                rng.randint(1, 3)), 1, at)
                who = worker
            if rng.random() < 0.05:
                w.attachment(rng, rid, who, cid, at)
        elif step == 'ask':
            w.act(rid, worker, 'status_changed', at, action='ask_customer',
                  old=cur, new='wartet_kunde')
        elif step == 'reply':
            w.act(rid, reporter, 'status_changed', at, action='customer_reply',
                  old='wartet_kunde', new='wartet_support')
        elif step == 'close':
            if resolution == 'zurueckgezogen':
                w.act(rid, reporter, 'status_changed', at, action='withdraw',
                      old=cur, new='geschlossen', resolution=resolution)
            else:
                w.act(rid, worker, 'status_changed', at, action='close',
                      old=cur, new='geschlossen', resolution=resolution)


def generate(db, args, rng, now):
    orgs = organisations(db, rng, now)
    ncust = max(args.customers, args.requests // 50)
    members = customers(db, rng, orgs, ncust, now)
    bench_id = db.execute('SELECT id FROM users WHERE email = ?',
                          (BENCH_CUSTOMER,)).fetchone()[0]
    members[bench_id] = [orgs[0]]
    bench_agent = db.execute('SELECT id FROM users WHERE email = ?',
                             (BENCH_AGENT,)).fetchone()[0]
    agents = [bench_agent] + add_users(db, rng, 'agent', 'agent', 24, now)
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
    text = Text(rng, names)
    w = Writer(db)
    n = args.requests
    # The bench customer reports about 5,000 requests (2.5 % of small
    # databases) and takes part in about 1,000.
    p_bench = min(0.025, 5000 / n)
    p_bench_part = min(0.004, 1000 / n)
    span = 3 * 365 * DAY_MS
    t = now - span
    step = 2 * span // n
    for i in range(1, n + 1):
        # Mostly in order of creation; some were imported later with their
        # original (older) time, so id order != time order.
        t += rng.randint(1, step)
        created = t - (rng.randint(0, 30 * DAY_MS) if rng.random() < 0.03 else 0)
        reporter = bench_id if rng.random() < p_bench else rng.choice(uids)
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
        # Who works it: most requests in work have an assignee, the newest
        # open ones wait in "Nicht zugewiesen".
        assignee = None
        if status != 'offen' or rng.random() < 0.3:
            if rng.random() < 0.85:
                assignee = agents[0] if rng.random() < 0.04 else rng.choice(agents)
        tid = rng.choice(types)
        title = text.fill(rng.choice(TITLES[tid]))
        updated = min(now, created + rng.randint(0, 20 * DAY_MS))
        w.reqs.append((i, desk_id, i, '%s-%d' % (key, i), tid, reporter,
                       creator, shared, status, resolution, title, created,
                       updated, assignee))
        for fk, pos, v in values_for(rng, tfields[tid], title, text.description(),
                                     objects, created):
            w.vals.append((i, fk, pos, v))
        if rng.random() < 0.15:
            pool = by_org[org] if rng.random() < 0.8 else uids
            for p in set(rng.sample(pool, min(len(pool), rng.randint(1, 3)))):
                if p != reporter:
                    w.parts.append((i, p, created))
        elif rng.random() < p_bench_part:
            w.parts.append((i, bench_id, created))
        w.act(i, creator, 'created', created,
              subject=reporter if reporter != creator else None, new='offen')
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 2)):
                w.attachment(rng, i, creator, None, created)
        story(w, rng, text, i, created, updated, status, resolution, reporter,
              creator, assignee, agents)
        if len(w.reqs) >= BATCH or i == n:
            w.flush()
            print('\r%d/%d requests' % (i, n), end='', file=sys.stderr)
    print(file=sys.stderr)
    db.execute('UPDATE service_desks SET next_number = ? WHERE id = ?', (n, desk_id))


def bucket(ms):
    """core/reports.c's bucket of a working time: quarter octaves from a
    minute (floats here: a bench needs the rows, not the exact bucket)."""
    if ms is None or ms < 60000:
        return 0
    return min(92, 1 + int(4 * math.log2(ms / 60000)))


def report_counts(db):
    """The reports' facts and per-day counts (migration 0031) as zek keeps
    them, from the generated requests: days in CET, resolved = closed on its
    last change, the times wall-clock from creation to the first comment
    and to that change, no ratings. The shape and number of rows is what
    matters to the page's reads."""
    db.create_function('bucket', 1, bucket)
    db.execute('DELETE FROM report_facts')
    db.execute("INSERT INTO report_facts (request_id, type_id, created_day, resolved_day, "
               "resolution_day, resolution_ms, services) SELECT id, type_id, "
               "(created_at + 3600000) / 86400000, CASE WHEN status = 'geschlossen' THEN "
               "(updated_at + 3600000) / 86400000 ELSE -1 END, CASE WHEN status = "
               "'geschlossen' THEN (updated_at + 3600000) / 86400000 ELSE -1 END, "
               "updated_at - created_at, '' FROM requests")
    db.execute('DELETE FROM report_days')
    db.execute('INSERT INTO report_days (day, type_id, shard, created, resolved, '
               'resolution_met, resolution_breached) SELECT day, type_id, 0, sum(c), sum(r), '
               'sum(m), sum(b) FROM (SELECT created_day AS day, type_id, 1 AS c, 0 AS r, '
               '0 AS m, 0 AS b FROM report_facts UNION ALL SELECT resolved_day, type_id, 0, 1, '
               'resolution_ms <= 40 * 3600000, resolution_ms > 40 * 3600000 FROM report_facts '
               'WHERE resolved_day >= 0) GROUP BY day, type_id')
    db.execute('DELETE FROM report_times')
    db.execute('INSERT INTO report_times (day, type_id, measure, bucket, shard, n) '
               'SELECT resolution_day, type_id, 2, bucket(resolution_ms), 0, count(*) '
               'FROM report_facts WHERE resolution_day >= 0 GROUP BY 1, 2, 4')
    db.execute('INSERT INTO report_times (day, type_id, measure, bucket, shard, n) '
               'SELECT day, type_id, 1, b, 0, count(*) FROM (SELECT (min(c.created_at) + '
               '3600000) / 86400000 AS day, r.type_id AS type_id, bucket(min(c.created_at) - '
               'r.created_at) AS b FROM requests r JOIN comments c ON c.request_id = r.id '
               'GROUP BY r.id) GROUP BY 1, 2, 4')
    db.execute('DELETE FROM report_services')
    db.execute("INSERT INTO report_services (day, type_id, object_id, shard, n) "
               "SELECT f.created_day, f.type_id, CAST(v.value AS INTEGER), 0, count(*) "
               "FROM request_values v JOIN report_facts f ON f.request_id = v.request_id "
               "WHERE v.field_key = 'online_dienste' GROUP BY 1, 2, 3")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--db', default=os.path.join(ROOT, 'var', 'bench', 'bench.db'))
    ap.add_argument('-n', '--requests', type=int, default=1000000)
    ap.add_argument('--customers', type=int, default=1500,
                    help='at least this many customers (default: n / 50)')
    ap.add_argument('--zek', default=os.path.join(ROOT, 'build', 'zek'))
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.time()

    for suffix in ('', '-wal', '-shm', '.stamp'):
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

    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute('PRAGMA journal_mode = OFF')
    db.execute('PRAGMA synchronous = OFF')
    db.execute('PRAGMA cache_size = -1000000')      # 1 GB
    db.execute('PRAGMA temp_store = MEMORY')
    db.execute('PRAGMA foreign_keys = OFF')         # written consistent
    now = int(time.time() * 1000)
    saved = schema_objects(db)
    db.execute('BEGIN')
    for kind, name, _ in saved:
        db.execute('DROP %s %s' % (kind.upper(), name))
    generate(db, args, rng, now)
    db.execute('COMMIT')
    t_rows = time.time()
    print('rows written in %.0f s' % (t_rows - started), file=sys.stderr)
    db.execute('BEGIN')
    for kind, name, sql in saved:
        if kind == 'index':
            db.execute(sql)
    db.execute('DELETE FROM request_counts')
    db.execute('INSERT INTO request_counts (status, type_id, n) SELECT status, '
               'type_id, count(*) FROM requests GROUP BY status, type_id')
    db.execute('DELETE FROM request_assignee_counts')
    db.execute('INSERT INTO request_assignee_counts (assignee_id, status, n) '
               'SELECT coalesce(assignee_id, 0), status, count(*) FROM requests '
               'GROUP BY coalesce(assignee_id, 0), status')
    report_counts(db)
    db.execute('COMMIT')
    t_idx = time.time()
    print('indexes in %.0f s' % (t_idx - t_rows), file=sys.stderr)
    # The full-text index in rowid order, from the view the triggers read,
    # then merged into one segment: the shape of an index that grew by
    # creates right after zek's background merging (0016) last merged it
    # whole; its next merge of that size is sixteen times as many requests
    # away. Left as the insert made it (the migrations' automerge 0: only
    # FTS5's crisis merges of 256 segments) it had eight segments of
    # 160 MB on one level, and the first merge of that level, 1.3 GB,
    # ran through every bench run's creates (docs/internals/performance.md).
    db.execute('BEGIN')
    db.execute('DELETE FROM request_search')
    db.execute('INSERT INTO request_search (rowid, issue_key, title, description, '
               'facets) SELECT id, issue_key, title, description, facets '
               'FROM request_search_doc ORDER BY id')
    db.execute("INSERT INTO request_search (request_search) VALUES ('optimize')")
    db.execute('COMMIT')
    t_fts = time.time()
    print('search index in %.0f s' % (t_fts - t_idx), file=sys.stderr)
    db.execute('BEGIN')
    for kind, name, sql in saved:
        if kind == 'trigger':
            db.execute(sql)
    db.execute('COMMIT')
    problems = db.execute('PRAGMA foreign_key_check').fetchmany(5)
    if problems:
        sys.exit('foreign key problems: %r' % problems)
    db.execute('PRAGMA journal_mode = WAL')
    counts = {t: db.execute('SELECT count(*) FROM %s' % t).fetchone()[0]
              for t in ('requests', 'comments', 'activity', 'attachments',
                        'participants', 'users')}
    db.close()
    stamp = {'generator': GEN_VERSION, 'requests': args.requests,
             'seed': args.seed, 'rows': counts,
             'seconds': round(time.time() - started)}
    with open(args.db + '.stamp', 'w') as f:
        json.dump(stamp, f)
    print('%s: %s in %.0f s' % (args.db, ', '.join('%d %s' % (v, k)
                                                   for k, v in counts.items()),
                                time.time() - started))


if __name__ == '__main__':
    main()
