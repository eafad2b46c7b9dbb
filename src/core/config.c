/* config.c: defaults for run-time settings. */
#include "core/config.h"

void
config_defaults(struct config *cfg)
{
	*cfg = (struct config){
		.listen = "127.0.0.1:8080",
		.db_path = "var/zek.db",
		.root = ".",
		.base_url = "http://127.0.0.1:8080",
		.threads = 4,
		.max_file_bytes = 10u << 20,
		.max_files = 10,
		.max_field_bytes = 64u << 10,
		.session_ttl_ms = 8LL * 3600 * 1000,
		.temp_attachment_ttl_ms = 3600LL * 1000,
		.login_max_failures = 5,
		.login_window_ms = 15LL * 60 * 1000,
	};
	cfg->max_body_bytes = cfg->max_file_bytes * cfg->max_files + (1u << 20);
}
