/* replay.c: runs fuzz targets over saved inputs where libFuzzer is missing (gcc builds). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (16u << 20)

/* Feeds one file to the target; returns 0, or 1 when it cannot be read. */
static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *data = NULL;
	size_t n = 0;
	int rc = 1;

	if (f == NULL || fstat(fileno(f), &st) != 0 || st.st_size < 0 ||
	    (size_t)st.st_size > REPLAY_MAX_INPUT)
		goto out;
	/* An exact-size copy, so ASan sees reads past the input. */
	data = malloc((size_t)st.st_size > 0 ? (size_t)st.st_size : 1);
	if (data == NULL)
		goto out;
	n = fread(data, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size)
		goto out;
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(data, n);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "replay: cannot read %s\n", path);
	free(data);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* A file, or every file directly inside a folder. */
static int
replay_path(const char *path)
{
	struct stat st;
	struct dirent *e;
	char sub[4096];
	DIR *d;
	int rc = 0;

	if (stat(path, &st) != 0)
		return 0;   /* a folder git did not keep: nothing to replay */
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	if ((d = opendir(path)) == NULL)
		return 1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >=
		    sizeof(sub))
			continue;
		if (stat(sub, &st) == 0 && S_ISREG(st.st_mode))
			rc |= replay_file(sub);
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	int i, rc = 0;

	for (i = 1; i < argc; i++)
		rc |= replay_path(argv[i]);
	return rc;
}
