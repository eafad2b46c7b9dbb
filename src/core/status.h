/* status.h: request statuses and resolutions with their labels. */
#ifndef ZEK_CORE_STATUS_H
#define ZEK_CORE_STATUS_H

#include <stdbool.h>

enum status {
	STATUS_OFFEN,
	STATUS_WARTET_SUPPORT,
	STATUS_IN_BEARBEITUNG,
	STATUS_WARTET_KUNDE,
	STATUS_GESCHLOSSEN,
	STATUS_MAX
};

enum resolution {
	RESOLUTION_NONE,
	RESOLUTION_GELOEST,
	RESOLUTION_ZURUECKGEZOGEN,
	RESOLUTION_DUPLIKAT,
	RESOLUTION_ABGELEHNT,
	RESOLUTION_MAX
};

/* Category as in JSM: "new", "indeterminate" (in progress), "done". */
enum status_category {
	STATUS_CAT_NEW,
	STATUS_CAT_IN_PROGRESS,
	STATUS_CAT_DONE
};

/* Stable codes stored in the database: "offen", "wartet_support",
 * "in_bearbeitung", "wartet_kunde", "geschlossen"; resolutions "geloest",
 * "zurueckgezogen", "duplikat", "abgelehnt" ("" = none). Static strings. */
const char *status_code(enum status s);
const char *resolution_code(enum resolution r);
/* Code to enum; false when unknown. */
bool status_from_code(const char *code, enum status *out);
bool resolution_from_code(const char *code, enum resolution *out);
/* The one way to read a stored status and resolution (resolution NULL or
 * "" = none). An unknown code is data zek never wrote (the database
 * refuses it since migration 0013): it fails closed, giving Geschlossen
 * without a resolution, a status in which nobody may change anything,
 * and returns false. Write paths refuse such a request (core_request_lock
 * answers ZEK_IO); read paths show it as closed. */
bool status_decode(const char *status, const char *resolution, enum status *st,
    enum resolution *res);
/* Labels in "de" or "en" (anything else = "de"): "Offen", "Wartet auf
 * Support", ...; resolutions "Gelöst", ...; RESOLUTION_NONE gives "".
 * Static strings. */
const char *status_label(enum status s, const char *lang);
const char *resolution_label(enum resolution r, const char *lang);
enum status_category status_category(enum status s);
bool status_is_open(enum status s); /* everything but Geschlossen */

#endif
