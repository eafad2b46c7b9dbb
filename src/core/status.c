/* status.c: request statuses and resolutions: codes, labels, categories. */
#include "core/status.h"

#include <stddef.h>

#include "lib/str.h"
#include "lib/zek.h"

struct label {
	const char *code;
	const char *de;
	const char *en;
};

static const struct label statuses[STATUS_MAX] = {
	[STATUS_OFFEN] = { "offen", "Offen", "Open" },
	[STATUS_WARTET_SUPPORT] = { "wartet_support", "Wartet auf Support",
	    "Waiting for support" },
	[STATUS_IN_BEARBEITUNG] = { "in_bearbeitung", "In Bearbeitung",
	    "In progress" },
	[STATUS_WARTET_KUNDE] = { "wartet_kunde", "Wartet auf Kunden",
	    "Waiting for customer" },
	[STATUS_GESCHLOSSEN] = { "geschlossen", "Geschlossen", "Closed" },
};

static const struct label resolutions[RESOLUTION_MAX] = {
	[RESOLUTION_NONE] = { "", "", "" },
	[RESOLUTION_GELOEST] = { "geloest", "Gelöst", "Resolved" },
	[RESOLUTION_ZURUECKGEZOGEN] = { "zurueckgezogen", "Zurückgezogen",
	    "Withdrawn" },
	[RESOLUTION_DUPLIKAT] = { "duplikat", "Duplikat", "Duplicate" },
	[RESOLUTION_ABGELEHNT] = { "abgelehnt", "Abgelehnt", "Declined" },
};

const char *
status_code(enum status s)
{
	return s < STATUS_MAX ? statuses[s].code : "";
}

const char *
resolution_code(enum resolution r)
{
	return r < RESOLUTION_MAX ? resolutions[r].code : "";
}

bool
status_from_code(const char *code, enum status *out)
{
	size_t i;

	for (i = 0; i < STATUS_MAX; i++) {
		if (str_eq(code, statuses[i].code)) {
			*out = (enum status)i;
			return true;
		}
	}
	return false;
}

bool
resolution_from_code(const char *code, enum resolution *out)
{
	size_t i;

	if (code == NULL)
		code = "";
	for (i = 0; i < RESOLUTION_MAX; i++) {
		if (str_eq(code, resolutions[i].code)) {
			*out = (enum resolution)i;
			return true;
		}
	}
	return false;
}

bool
status_decode(const char *status, const char *resolution, enum status *st,
    enum resolution *res)
{
	if (status_from_code(status, st) &&
	    resolution_from_code(resolution, res))
		return true;
	*st = STATUS_GESCHLOSSEN;
	*res = RESOLUTION_NONE;
	return false;
}

static const char *
pick(const struct label *l, const char *lang)
{
	return str_eq(lang, "en") ? l->en : l->de;
}

const char *
status_label(enum status s, const char *lang)
{
	return s < STATUS_MAX ? pick(&statuses[s], lang) : "";
}

const char *
resolution_label(enum resolution r, const char *lang)
{
	return r < RESOLUTION_MAX ? pick(&resolutions[r], lang) : "";
}

enum status_category
status_category(enum status s)
{
	switch (s) {
	case STATUS_OFFEN:
		return STATUS_CAT_NEW;
	case STATUS_GESCHLOSSEN:
		return STATUS_CAT_DONE;
	default:
		return STATUS_CAT_IN_PROGRESS;
	}
}

bool
status_is_open(enum status s)
{
	return s != STATUS_GESCHLOSSEN;
}
