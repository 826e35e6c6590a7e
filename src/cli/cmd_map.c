/* SPDX-License-Identifier: MIT */
/*
 * cmd_map.c - `bpfrt map show|dump|lookup|update|delete`, like bpftool's,
 * on maps pinned by a running program (another process) or in an object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "cli.h"

static const char usage[] =
	"Usage: bpfrt map show   MAP [-j]\n"
	"       bpfrt map dump   MAP [-j]\n"
	"       bpfrt map lookup MAP key BYTES [-j]\n"
	"       bpfrt map update MAP key BYTES value BYTES [any|noexist|exist]\n"
	"       bpfrt map delete MAP key BYTES\n"
	"\n"
	"MAP is 'pinned PATH' (a map another process pinned; a bare name is looked\n"
	"up in /dev/shm/bpfrt or $BPFRT_PIN_DIR) or 'object OBJ NAME' (a map of an\n"
	"object, as created when it loads). BYTES are byte values (1 0 0 0, 0x01 0x00)\n"
	"or 'hex' followed by hex digits (hex 01000000), in memory order.\n";

/* Bytes from argv[*i]... up to a keyword; advances *i. */
static int parse_bytes(int argc, char **argv, int *i, uint8_t *out, size_t want, const char *what)
{
	size_t n = 0;
	if (*i < argc && !strcmp(argv[*i], "hex")) {
		(*i)++;
		for (; *i < argc && n < want + 1; (*i)++) {
			const char *s = argv[*i];
			if (!strcmp(s, "value") || !strcmp(s, "any") || !strcmp(s, "exist") ||
			    !strcmp(s, "noexist") || s[0] == '-')
				break;
			uint8_t *b;
			size_t len;
			if (cli_read_mem(s, &b, &len))
				return 1;
			if (n + len > want) {
				free(b);
				return cli_err("%s: more than %zu bytes", what, want);
			}
			memcpy(out + n, b, len);
			n += len;
			free(b);
		}
	} else {
		for (; *i < argc && n < want; (*i)++) {
			char *end;
			errno = 0;
			unsigned long v = strtoul(argv[*i], &end, 0);
			if (*end || errno || v > 255 || end == argv[*i])
				break;
			out[n++] = (uint8_t)v;
		}
	}
	if (n != want)
		return cli_err("%s: %zu byte(s) given, the map needs %zu", what, n, want);
	return 0;
}

static void put_bytes(const char *label, const uint8_t *b, size_t n, bool json)
{
	if (json) {
		printf("\"%s\":[", label);
		for (size_t i = 0; i < n; i++)
			printf("%s\"0x%02x\"", i ? "," : "", b[i]);
		printf("]");
		return;
	}
	printf("%s:", label);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", b[i]);
}

static void show(const struct bpfrt_map *m, bool json)
{
	if (json)
		printf("{\"id\":%u,\"type\":%d,\"name\":\"%s\",\"bytes_key\":%u,\"bytes_value\":%u,"
		       "\"max_entries\":%u,\"flags\":%u}\n", bpfrt_map__id(m), (int)bpfrt_map__type(m),
		       bpfrt_map__name(m), bpfrt_map__key_size(m), bpfrt_map__value_size(m),
		       bpfrt_map__max_entries(m), bpfrt_map__map_flags(m));
	else
		printf("%u: type %d  name %s  key %uB  value %uB  max_entries %u  flags 0x%x\n",
		       bpfrt_map__id(m), (int)bpfrt_map__type(m), bpfrt_map__name(m),
		       bpfrt_map__key_size(m), bpfrt_map__value_size(m), bpfrt_map__max_entries(m),
		       bpfrt_map__map_flags(m));
}

static int dump(const struct bpfrt_map *m, bool json)
{
	size_t ks = bpfrt_map__key_size(m), vs = bpfrt_map__value_size_user(m);
	if (!ks)
		return cli_err("map '%s' has no keys to dump (queue, stack, bloom filter or ring buffer)",
			       bpfrt_map__name(m));
	uint8_t *key = malloc(ks), *next = malloc(ks), *val = malloc(vs);
	if (!key || !next || !val) {
		free(key), free(next), free(val);
		return cli_err("out of memory");
	}
	size_t count = 0;
	if (json)
		printf("[");
	int err = bpfrt_map__get_next_key(m, NULL, next, ks);
	while (!err) {
		memcpy(key, next, ks);
		if (bpfrt_map__lookup_elem(m, key, ks, val, vs, 0) == 0) {
			if (json)
				printf("%s{", count ? "," : "");
			put_bytes("key", key, ks, json);
			printf(json ? "," : "  ");
			put_bytes("value", val, vs, json);
			printf(json ? "}" : "\n");
			count++;
		}
		err = bpfrt_map__get_next_key(m, key, next, ks);
	}
	if (json)
		printf("]\n");
	else
		printf("Found %zu element%s\n", count, count == 1 ? "" : "s");
	free(key), free(next), free(val);
	return err == -ENOENT ? 0 : cli_err("map '%s': iteration failed: %s", bpfrt_map__name(m),
					    strerror(-err));
}

int cmd_map(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "show") && strcmp(verb, "dump") && strcmp(verb, "lookup") &&
	    strcmp(verb, "update") && strcmp(verb, "delete"))
		return cli_err("map: unknown command '%s' (show, dump, lookup, update, delete)", verb);
	bool json = false;
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json = true;

	int i = 2;
	struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
	if (!rt)
		return cli_err("cannot create a runtime");
	struct bpfrt_object *obj = NULL;
	struct bpfrt_map *m = NULL;
	int rc = 1;
	if (i + 1 < argc && !strcmp(argv[i], "pinned")) {
		m = bpfrt_map__open_pinned(rt, argv[i + 1]);
		i += 2;
	} else if (i + 2 < argc && !strcmp(argv[i], "object")) {
		obj = bpfrt_object__open_file(rt, argv[i + 1], NULL);
		if (obj && bpfrt_object__load(obj) == 0) {
			m = bpfrt_object__find_map_by_name(obj, argv[i + 2]);
			if (!m)
				cli_err("object '%s' has no map '%s'", argv[i + 1], argv[i + 2]);
		}
		i += 3;
	} else {
		cli_err("map %s: name the map with 'pinned PATH' or 'object OBJ NAME'", verb);
		goto out;
	}
	if (!m)
		goto out; /* the runtime printed why */

	size_t ks = bpfrt_map__key_size(m), vs = bpfrt_map__value_size_user(m);
	uint8_t *key = calloc(1, ks + 1), *val = calloc(1, vs + 1);
	if (!key || !val) {
		cli_err("out of memory");
	} else if (!strcmp(verb, "show")) {
		show(m, json);
		rc = 0;
	} else if (!strcmp(verb, "dump")) {
		rc = dump(m, json);
	} else if (i >= argc || strcmp(argv[i++], "key")) {
		cli_err("map %s: expected 'key BYTES'", verb);
	} else if (!parse_bytes(argc, argv, &i, key, ks, "key")) {
		int err;
		if (!strcmp(verb, "lookup")) {
			err = bpfrt_map__lookup_elem(m, key, ks, val, vs, 0);
			if (!err) {
				if (json)
					printf("{");
				put_bytes("key", key, ks, json);
				printf(json ? "," : "  ");
				put_bytes("value", val, vs, json);
				printf(json ? "}\n" : "\n");
			}
		} else if (!strcmp(verb, "delete")) {
			err = bpfrt_map__delete_elem(m, key, ks, 0);
		} else {
			uint64_t flags = BPFRT_ANY;
			if (i >= argc || strcmp(argv[i++], "value")) {
				cli_err("map update: expected 'value BYTES'");
				goto done;
			}
			if (parse_bytes(argc, argv, &i, val, vs, "value"))
				goto done;
			if (i < argc && !strcmp(argv[i], "noexist"))
				flags = BPFRT_NOEXIST;
			else if (i < argc && !strcmp(argv[i], "exist"))
				flags = BPFRT_EXIST;
			err = bpfrt_map__update_elem(m, key, ks, val, vs, flags);
		}
		if (err)
			cli_err("map '%s': %s failed: %s", bpfrt_map__name(m), verb, strerror(-err));
		rc = err != 0;
	}
done:
	free(key);
	free(val);
out:
	if (obj)
		bpfrt_object__close(obj);
	else if (m)
		bpfrt_map__put(m);
	bpfrt_runtime__free(rt);
	return rc;
}
