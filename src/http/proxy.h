/* proxy.h: who the client is when zek runs behind reverse proxies.
 *
 * Behind nginx every connection comes from the proxy's address; the
 * client's own is in X-Forwarded-For. That header is only believed when
 * the connection comes from a proxy the operator named (trusted_proxies),
 * since anybody else can write it. */
#ifndef ZEK_HTTP_PROXY_H
#define ZEK_HTTP_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#define PROXY_MAX 32        /* trusted addresses or networks */
#define PROXY_TEXT_MAX 4096 /* the setting's length */

struct proxy_net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix; /* bits that must match */
};

struct proxy_list {
	size_t n;
	struct proxy_net net[PROXY_MAX];
};

/* Reads "10.0.0.5, 192.0.2.0/24 2001:db8::/32" (commas or spaces).
 * 0, or -1 for a bad entry, too many, or too long a text. "" is none. */
int proxy_list_parse(const char *text, struct proxy_list *out);

/* Whether the address text `addr` lies in one of l's networks. */
bool proxy_list_has(const struct proxy_list *l, const char *addr);

/* The client's address into out: `peer` itself unless it is trusted;
 * then the rightmost address of `xff` (X-Forwarded-For, NULL if absent)
 * that is not trusted, or the leftmost when all are. An entry that is not
 * an address ends the walk: what stands left of it cannot be believed. */
void proxy_client_ip(const struct proxy_list *l, const char *peer,
    const char *xff, char *out, size_t n);

#endif
