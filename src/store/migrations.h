/* migrations.h: the schema migrations built into the binary (generated). */
#ifndef ZEK_STORE_MIGRATIONS_H
#define ZEK_STORE_MIGRATIONS_H

struct store_migration {
	int version;                /* 1, 2, ... without gaps */
	const char *name;           /* "init" for 0001_init.sql */
	const char *sql;
};

extern const struct store_migration store_migrations[];
extern const int store_nmigrations;

#endif
