/* Unit tests for core/demo.c and core/portal.c: the demo configuration and data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/auth.h"
#include "core/demo.h"
#include "core/fields.h"
#include "core/portal.h"
#include "core/requests.h"
#include "core/users.h"
#include "helpers.h"
#include "store/store.h"

static struct tenv *env;

static int
setup(void **state)
{
	env = tenv_new();
	assert_int_equal(core_demo_load(&env->ctx), ZEK_OK);
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

static void
test_portal(void **state)
{
	struct portal_summary *ps;
	struct portal *p;
	size_t n;

	assert_int_equal(core_portals_list(&env->ctx, NULL, &ps, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ps[0].id, 17);
	assert_string_equal(ps[0].project_key, "ZEK");
	assert_string_equal(ps[0].name,
	    "Zentraler Eingangskanal für digitalisierte Verwaltungsleistungen");
	assert_int_equal(core_portal_get(&env->ctx, NULL, 17, "de", &p), ZEK_OK);
	assert_int_equal(p->ngroups, 2);
	assert_string_equal(p->groups[0].name, "Online-Dienste");
	assert_int_equal(p->groups[0].ntypes, 4);
	assert_string_equal(p->groups[0].types[0].name, "Störungsmeldung");
	assert_string_equal(p->groups[0].types[0].description,
	    "Sie möchten eine Störung bei einem Online-Dienst melden?");
	assert_string_equal(p->groups[0].types[1].name,
	    "Anforderung Online-Dienst");
	assert_string_equal(p->groups[0].types[1].description,
	    "Sie möchten eine Anforderung an einen Online-Dienst beauftragen? "
	    "Einen neuen Online-Dienst, ein neues Feature oder die "
	    "Weiterentwicklung?");
	assert_string_equal(p->groups[0].types[2].name,
	    "Online-Dienst Inbetriebnahme");
	assert_string_equal(p->groups[0].types[3].name, "Sonstige Frage");
	assert_string_equal(p->groups[1].name, "ODIS");
	assert_int_equal(p->groups[1].ntypes, 0);
	assert_int_equal(core_portal_get(&env->ctx, NULL, 1, "de", &p),
	    ZEK_NOTFOUND);
	assert_int_equal(core_portal_get(&env->ctx, NULL, 17, "en", &p), ZEK_OK);
	assert_string_equal(p->groups[0].name, "Online services");
	assert_string_equal(p->groups[0].types[0].name, "Incident report");
}

/* key, label, required, help, kind of one field. */
struct want {
	const char *key, *label;
	bool required;
	const char *help;
	enum field_kind kind;
};

static void
check_fields(int64_t type, const struct want *w, size_t n)
{
	struct reqtype *t;
	size_t i;

	assert_int_equal(core_reqtype_get(&env->ctx, 17, type, "de", &t),
	    ZEK_OK);
	assert_int_equal(t->nfields, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(t->fields[i].key, w[i].key);
		assert_string_equal(t->fields[i].label, w[i].label);
		assert_int_equal(t->fields[i].required, w[i].required);
		assert_string_equal(t->fields[i].help, w[i].help);
		assert_int_equal(t->fields[i].kind, w[i].kind);
	}
}

static void
test_stoerungsmeldung(void **state)
{
	static const struct want w[] = {
		{ "summary", "Titel", true, "Zusammenfassung des Fehlers",
		    FIELD_TEXT },
		{ "description", "Fehlerbeschreibung", true,
		    "In welchem Schritt des Workflows ist der Fehler "
		    "aufgetreten? Welche Schritte wurden zuvor ausgeführt? "
		    "Welche Daten wurden eingegeben?", FIELD_RICHTEXT },
		{ "attachment", "Anhang", false,
		    "Screenshot, verwendete Dokumente", FIELD_ATTACHMENT },
		{ "mandant", "Mandant", false,
		    "Mandant, auf dem der Online-Dienst läuft.", FIELD_OBJECT },
		{ "online_dienste", "Online Dienste", false,
		    "Betroffener Online-Dienst", FIELD_OBJECT },
		{ "bundesland", "Bundesland", false, "Bundesland, wo der Dienst "
		    "genutzt wird und der Fehler auftritt", FIELD_SELECT },
		{ "zeitpunkt", "Zeitpunkt", false,
		    "Bitte Datum und Uhrzeit des Fehlers angeben.",
		    FIELD_DATETIME },
		{ "fehler_url", "URL der Fehlerseite", false, "", FIELD_URL },
		{ "fachverfahren", "Ist ein Fachverfahren betroffen? Wenn ja, "
		    "welches?", false, "", FIELD_TEXT },
		{ "fehlermeldung", "Wortlaut der Fehlermeldung", false,
		    "Welche Fehlermeldung wurde angezeigt? Alternativ bitte "
		    "einen Screenshot anhängen.", FIELD_TEXTAREA },
		{ "umgebung", "Umgebung", false, "", FIELD_SELECT },
		{ "betriebssystem", "Betriebssystem", false, "", FIELD_SELECT },
		{ "browser", "Browser", false, "", FIELD_SELECT },
		{ "servicekonto", "Anmeldung mit Servicekonto? Wenn ja, welcher "
		    "Typ?", false, "", FIELD_SELECT },
	};
	struct reqtype *t;

	check_fields(1, w, ZEK_ARRAY_LEN(w));
	assert_int_equal(core_reqtype_get(&env->ctx, 17, 1, "de", &t), ZEK_OK);
	assert_string_equal(t->fields[0].placeholder,
	    "Geben Sie hier den Betreff Ihrer Anfrage ein");
	assert_string_equal(t->fields[4].object_kind, "online_dienst");
	assert_true(t->fields[4].multiple);
	assert_false(t->fields[3].multiple);
	assert_int_equal(t->fields[5].noptions, 16);
	assert_string_equal(t->fields[5].options[0].label, "Baden-Württemberg");
	assert_string_equal(t->fields[5].options[15].label, "Thüringen");
	assert_int_equal(t->fields[10].noptions, 4);
	assert_string_equal(t->fields[10].options[1].label, "Abnahme");
	assert_int_equal(t->fields[11].noptions, 6);
	assert_int_equal(t->fields[12].noptions, 5);
	assert_int_equal(t->fields[13].noptions, 4);
	assert_string_equal(t->fields[13].options[2].label,
	    "Servicekonto eines Landes");
	assert_int_equal(core_reqtype_get(&env->ctx, 17, 1, "en", &t), ZEK_OK);
	assert_string_equal(t->fields[1].label, "Fault description");
	assert_string_equal(t->fields[5].options[1].label, "Bavaria");
	assert_int_equal(core_reqtype_get(&env->ctx, 18, 1, "de", &t),
	    ZEK_NOTFOUND);
}

static void
test_other_types(void **state)
{
	static const struct want anf[] = {
		{ "summary", "Titel", true, "Zusammenfassung der Änderung",
		    FIELD_TEXT },
		{ "description", "Änderungsbeschreibung", true,
		    "Beschreiben Sie bitte den Zielzustand.", FIELD_RICHTEXT },
		{ "attachment", "Anhang", false, "z.B. Screenshot mit Markierung "
		    "des Änderungsbereichs", FIELD_ATTACHMENT },
		{ "mandant", "Mandant", false,
		    "Mandant, auf dem der Online-Dienst läuft.", FIELD_OBJECT },
		{ "online_dienste", "Online Dienste", false,
		    "Betroffener Online-Dienst", FIELD_OBJECT },
		{ "bundesland", "Bundesland", true, "", FIELD_SELECT },
		{ "fachverfahren", "Ist ein Fachverfahren betroffen? Wenn ja, "
		    "welches?", false, "", FIELD_TEXT },
		{ "fehler_url", "URL der Fehlerseite", false, "", FIELD_URL },
		{ "umgebung", "Umgebung", false, "", FIELD_SELECT },
		{ "kosmetisch", "Kosmetische Änderungen", false, "",
		    FIELD_CHECKBOX },
		{ "dienstleistungsseite", "Änderungen auf Dienstleistungsseite",
		    false, "", FIELD_CHECKBOX },
		{ "stylesheets", "In Stylesheets/Design", false, "",
		    FIELD_CHECKBOX },
		{ "funktional", "Funktionale Änderungen", false, "",
		    FIELD_CHECKBOX },
		{ "text", "Textänderung im Online Dienst", false, "",
		    FIELD_CHECKBOX },
	};
	static const struct want inb[] = {
		{ "summary", "Titel", true, "", FIELD_TEXT },
		{ "description", "Änderungsbeschreibung", true,
		    "Beschreiben Sie den Zielzustand.", FIELD_RICHTEXT },
		{ "attachment", "Anhang", false, "", FIELD_ATTACHMENT },
		{ "mandant", "Mandant", false, "", FIELD_OBJECT },
		{ "online_dienste", "Online Dienste", false, "", FIELD_OBJECT },
		{ "sonstiger_dienst", "Sonstiger Online-Dienst", false, "",
		    FIELD_TEXT },
		{ "bundesland", "Bundesland", false, "", FIELD_SELECT },
		{ "fachverfahren", "Ist ein Fachverfahren betroffen? Wenn ja, "
		    "welches?", false, "", FIELD_TEXT },
		{ "umgebung", "Umgebung", false, "", FIELD_SELECT },
	};
	static const struct want frage[] = {
		{ "summary", "Titel", true, "", FIELD_TEXT },
		{ "description", "Beschreibung", true, "Welche Information "
		    "benötigen Sie? In welchem Zusammenhang?", FIELD_RICHTEXT },
		{ "attachment", "Anhänge", false,
		    "Ergänzende Bilder oder Dokumente", FIELD_ATTACHMENT },
		{ "mandant", "Mandant", false, "", FIELD_OBJECT },
		{ "online_dienste", "Online Dienste", false, "", FIELD_OBJECT },
	};
	struct reqtype *t;

	check_fields(2, anf, ZEK_ARRAY_LEN(anf));
	check_fields(3, inb, ZEK_ARRAY_LEN(inb));
	check_fields(4, frage, ZEK_ARRAY_LEN(frage));
	assert_int_equal(core_reqtype_get(&env->ctx, 17, 2, "de", &t), ZEK_OK);
	assert_string_equal(t->fields[9].checkbox_label, "Ja");
}

static void
test_people_and_requests(void **state)
{
	static const char *const emails[] = { "anna@example.org",
	    "ben@example.org", "carla@example.org", "support@example.org",
	    "admin@example.org" };
	bool seen_status[STATUS_MAX] = { false };
	bool seen_res[RESOLUTION_MAX] = { false };
	struct request_view *v;
	struct session_new s;
	struct user *u, *agent;
	int64_t n, open;
	size_t i;
	char key[16];

	for (i = 0; i < ZEK_ARRAY_LEN(emails); i++)
		assert_int_equal(core_login(&env->ctx, emails[i], "demo",
		    "127.0.0.1", &s), ZEK_OK);
	assert_int_equal(core_user_by_email(&env->ctx, "anna@example.org", &u),
	    ZEK_OK);
	assert_string_equal(u->name, "Anna Schmidt");
	assert_string_equal(u->org_names[0], "Stadt Musterstadt – Bürgeramt");
	assert_int_equal(core_user_by_email(&env->ctx, "carla@example.org", &u),
	    ZEK_OK);
	assert_string_equal(u->org_names[0],
	    "Land Beispielland – Ministerium für Digitales");
	assert_int_equal(core_user_by_email(&env->ctx, "support@example.org",
	    &agent), ZEK_OK);
	assert_int_equal(agent->role, ROLE_AGENT);
	assert_int_equal(core_user_by_email(&env->ctx, "admin@example.org", &u),
	    ZEK_OK);
	assert_int_equal(u->role, ROLE_ADMIN);
	assert_int_equal(store_request_count(env->ctx.db, &n), ZEK_OK);
	assert_true(n >= 25 && n <= 40);
	/* Every status and every resolution occurs; oldest is ZEK-1. */
	for (i = 1; i <= (size_t)n; i++) {
		snprintf(key, sizeof(key), "ZEK-%zu", i);
		assert_int_equal(core_request_get(&env->ctx, agent, key, "de",
		    &v), ZEK_OK);
		seen_status[v->status] = true;
		seen_res[v->resolution] = true;
		assert_true(v->nfields >= 2);
		assert_true(v->created_at < env->ctx.now_ms);
	}
	for (i = 0; i < STATUS_MAX; i++)
		assert_true(seen_status[i]);
	for (i = 0; i < RESOLUTION_MAX; i++)
		assert_true(seen_res[i]);
	assert_int_equal(core_request_get(&env->ctx, agent, "ZEK-1", "de", &v),
	    ZEK_OK);
	assert_true(v->created_at < env->ctx.now_ms - 14LL * 24 * 3600 * 1000);
	assert_int_equal(core_user_by_email(&env->ctx, "anna@example.org", &u),
	    ZEK_OK);
	assert_int_equal(core_open_request_count(&env->ctx, u, &open), ZEK_OK);
	assert_true(open > 0);
	/* Loading again changes nothing. */
	assert_int_equal(core_demo_load(&env->ctx), ZEK_OK);
	assert_int_equal(store_request_count(env->ctx.db, &open), ZEK_OK);
	assert_int_equal(open, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_portal),
		cmocka_unit_test(test_stoerungsmeldung),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_people_and_requests),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
