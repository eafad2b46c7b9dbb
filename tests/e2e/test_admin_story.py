"""The story of issue 16, end to end through the HTML forms, the REST API and
a real SMTP server (aiosmtpd): an admin adds a required select
"Dringlichkeit" with three options to "Sonstige Frage"; a customer sees it,
cannot create without it, creates with it; the request page, the API and
the confirmation mail show it. The admin renames one option and retires
another: old and new requests show what they should, the create page and
the API offer what is left. Hiding the field takes it from the form, not
from the requests that have it."""

import json
import re

from test_admin import follow, forms_of, option_rows, submit
from test_mail import PASSWORD, Smtp, Zek, text_of
from zektest import Client, PORTAL, api_token, assert_html_ok, created_key, unescape

ADMIN = ("admin@example.org", "Ada Admin", "de", "admin")
ANNA = ("anna@example.org", "Anna Schmidt", "de", "customer")
TYPE = "/servicedesk/admin/types/4"     # Sonstige Frage
CREATE = PORTAL + "/create/4"
SD = "/rest/servicedeskapi"


def signed_in(server, email):
    c = Client(server)
    r = c.login(email, PASSWORD)
    assert r.status == 303, r.status
    return c


def api(c, token, path):
    r = c.request("GET", path, None, {"Accept": "application/json", "Authorization": "Bearer " + token})
    assert r.status == 200, (path, r.status, r.text[:500])
    return json.loads(r.text)


def offered(page):
    """The options of the create form's select "dringlichkeit" (value -> label)."""
    m = re.search(r'<select[^>]*name="dringlichkeit"[^>]*>(.*?)</select>', page, re.S)
    assert m, "no select dringlichkeit on the create page"
    return {v: unescape(label) for v, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>',
                                                           m.group(1)) if v}


def ask(client, urgency, title):
    fields = [("summary", title), ("description", "Bitte um Auskunft."), ("share", "private")]
    if urgency is not None:
        fields.append(("dringlichkeit", urgency))
    return client.post_multipart(CREATE, fields)


def shown(client, key):
    """What the request page shows under "Dringlichkeit", or None."""
    page = client.get(PORTAL + "/" + key).text
    m = re.search(r"<dt[^>]*>Dringlichkeit</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    return unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else None


def api_urgency(c, token, key):
    body = api(c, token, SD + "/request/" + key)
    for f in body["requestFieldValues"]:
        if f["fieldId"] == "dringlichkeit":
            return f
    return None


def test_a_required_select_added_renamed_retired_and_hidden(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [ADMIN, ANNA])
    try:
        server = z.serve(smtp.url)
        admin = signed_in(server, ADMIN[0])
        anna = signed_in(server, ANNA[0])
        token = api_token(anna, "story")
        before = offered_field_ids(anna, token)
        assert "dringlichkeit" not in before

        # The admin adds the field through the type's form.
        r = submit(admin, admin.get(TYPE).text, TYPE + "/fields", kind="select",
                   label_de="Dringlichkeit", label_en="Urgency", required=True,
                   options="Hoch | High\nMittel | Medium\nNiedrig | Low")
        loc, fpage = follow(admin, r, "field_added")
        field = loc.split("?")[0]

        # At once: the create page offers it, required; the API's create meta too.
        page = anna.get(CREATE).text
        assert_html_ok(page, "create page with the new field")
        assert offered(page) == {"hoch": "Hoch", "mittel": "Mittel", "niedrig": "Niedrig"}
        assert re.search(r"Dringlichkeit\s*</label>", page), "labelled without (optional)"
        meta = [f for f in api(anna, token, SD + "/servicedesk/1/requesttype/4/field")["requestTypeFields"]
                if f["fieldId"] == "dringlichkeit"]
        assert len(meta) == 1 and meta[0]["required"] is True and meta[0]["name"] == "Dringlichkeit", meta
        assert [v["value"] for v in meta[0]["validValues"]] == ["hoch", "mittel", "niedrig"], meta

        # Without it: refused at the field, what was typed kept.
        r = ask(anna, None, "Ohne Dringlichkeit")
        assert r.status == 422, r.status
        assert 'id="f-dringlichkeit"' in r.text and "Ohne Dringlichkeit" in r.text
        assert re.search(r'<a href="#f-dringlichkeit">', r.text), "the error summary links to it"

        # With it: the page, the API and the confirmation mail show it.
        medium = created_key(ask(anna, "mittel", "Mit mittlerer Dringlichkeit"))
        high = created_key(ask(anna, "hoch", "Mit hoher Dringlichkeit"))
        assert shown(anna, medium) == "Mittel"
        f = api_urgency(anna, token, medium)
        assert f is not None and f["label"] == "Dringlichkeit" and "Mittel" in json.dumps(f, ensure_ascii=False), f
        mail = smtp.wait_for(lambda m: medium in m["Subject"] and m.rcpt == ANNA[0])[0]
        assert "Dringlichkeit" in text_of(mail) and "Mittel" in text_of(mail), text_of(mail)

        # "Mittel" renamed, "Hoch" retired.
        opts = option_rows(fpage)
        r = submit(admin, fpage, "/servicedesk/admin/options/" + opts["Mittel"][0],
                   label_de="Normal", label_en="Normal")
        _, fpage = follow(admin, r, "option_renamed")
        hoch = "/servicedesk/admin/options/" + opts["Hoch"][0]
        r = admin.post_form(hoch, [(n, v) for n, v, k, _ in forms_of(fpage, hoch)[-1]["fields"]
                                   if n != "csrf" and v is not None])
        follow(admin, r, "option_retired")

        # Old requests keep their meaning; the form and the API offer what is left.
        assert shown(anna, medium) == "Normal"
        assert shown(anna, high) == "Hoch"
        assert "Hoch" in json.dumps(api_urgency(anna, token, high), ensure_ascii=False)
        assert offered(anna.get(CREATE).text) == {"mittel": "Normal", "niedrig": "Niedrig"}
        meta = [f for f in api(anna, token, SD + "/servicedesk/1/requesttype/4/field")["requestTypeFields"]
                if f["fieldId"] == "dringlichkeit"][0]
        assert [v["value"] for v in meta["validValues"]] == ["mittel", "niedrig"], meta
        assert ask(anna, "hoch", "Noch einmal hoch").status == 422
        low = created_key(ask(anna, "niedrig", "Mit niedriger Dringlichkeit"))
        assert shown(anna, low) == "Niedrig"

        # Hidden: gone from the form and the create meta, still on the requests.
        fpage = admin.get(field).text
        r = submit(admin, fpage, field, hidden=True)
        follow(admin, r, "saved")
        assert 'name="dringlichkeit"' not in anna.get(CREATE).text
        assert "dringlichkeit" not in offered_field_ids(anna, token)
        plain = created_key(ask(anna, None, "Ohne das Feld"))
        assert shown(anna, plain) is None
        assert shown(anna, high) == "Hoch" and shown(anna, medium) == "Normal"
    finally:
        z.close()
        smtp.stop()


def offered_field_ids(c, token):
    return [f["fieldId"] for f in api(c, token, SD + "/servicedesk/1/requesttype/4/field")["requestTypeFields"]]
