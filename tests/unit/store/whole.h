/* whole.h: what the store's upgrade tests ask of an upgraded database. */
#ifndef ZEK_TEST_STORE_WHOLE_H
#define ZEK_TEST_STORE_WHOLE_H

struct arena;
struct store_conn;

/* store_check (zek check) finds no damage: the search index agrees with
 * the requests, every file has its recorded size, the schema is this
 * zek's; and there are requests, users and files. Fails the test with
 * the first problem otherwise. Needs cmocka. */
void assert_store_whole(struct store_conn *c, struct arena *a);

#endif
