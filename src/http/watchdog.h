/* watchdog.h: systemd's watchdog (WatchdogSec= in zek.service). While it
 * is on, the main thread asks its own server for /healthz every half
 * period and tells systemd WATCHDOG=1 only when an answer came back, so
 * that a server whose workers hang is restarted, not only one that died. */
#ifndef ZEK_HTTP_WATCHDOG_H
#define ZEK_HTTP_WATCHDOG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct watchdog {
	bool on;
	int64_t every_ms;        /* half of systemd's period */
	int64_t next_ms;         /* monotonic */
	struct sockaddr_in addr; /* where the server listens */
};

/* On when systemd asks for pings (WATCHDOG_USEC, built with libsystemd);
 * `listen` is the server's address (0.0.0.0 is asked on loopback). */
void watchdog_start(struct watchdog *w, const struct sockaddr_in *listen,
    uint16_t port);

/* Called by the main loop: when a ping is due and the server answered
 * its probe, says so with notify("WATCHDOG=1"). */
void watchdog_tick(struct watchdog *w, void (*notify)(const char *state));

/* Whether a server at `addr` answers an HTTP request within timeout_ms
 * (any status: the workers took it, read it and wrote a reply). */
bool watchdog_probe(const struct sockaddr_in *addr, int timeout_ms);

#endif
