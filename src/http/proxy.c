/* proxy.c: the client's address behind trusted reverse proxies. */
#include "http/proxy.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#define SEPARATORS ", \t"

/* Parses one address (no prefix) into n; false when it is none. */
static bool
addr_parse(const char *s, size_t len, struct proxy_net *n)
{
	char text[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(text))
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, text, n->addr) == 1) {
		n->family = AF_INET;
		n->prefix = 32;
		return true;
	}
	if (inet_pton(AF_INET6, text, n->addr) == 1) {
		n->family = AF_INET6;
		n->prefix = 128;
		return true;
	}
	return false;
}

/* "addr" or "addr/bits". */
static bool
net_parse(const char *s, size_t len, struct proxy_net *n)
{
	const char *slash = memchr(s, '/', len);
	unsigned bits = 0;
	size_t i;

	if (slash == NULL)
		return addr_parse(s, len, n);
	if (!addr_parse(s, (size_t)(slash - s), n))
		return false;
	i = (size_t)(slash - s) + 1;
	if (i == len || len - i > 3)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		bits = bits * 10 + (unsigned)(s[i] - '0');
	}
	if (bits > n->prefix)
		return false;
	n->prefix = bits;
	return true;
}

int
proxy_list_parse(const char *text, struct proxy_list *out)
{
	const char *p = text;
	size_t len;

	out->n = 0;
	if (strlen(text) > PROXY_TEXT_MAX)
		return -1;
	for (;;) {
		p += strspn(p, SEPARATORS);
		if (*p == '\0')
			return 0;
		len = strcspn(p, SEPARATORS);
		if (out->n == PROXY_MAX ||
		    !net_parse(p, len, &out->net[out->n]))
			return -1;
		out->n++;
		p += len;
	}
}

static bool
net_contains(const struct proxy_net *net, const struct proxy_net *a)
{
	unsigned whole = net->prefix / 8, rest = net->prefix % 8;
	unsigned char mask;

	if (net->family != a->family || memcmp(net->addr, a->addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[whole] & mask) == (a->addr[whole] & mask);
}

static bool
trusted(const struct proxy_list *l, const struct proxy_net *a)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (net_contains(&l->net[i], a))
			return true;
	return false;
}

bool
proxy_list_has(const struct proxy_list *l, const char *addr)
{
	struct proxy_net a;

	return addr != NULL && addr_parse(addr, strlen(addr), &a) &&
	    trusted(l, &a);
}

static void
copy_addr(char *out, size_t n, const char *s, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

void
proxy_client_ip(const struct proxy_list *l, const char *peer, const char *xff,
    char *out, size_t n)
{
	struct proxy_net a;
	const char *end, *start;

	copy_addr(out, n, peer, strlen(peer));
	if (l->n == 0 || xff == NULL || !addr_parse(peer, strlen(peer), &a) ||
	    !trusted(l, &a))
		return;
	/* From the right: each hop appends the address it saw. */
	end = xff + strlen(xff);
	for (;;) {
		while (end > xff && strchr(SEPARATORS, end[-1]) != NULL)
			end--;
		if (end == xff)
			return;
		start = end;
		while (start > xff && strchr(SEPARATORS, start[-1]) == NULL)
			start--;
		if (!addr_parse(start, (size_t)(end - start), &a))
			return;
		copy_addr(out, n, start, (size_t)(end - start));
		if (!trusted(l, &a))
			return;
		end = start;
	}
}
