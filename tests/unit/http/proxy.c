/* Unit tests for http/proxy.c: trusted proxies and X-Forwarded-For. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/proxy.h"

static const char *
client(const char *trusted, const char *peer, const char *xff)
{
	static char out[INET6_ADDRSTRLEN];
	struct proxy_list l;

	assert_int_equal(proxy_list_parse(trusted, &l), 0);
	proxy_client_ip(&l, peer, xff, out, sizeof(out));
	return out;
}

static void
test_parse(void **state)
{
	struct proxy_list l;
	char many[PROXY_TEXT_MAX + 2];
	size_t i;

	(void)state;
	assert_int_equal(proxy_list_parse("", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(proxy_list_parse(" 10.0.0.5, 192.0.2.0/24\t2001:db8::/32 ", &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.net[1].prefix, 24);
	assert_int_equal(l.net[2].family, AF_INET6);
	/* Refused: not addresses, host names, prefixes out of range. */
	assert_int_equal(proxy_list_parse("10.0.0.256", &l), -1);
	assert_int_equal(proxy_list_parse("proxy.example.org", &l), -1);
	assert_int_equal(proxy_list_parse("10.0.0.0/33", &l), -1);
	assert_int_equal(proxy_list_parse("10.0.0.0/", &l), -1);
	assert_int_equal(proxy_list_parse("10.0.0.0/2a", &l), -1);
	assert_int_equal(proxy_list_parse("::/129", &l), -1);
	assert_int_equal(proxy_list_parse("10.0.0.1;10.0.0.2", &l), -1);
	/* More entries than fit, and too long a text. */
	for (i = 0; i <= PROXY_MAX; i++)
		memcpy(many + i * 9, "10.0.0.1 ", 9);
	many[i * 9] = '\0';
	assert_int_equal(proxy_list_parse(many, &l), -1);
	memset(many, ' ', sizeof(many) - 1);
	many[sizeof(many) - 1] = '\0';
	assert_int_equal(proxy_list_parse(many, &l), -1);
}

static void
test_untrusted_peer_is_the_client(void **state)
{
	(void)state;
	/* Nobody trusted, or a peer that is not: the header is ignored. */
	assert_string_equal(client("", "198.51.100.9", "203.0.113.7"), "198.51.100.9");
	assert_string_equal(client("127.0.0.1", "198.51.100.9", "203.0.113.7"),
	    "198.51.100.9");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", ""), "127.0.0.1");
}

static void
test_rightmost_untrusted(void **state)
{
	(void)state;
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "203.0.113.7"), "203.0.113.7");
	/* What the client wrote itself stands left of what the proxy saw. */
	assert_string_equal(client("127.0.0.1", "127.0.0.1",
	    "6.6.6.6, 203.0.113.7"), "203.0.113.7");
	/* Two proxies: the inner one's address is skipped. */
	assert_string_equal(client("127.0.0.1 10.0.0.0/8", "127.0.0.1",
	    "6.6.6.6,203.0.113.7, 10.1.2.3"), "203.0.113.7");
	/* All trusted: the leftmost. */
	assert_string_equal(client("10.0.0.0/8 127.0.0.1", "127.0.0.1",
	    "10.0.0.1, 10.0.0.2"), "10.0.0.1");
	/* IPv6, and a network that is not byte-aligned. */
	assert_string_equal(client("2001:db8::/33", "2001:db8:7fff::1",
	    "2001:db8:8000::1"), "2001:db8:8000::1");
	assert_string_equal(client("2001:db8::/33", "2001:db8:8000::1",
	    "203.0.113.7"), "2001:db8:8000::1");
	assert_string_equal(client("192.0.2.128/25", "192.0.2.200", "203.0.113.7"),
	    "203.0.113.7");
	assert_string_equal(client("192.0.2.128/25", "192.0.2.100", "203.0.113.7"),
	    "192.0.2.100");
}

static void
test_garbage_stops_the_walk(void **state)
{
	(void)state;
	/* A bad entry: nothing left of it is believed, the last good hop is. */
	assert_string_equal(client("127.0.0.1 10.0.0.0/8", "127.0.0.1",
	    "203.0.113.7, unknown, 10.0.0.9"), "10.0.0.9");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", "evil\r\nX: y"), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "127.0.0.1",
	    "203.0.113.7:4711"), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "127.0.0.1", " , ,"), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "127.0.0.1",
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999"), "127.0.0.1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_untrusted_peer_is_the_client),
		cmocka_unit_test(test_rightmost_untrusted),
		cmocka_unit_test(test_garbage_stops_the_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
