/* main.c: start-up and subcommands (being built). */
#include <stdio.h>

int
main(void)
{
	fputs("zek: not yet\n", stderr);
	return 1;
}
