"""Every field of every request type through the HTML form (issue 13).

Nothing here names a request type or a field: the module reads what the
server serves — the request types and their fields from the REST API
(the configuration as loaded), the controls from each create form's HTML —
and fills every field with a valid value of its kind: text, Markdown, URL,
date-time, every select and radio chosen, every checkbox ticked, objects
picked (two where the field takes several), files attached. The request
must be created (a ticked "Funktionale Änderungen" once failed with
"Dieser Wert ist hier nicht möglich"), and every value must come back on
the request page and in the REST API. A new request type or field is
covered without anyone listing it.

The second half sends each form with every field wrong (required ones
empty, the others with a value of the wrong kind) and checks that the
error summary names every field it links to.

The module runs against a server of its own: it creates requests, which
the other modules' counts must not see."""

import html.parser
import json
import re
import uuid

from zektest import PORTAL, Client, Server, assert_html_ok, png, unescape

PROFILE = "/servicedesk/customer/user/profile"
SD = "/rest/servicedeskapi"
ANNA = "anna@example.org"
FORM_OWN = {"csrf", "onbehalf", "share"}   # every create form has these
STATE = {}
TXT = b"Protokoll\nZeile 2\n"


def srv(binary):
    if "server" not in STATE:
        STATE["server"] = Server(binary, extra_env={"ZEK_MAX_FILE_BYTES": str(200 * 1024)})
        c = Client(STATE["server"])
        c.login(ANNA)
        page = c.get(PROFILE).text
        expires = re.search(r'id="t-expires"[^>]*value="([^"]*)"', page).group(1)
        r = c.post_form(PROFILE + "/tokens", [("name", "forms"), ("expires", expires)])
        assert r.status == 200, r.status
        STATE["token"] = re.search(r'id="t-new"[^>]*value="(zek_[^"]+)"', r.text).group(1)
    return STATE["server"]


def api(path):
    c = Client(STATE["server"])
    r = c.request("GET", SD + path, headers={"Authorization": "Bearer " + STATE["token"],
                                             "Accept": "application/json"})
    assert r.status == 200, (path, r.status, r.text[:500])
    return json.loads(r.text)


def request_types():
    """(desk, portal path, type id, type name, fields) for every request
    type the API offers, fields as the API describes them."""
    out = []
    for desk in api("/servicedesk")["values"]:
        portal = re.sub(r"^https?://[^/]+", "", desk["_links"]["portal"])
        for t in api("/servicedesk/%s/requesttype" % desk["id"])["values"]:
            fields = api("/servicedesk/%s/requesttype/%s/field" % (desk["id"], t["id"]))
            out.append((desk["id"], portal, t["id"], t["name"], fields["requestTypeFields"]))
    assert out, "no request types"
    return out


class Controls(html.parser.HTMLParser):
    """The named controls of the create form: name -> list of controls,
    each a dict with tag, type, value, multiple, options [(value, label)],
    id; and label texts by id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls, self.labels = {}, {}
        self.in_form = False
        self.select = self.option = self.label = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "form--create" in (a.get("class") or ""):
            self.in_form = True
        if not self.in_form:
            return
        if tag in ("input", "select", "textarea") and a.get("name"):
            c = {"tag": tag, "type": a.get("type", tag), "value": a.get("value"),
                 "multiple": "multiple" in a, "options": [], "id": a.get("id")}
            self.controls.setdefault(a["name"], []).append(c)
            if tag == "select":
                self.select = c
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value", ""), ""]
        elif tag == "label" and a.get("for"):
            self.label = [a["for"], ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data
        if self.label is not None:
            self.label[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "option" and self.option is not None:
            self.select["options"].append((self.option[0], self.option[1].strip()))
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "label" and self.label is not None:
            self.labels[self.label[0]] = " ".join(self.label[1].split())
            self.label = None


def controls(client, url):
    page = client.get(url)
    assert page.status == 200, (url, page.status)
    p = Controls()
    p.feed(page.text)
    return p


def fill(fid, ctl, labels, uid):
    """A valid value of the control's kind: (form values, files, what the
    request page and the API must show)."""
    c = ctl[0]
    kind = c["type"]
    if kind == "file":
        name_png, name_txt = "bild-%s.png" % fid, "protokoll-%s.txt" % fid
        return [], [(fid, name_png, png(), "image/png"), (fid, name_txt, TXT, "text/plain")], \
            {"page": [name_png, name_txt], "files": [name_png, name_txt]}
    if kind == "checkbox":
        label = labels.get(c["id"], "")
        return [(fid, c["value"] or "on")], [], {"page": [label], "api": [label]}
    if kind == "radio":
        return [(fid, ctl[-1]["value"])], [], {"page": [labels.get(ctl[-1]["id"], "")], "api": []}
    if kind == "select":
        opts = [o for o in c["options"] if o[0] != ""]
        assert opts, "%s: a select without choices" % fid
        chosen = opts[-2:] if c["multiple"] and len(opts) > 1 else opts[-1:]
        return [(fid, v) for v, _ in chosen], [], {"page": [l for _, l in chosen],
                                                    "api": [l for _, l in chosen]}
    if kind == "datetime-local":
        return [(fid, "2027-03-14T09:30")], [], {"page": ["14.03.2027, 09:30"], "api": ["2027-03-14T09:30"]}
    if kind == "url":
        u = "https://example.org/%s/%s" % (fid, uid)
        return [(fid, u)], [], {"page": [u], "api": [u]}
    if kind in ("text", "textarea"):
        v = "Wert %s %s" % (fid, uid)
        return [(fid, v)], [], {"page": [v], "api": [v]}
    raise AssertionError("%s: a control of unknown kind %r: teach fill() about it" % (fid, kind))


def test_every_field_of_every_request_type(c, binary):
    srv(binary)
    anna = Client(STATE["server"])
    anna.login(ANNA)
    kinds = set()
    for desk, portal, tid, tname, fields in request_types():
        url = "%s/create/%s" % (portal, tid)
        form = controls(anna, url)
        offered = set(form.controls) - FORM_OWN
        declared = {f["fieldId"] for f in fields}
        assert offered == declared, "%s: the form offers %s, the type has %s" % (tname, offered, declared)
        uid = uuid.uuid4().hex[:8]
        values, files, want = [], [], {}
        for f in fields:
            ctl = form.controls[f["fieldId"]]
            kinds.add(ctl[0]["type"] + ("+multiple" if ctl[0]["multiple"] else ""))
            v, fl, w = fill(f["fieldId"], ctl, form.labels, uid)
            values += v
            files += fl
            want[f["fieldId"]] = (f["name"], w)
        r = anna.post_multipart(url, values + [("share", "private")], files)
        assert r.status == 303, "%s: not created (%d): %s" % (
            tname, r.status, re.findall(r'class="field__error"[^>]*>(.*?)</p>', r.text, re.S)
            or r.text[:2000])
        key = r.header("Location").rsplit("/", 1)[1]
        page = anna.get(r.header("Location"))
        assert page.status == 200
        assert_html_ok(page.text, "request page of " + tname)
        text = unescape(re.sub(r"<[^>]+>", " ", page.text))
        text = " ".join(text.split())
        got = api("/request/%s" % key)
        api_values = {v["fieldId"]: v for v in got["requestFieldValues"]}
        attached = [a["filename"] for a in api("/request/%s/attachment" % key)["values"]]
        for fid, (label, w) in want.items():
            for shown in w.get("page", []):
                assert shown and shown in text, "%s: %s (%s) not on the request page: %r" % (
                    tname, fid, label, shown)
            if "api" in w:
                assert fid in api_values, "%s: %s missing in the API: %s" % (tname, fid, list(api_values))
                dumped = json.dumps(api_values[fid], ensure_ascii=False)
                for shown in w["api"]:
                    assert shown in dumped, "%s: %s: %r not in the API's %s" % (tname, fid, shown, dumped)
            for name in w.get("files", []):
                assert name in attached, "%s: %s not attached: %s" % (tname, name, attached)
    # The demo configuration has every kind a field can have; should it lose
    # one, this test would stop covering it without saying so.
    for k in ("text", "textarea", "url", "datetime-local", "checkbox", "select",
              "select+multiple", "file+multiple"):
        assert k in kinds, "no request type has a %s field any more: %s" % (k, sorted(kinds))


def wrong(fid, ctl):
    """A value the field must refuse, or None (left empty)."""
    kind = ctl[0]["type"]
    return {"checkbox": "vielleicht", "select": "gibt-es-nicht", "url": "kein Link",
            "datetime-local": "gestern"}.get(kind)


def summary(text):
    m = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert m, "no error summary"
    return [(href, " ".join(unescape(re.sub(r"<[^>]+>", " ", inner)).split()))
            for href, inner in re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', m.group(0), re.S)]


def test_error_summary_names_every_field(c, binary):
    srv(binary)
    anna = Client(STATE["server"])
    anna.login(ANNA)
    for desk, portal, tid, tname, fields in request_types():
        url = "%s/create/%s" % (portal, tid)
        form = controls(anna, url)
        values, expect = [], {}
        for f in fields:
            ctl = form.controls[f["fieldId"]]
            v = wrong(f["fieldId"], ctl)
            if v is not None:
                values.append((f["fieldId"], v))
            if v is not None or f["required"]:
                expect["f-" + f["fieldId"]] = f["name"]
        # Not one of the people offered, and not one of the user's organisations.
        values += [("onbehalf", "999999"), ("share", "999999")]
        r = anna.post_multipart(url, values)
        assert r.status == 422, (tname, r.status)
        items = summary(r.text)
        ids = set(re.findall(r'\bid="([^"]+)"', r.text))
        for href, entry in items:
            assert href in ids, "%s: the summary links to #%s, which is not on the page" % (tname, href)
            label, sep, message = entry.partition(":")
            assert sep and label.strip() and message.strip(), "%s: %r names no field" % (tname, entry)
            if href in expect:
                assert label.strip().startswith(expect[href]), (tname, href, entry, expect[href])
        named = {href for href, _ in items}
        missing = set(expect) - named
        assert not missing, "%s: no summary entry for %s: %s" % (tname, missing, items)
        assert {"f-onbehalf", "f-share-private"} <= named, (tname, items)
        assert 'id="f-share-error"' in r.text, "%s: the share error is not beside the field" % tname


def test_comment_error_summary_names_the_field(c, binary):
    srv(binary)
    anna = Client(STATE["server"])
    anna.login(ANNA)
    mine = api("/request?requestOwnership=OWNED_REQUESTS&limit=1")["values"][0]
    page = re.sub(r"^https?://[^/]+", "", mine["_links"]["web"])
    r = anna.post_multipart(page + "/comment", [("comment", "")])
    assert r.status == 422, r.status
    items = summary(r.text)
    assert items, "empty summary"
    for href, entry in items:
        label, sep, message = entry.partition(":")
        assert sep and label.strip() and message.strip(), entry
    assert ("f-comment", ) == tuple(h for h, _ in items), items


def test_zz_stop(c):
    if "server" in STATE:
        rc, log = STATE.pop("server").stop()
        problems = [line for line in log.splitlines() if "AddressSanitizer" in line
                    or "runtime error:" in line]
        assert rc in (0, -15) and not problems, (rc, log[-3000:])
