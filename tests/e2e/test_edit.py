"""End-to-end tests of the agents' daily chores of issue 18: editing a
request (every kind of field, a type change with mapped and "frühere"
values, a stale form) and linked requests (both pages, closing as
duplicate). Driven through the HTML forms with their CSRF tokens, as a
person would."""

import re

from zektest import (assert_html_ok, assert_in, created_key, option_value, type_links, unescape,
                     PORTAL)

REQ = "/servicedesk/agent/requests/"


def as_user(c, email):
    c.login(email)
    return c


def show(c, path, what, status=200):
    r = c.get(path)
    assert r.status == status, (path, r.status, r.text[:1500])
    assert_html_ok(r.text, what)
    return r.text


def token(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def hidden(page, name):
    return re.search(r'<input type="hidden" name="%s" value="([^"]*)">' % name, page).group(1)


def text_of(page, section):
    m = re.search(r'<section class="panel[^"]*"[^>]*id="%s".*?</section>' % section, page, re.S)
    assert m, "no section " + section
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", m.group(0))))


def incident(anna, title):
    """A Störungsmeldung with a select, a date and two objects filled in."""
    url = type_links(anna)["Störungsmeldung"]
    form = anna.get(url).text
    r = anna.post_multipart(url, [
        ("summary", title), ("description", "Seit **heute**."),
        ("bundesland", "DE-BY"), ("zeitpunkt", "2026-03-02T09:15"),
        ("mandant", option_value(form, "mandant", "Stadt Musterstadt")),
        ("online_dienste", option_value(form, "online_dienste", "Wohngeld")),
        ("share", "private")])
    return created_key(r)


def edit(agent, key, fields, type_id=None, status=303, page=None):
    """Posts the edit form as the page gave it (token, type, version),
    with `fields` instead of the form's own values."""
    page = page or show(agent, REQ + key + "/edit" + ("?type=%s" % type_id if type_id else ""),
                        "edit form")
    body = [("csrf", token(page)), ("type", hidden(page, "type")),
            ("version", hidden(page, "version"))] + list(fields)
    r = agent.post_form(REQ + key + "/edit", body, csrf=False)
    assert r.status == status, (r.status, r.text[:2000])
    return r


def form_fields(page):
    """The edit form's values as a browser would send them unchanged."""
    form = page.split('aria-labelledby="fields-heading"')[1].split("</form>")[0]
    out = []
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="hidden"' in tag:
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        out.append((name.group(1), unescape(re.search(r'value="([^"]*)"', tag).group(1))))
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S):
        out.append((name, unescape(body)))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        for value in re.findall(r'<option value="([^"]*)" selected>', body):
            out.append((name, unescape(value)))
    return out


def replaced(fields, **new):
    out = [(k, v) for k, v in fields if k not in new]
    for k, v in new.items():
        for one in (v if isinstance(v, list) else [v]):
            out.append((k, one))
    return out


def test_customers_get_404_on_the_new_routes(c, server):
    from zektest import Client
    anna = as_user(c, "anna@example.org")
    key = incident(anna, "Nicht für Kunden")
    assert anna.get(REQ + key + "/edit").status == 404
    for path, fields in (("/edit", [("type", "1"), ("version", "0")]),
                         ("/links", [("kind", "relates"), ("link_key", "ZEK-1")]),
                         ("/links/remove", [("other", "ZEK-1")])):
        r = anna.post_form(REQ + key + path, fields)
        assert r.status == 404, (path, r.status)
    assert Client(server).get(REQ + key + "/edit").status == 303


def test_edit_every_kind_of_field_and_the_log(c, server):
    from zektest import Client
    anna = as_user(Client(server), "anna@example.org")
    agent = as_user(c, "support@example.org")
    key = incident(anna, "Anmeldung schlägt fehl")
    page = show(agent, REQ + key, "agent page")
    assert_in('href="%s%s/edit"' % (REQ, key), page)
    form = show(agent, REQ + key + "/edit", "edit form")
    # The stored values, in the controls of each kind.
    assert 'value="Anmeldung schlägt fehl"' in unescape(form)
    assert '<option value="DE-BY" selected>Bayern</option>' in form
    assert 'value="2026-03-02T09:15"' in form
    mandant = option_value(form, "mandant", "Stadt Musterstadt")
    assert '<option value="%s" selected>' % mandant in form
    fields = form_fields(form)
    wohngeld = option_value(form, "online_dienste", "Wohngeld")
    elterngeld = option_value(form, "online_dienste", "Elterngeld")
    other = option_value(form, "mandant", "Dataport – Mandant Hamburg")
    fields = replaced(fields, summary="Anmeldung mit BundID schlägt fehl",
                      description="Seit **gestern**.", bundesland="DE-BE",
                      zeitpunkt="2026-03-03T10:00", mandant=other,
                      online_dienste=[wohngeld, elterngeld], umgebung="test")
    r = edit(agent, key, fields, page=form)
    assert r.header("Location") == REQ + key + "#details"
    page = show(agent, REQ + key, "agent page after the edit")
    for text in ("Anmeldung mit BundID schlägt fehl", "Berlin", "Elterngeld", "Wohngeld",
                 "Dataport – Mandant Hamburg", "Test"):
        assert_in(text, unescape(page))
    act = text_of(page, "activity")
    for text in ("Titel geändert: Anmeldung schlägt fehl → Anmeldung mit BundID schlägt fehl",
                 "Bundesland geändert: Bayern → Berlin",
                 "Mandant geändert: Stadt Musterstadt → Dataport – Mandant Hamburg",
                 "Online Dienste geändert: Wohngeld → Wohngeld, Elterngeld",
                 "Umgebung geändert: (leer) → Test"):
        assert_in(text, act)
    assert re.search(r"Zeitpunkt[^:]* geändert: 02\.03\.2026, 09:15 → 03\.03\.2026, 10:00", act), act
    # The customer sees the new values, not the log of the changes.
    cust = show(anna, PORTAL + "/" + key, "customer page after the edit")
    assert_in("Anmeldung mit BundID schlägt fehl", unescape(cust))
    assert_in("Berlin", cust)
    assert "geändert:" not in cust and "Anmeldung schlägt fehl" not in unescape(cust)
    # Found by the new words of title and description, not the old.
    r = agent.get("/servicedesk/agent/queues/open?q=BundID")
    assert key in r.text
    r = agent.get("/servicedesk/agent/queues/open?q=gestern")
    assert key in r.text

    # Another type: the form shows what it keeps; a checkbox of its own.
    form = show(agent, REQ + key + "/edit?type=2", "edit form for another type")
    assert_in("Der Anfragetyp wird beim Speichern geändert.", form)
    assert '<option value="DE-BE" selected>Berlin</option>' in form
    assert 'name="zeitpunkt"' not in form
    fields = replaced(form_fields(form), kosmetisch="on")
    edit(agent, key, fields, page=form)
    page = show(agent, REQ + key, "agent page after the type change")
    assert_in("Anforderung Online-Dienst", page)
    former = page.split('id="former-heading"')[1].split("</dl>")[0]
    assert_in("Zeitpunkt", former)
    assert_in("03.03.2026, 10:00", former)
    assert "Bundesland" not in former           # mapped by key: still a field
    act = text_of(page, "activity")
    assert_in("Anfragetyp geändert: Störungsmeldung → Anforderung Online-Dienst", act)
    assert_in("Kosmetische Änderungen geändert: (leer) → Ja", act)
    cust = show(anna, PORTAL + "/" + key, "customer page after the type change")
    assert_in("Anforderung Online-Dienst", cust)
    assert "Frühere Angaben" not in cust and "03.03.2026" not in cust
    # Unticked: a checkbox not sent is emptied.
    form = show(agent, REQ + key + "/edit", "edit form")
    assert re.search(r'name="kosmetisch" value="on" checked', form)
    edit(agent, key, [f for f in form_fields(form) if f[0] != "kosmetisch"], page=form)
    assert_in("Kosmetische Änderungen geändert: Ja → (leer)", text_of(show(agent, REQ + key, "page"), "activity"))
    # And back: the former value is a field again.
    form = show(agent, REQ + key + "/edit?type=1", "edit form back")
    assert 'value="2026-03-03T10:00"' in form
    edit(agent, key, form_fields(form), page=form)
    page = show(agent, REQ + key, "agent page, type back")
    assert "former-heading" not in page


def test_errors_beside_the_field_with_the_input_kept(c):
    agent = as_user(c, "support@example.org")
    key = incident(agent, "Fehler im Formular")
    form = show(agent, REQ + key + "/edit", "edit form")
    fields = replaced(form_fields(form), summary="", description="Mein **Text** bleibt.",
                      zeitpunkt="gestern", bundesland="XX")
    r = edit(agent, key, fields, status=422, page=form)
    assert_html_ok(r.text, "edit form with errors")
    page = unescape(r.text)
    assert_in("Bitte füllen Sie dieses Feld aus.", page)
    assert_in("Bitte wählen Sie einen Eintrag aus der Liste.", page)
    assert 'id="f-summary" name="summary" value=""' in page and 'aria-invalid="true"' in page
    assert_in("Mein **Text** bleibt.", page)
    assert_in('value="gestern"', page)
    assert 'href="#f-summary"' in page     # the summary links to the field
    # Nothing was written.
    assert "Fehler im Formular" in unescape(show(agent, REQ + key, "page"))


def test_a_stale_form_is_refused_and_keeps_the_input(c, server):
    from zektest import Client
    agent = as_user(c, "support@example.org")
    tom = as_user(Client(server), "admin@example.org")
    key = incident(agent, "Zwei gleichzeitig")
    mine = show(agent, REQ + key + "/edit", "my form")
    theirs = show(tom, REQ + key + "/edit", "their form")
    edit(tom, key, replaced(form_fields(theirs), summary="Zuerst gespeichert"), page=theirs)
    r = edit(agent, key, replaced(form_fields(mine), summary="Danach gespeichert"), status=409,
             page=mine)
    assert_html_ok(r.text, "conflict page")
    assert_in("inzwischen von jemand anderem geändert", unescape(r.text))
    assert_in('value="Danach gespeichert"', unescape(r.text))
    assert "Zuerst gespeichert" in unescape(show(agent, REQ + key, "page"))
    # Saving the kept input again is a choice made knowing.
    edit(agent, key, replaced(form_fields(r.text), summary="Danach gespeichert"), page=r.text)
    assert "Danach gespeichert" in unescape(show(agent, REQ + key, "page"))


def link(agent, key, kind, other, status=303):
    page = show(agent, REQ + key, "agent page")
    r = agent.post_form(REQ + key + "/links", [("csrf", token(page)), ("kind", kind),
                                               ("link_key", other)], csrf=False)
    assert r.status == status, (r.status, r.text[:1500])
    return r


def test_links_on_both_pages_checked_and_removed(c, server):
    from zektest import Client
    anna = as_user(Client(server), "anna@example.org")
    agent = as_user(c, "support@example.org")
    a, b = incident(anna, "Verknüpfung A"), incident(anna, "Verknüpfung B")
    r = link(agent, a, "relates", b.lower())
    assert r.header("Location") == REQ + a + "#links"
    pa, pb = show(agent, REQ + a, "page a"), show(agent, REQ + b, "page b")
    assert_in("Hängt zusammen mit %s Verknüpfung B" % b, text_of(pa, "links"))
    assert_in("Hängt zusammen mit %s Verknüpfung A" % a, text_of(pb, "links"))
    assert_in("Verknüpft: Hängt zusammen mit %s" % b, text_of(pa, "activity"))
    # Refused beside the key field, with the key kept.
    for other, text in ((a, "nicht mit sich selbst"), ("ZEK-999999", "gibt es nicht"),
                        (b, "bereits verknüpft"), ("", "Bitte füllen Sie")):
        r = link(agent, a, "duplicate_of", other, status=422)
        assert_html_ok(r.text, "link refused")
        links = text_of(r.text, "links")
        assert_in(text, links)
        assert 'name="link_key" value="%s"' % other in r.text
    r = link(agent, b, "relates", a, status=422)
    # Customers see no links, nor their log entries.
    cust = show(anna, PORTAL + "/" + a, "customer page")
    assert "Hängt zusammen" not in cust and b not in cust and "Verknüpft:" not in cust
    # Removed from the other side.
    r = agent.post_form(REQ + b + "/links/remove", [("csrf", token(pb)), ("other", a)], csrf=False)
    assert r.status == 303
    assert_in("Keine verknüpften Anfragen.", text_of(show(agent, REQ + a, "page a"), "links"))
    assert_in("Verknüpfung entfernt: Hängt zusammen mit %s" % b,
              text_of(show(agent, REQ + a, "page a"), "activity"))
    r = agent.post_form(REQ + b + "/links/remove", [("csrf", token(pb)), ("other", a)], csrf=False)
    assert r.status == 400


def test_closing_as_duplicate_asks_for_the_original(c):
    agent = as_user(c, "support@example.org")
    orig, dup = incident(agent, "Das Original"), incident(agent, "Das Duplikat")
    page = show(agent, REQ + dup, "page")
    assert_in('name="original"', page)

    def close(original, status):
        r = agent.post_form(REQ + dup + "/status", [
            ("csrf", token(page)), ("action", "close_duplikat"), ("original", original),
            ("status_comment", "Doppelt.")], csrf=False)
        assert r.status == status, (r.status, r.text[:1500])
        return r

    r = close("", 422)
    assert_html_ok(r.text, "close refused")
    assert_in("Bitte füllen Sie dieses Feld aus.", unescape(r.text))
    assert_in("Doppelt.", r.text)                      # the comment is kept
    assert_in("gibt es nicht", unescape(close("ZEK-999999", 422).text))
    assert_in("nicht mit sich selbst", unescape(close(dup, 422).text))
    close(orig, 303)
    page = show(agent, REQ + dup, "closed duplicate")
    assert_in("Duplikat von %s Das Original" % orig, text_of(page, "links"))
    assert_in("Geschlossen mit Lösung Duplikat", text_of(page, "activity"))
    assert_in("Hat Duplikat %s Das Duplikat" % dup, text_of(show(agent, REQ + orig, "orig"), "links"))


def test_demo_data_has_a_related_pair(c):
    agent = as_user(c, "support@example.org")
    assert_in("Hängt zusammen mit ZEK-13 Kita-Platz",
              text_of(show(agent, REQ + "ZEK-22", "demo request"), "links"))
    assert_in("Hängt zusammen mit ZEK-22 Anwohnerparken",
              text_of(show(agent, REQ + "ZEK-13", "demo request"), "links"))
