/* text.h: a received mail's body as comment text: HTML to text, quotes cut, Markdown. */
#ifndef ZEK_MAIL_RECEIVE_TEXT_H
#define ZEK_MAIL_RECEIVE_TEXT_H

#include <stdbool.h>

struct arena;

/* The text an HTML body shows: tags dropped (script, style, head with
 * their content), line breaks for <br>, paragraphs, divisions, list items,
 * table rows and headings, entities decoded, a blockquote's lines quoted
 * with "> " (so that mail_text_cut_quotes knows them). NULL: no memory. */
char *mail_text_from_html(struct arena *a, const char *html);

/* What a person wrote above the history their client quoted: stops at
 * zek's cut line ("-- Bitte oberhalb dieser Zeile antworten --" or its
 * English form, quoted or not), a signature separator ("-- "), the
 * quote headers of common clients ("Am ... schrieb ...:", "On ...
 * wrote:", "-----Ursprüngliche Nachricht-----", "-----Original
 * Message-----", Outlook's "Von:"/"From:" followed by
 * "Gesendet:"/"Sent:"), and drops lines quoted with ">". Line ends become
 * LF; blank lines at either end go. NULL: no memory. */
char *mail_text_cut_quotes(struct arena *a, const char *text);

/* Text of a format=flowed part (RFC 3676) as the lines the writer
 * meant: a line ending in a space goes on with the next one (without
 * that space when delsp), except the signature separator "-- "; the
 * space a sender stuffed before a line is dropped. NULL: no memory. */
char *mail_text_unflow(struct arena *a, const char *text, bool delsp);

/* Plain text as Markdown that shows the same: every line break kept (a
 * hard break), characters that would start a heading, quote, list or
 * table at a line's start escaped. NULL: no memory. */
char *mail_text_to_markdown(struct arena *a, const char *text);

#endif
