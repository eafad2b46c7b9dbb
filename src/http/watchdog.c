/* watchdog.c: pings for systemd's watchdog after the server answered. */
#include "http/watchdog.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifdef ZEK_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "lib/log.h"

#define PROBE_TIMEOUT_MAX_MS 5000

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
watchdog_start(struct watchdog *w, const struct sockaddr_in *listen,
    uint16_t port)
{
	uint64_t usec = 0;

	memset(w, 0, sizeof(*w));
#ifdef ZEK_HAVE_SYSTEMD
	w->on = sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000;
#endif
	if (!w->on)
		return;
	w->every_ms = (int64_t)(usec / 2000);
	w->next_ms = mono_ms();
	w->addr = *listen;
	w->addr.sin_port = htons(port);
	if (w->addr.sin_addr.s_addr == htonl(INADDR_ANY))
		w->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	log_info("http", "systemd watchdog on",
	    LOG_FIELDS(LOG_I("ping_every_ms", w->every_ms)));
}

static bool
set_timeouts(int fd, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0;
}

bool
watchdog_probe(const struct sockaddr_in *addr, int timeout_ms)
{
	static const char ask[] = "GET /healthz HTTP/1.0\r\nHost: zek\r\n\r\n";
	char head[16];
	ssize_t n;
	bool ok = false;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	/* A blocking connect on loopback ends at once, or with the send
	 * timeout when the backlog is full. */
	if (set_timeouts(fd, timeout_ms) &&
	    connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 &&
	    send(fd, ask, sizeof(ask) - 1, MSG_NOSIGNAL) ==
	        (ssize_t)(sizeof(ask) - 1)) {
		n = recv(fd, head, sizeof(head), MSG_WAITALL);
		ok = n >= 9 && memcmp(head, "HTTP/1.", 7) == 0;
	}
	close(fd);
	return ok;
}

/* The answer must come well within the half period left. */
static int
probe_timeout(const struct watchdog *w)
{
	int64_t half = w->every_ms / 2;

	return (int)(half < PROBE_TIMEOUT_MAX_MS ? half : PROBE_TIMEOUT_MAX_MS);
}

void
watchdog_tick(struct watchdog *w, void (*notify)(const char *state))
{
	int64_t now = mono_ms();

	if (!w->on || now < w->next_ms)
		return;
	w->next_ms = now + w->every_ms;
	if (watchdog_probe(&w->addr, probe_timeout(w)))
		notify("WATCHDOG=1");
	else
		log_warning("http", "watchdog probe unanswered: no ping", NULL);
}
