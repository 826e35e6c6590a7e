/* SPDX-License-Identifier: MIT */
/*
 * cmd_map.c - `bpfrt map show|dump|lookup|update|delete`, like bpftool's,
 * on maps pinned by a running program (another process) or in an object.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "cli.h"

static const char usage[] =
	"Usage: bpfrt map show   [MAP] [-j]   (no MAP: every map pinned in the pin directory)\n"
	"       bpfrt map dump   MAP [-j]\n"
	"       bpfrt map lookup MAP key BYTES [-j]\n"
	"       bpfrt map update MAP key BYTES value BYTES [any|noexist|exist]\n"
	"       bpfrt map delete MAP key BYTES\n"
	"\n"
	"MAP is 'pinned PATH' (a map another process pinned; a bare name is looked\n"
	"up in /dev/shm/bpfrt or $BPFRT_PIN_DIR) or 'object OBJ NAME' (a map of an\n"
	"object, as created when it loads). BYTES are byte values (1 0 0 0, 0x01 0x00)\n"
	"or 'hex' followed by hex digits (hex 01000000), in memory order.\n";

/* The words that end a run of bytes: the next keyword, a flag, an option. */
static bool ends_bytes(const char *s)
{
	return !strcmp(s, "value") || !strcmp(s, "any") || !strcmp(s, "exist") ||
	       !strcmp(s, "noexist") || s[0] == '-';
}

/*
 * Bytes from argv[*i]... up to a keyword; advances *i. Exactly want bytes:
 * fewer or more is an error naming how many the map needs, as is a word that
 * is not a byte.
 */
static int parse_bytes(int argc, char **argv, int *i, uint8_t *out, size_t want, const char *what)
{
	size_t n = 0;
	if (*i < argc && !strcmp(argv[*i], "hex")) {
		(*i)++;
		for (; *i < argc && !ends_bytes(argv[*i]); (*i)++) {
			uint8_t *b;
			size_t len;
			if (cli_read_mem(what, argv[*i], &b, &len))
				return 1;
			if (n + len > want) {
				free(b);
				return cli_err("%s: more than the %zu byte(s) the map needs", what, want);
			}
			memcpy(out + n, b, len);
			n += len;
			free(b);
		}
	} else {
		for (; *i < argc && !ends_bytes(argv[*i]); (*i)++) {
			char *end;
			errno = 0;
			unsigned long v = strtoul(argv[*i], &end, 0);
			bool byte = !*end && !errno && v <= 255 && end != argv[*i];
			if (!byte && n == want)
				break; /* all bytes given: the caller judges what follows */
			if (!byte)
				return cli_err("%s: '%s' is not a byte (0..255, or 0x00..0xff)", what,
					       argv[*i]);
			if (n == want)
				return cli_err("%s: more than the %zu byte(s) the map needs", what, want);
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

const char *cli_map_type_name(enum bpfrt_map_type type)
{
	/* bpftool's names, indexed by the kernel's map type ids */
	static const char *const names[] = {
		[BPFRT_MAP_TYPE_HASH] = "hash", [BPFRT_MAP_TYPE_ARRAY] = "array",
		[BPFRT_MAP_TYPE_PROG_ARRAY] = "prog_array",
		[BPFRT_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
		[BPFRT_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
		[BPFRT_MAP_TYPE_PERCPU_ARRAY] = "percpu_array", [BPFRT_MAP_TYPE_LRU_HASH] = "lru_hash",
		[BPFRT_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
		[BPFRT_MAP_TYPE_LPM_TRIE] = "lpm_trie", [BPFRT_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
		[BPFRT_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps", [BPFRT_MAP_TYPE_DEVMAP] = "devmap",
		[BPFRT_MAP_TYPE_QUEUE] = "queue", [BPFRT_MAP_TYPE_STACK] = "stack",
		[BPFRT_MAP_TYPE_DEVMAP_HASH] = "devmap_hash", [BPFRT_MAP_TYPE_RINGBUF] = "ringbuf",
		[BPFRT_MAP_TYPE_BLOOM_FILTER] = "bloom_filter",
	};
	if ((unsigned)type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

static void show(const struct bpfrt_map *m, bool json, const char *pinned)
{
	if (json)
		printf("{\"id\":%u,\"type\":\"%s\",\"name\":\"%s\",\"bytes_key\":%u,\"bytes_value\":%u,"
		       "\"max_entries\":%u,\"flags\":%u%s%s%s}", bpfrt_map__id(m),
		       cli_map_type_name(bpfrt_map__type(m)), bpfrt_map__name(m), bpfrt_map__key_size(m),
		       bpfrt_map__value_size(m), bpfrt_map__max_entries(m), bpfrt_map__map_flags(m),
		       pinned ? ",\"pinned\":[\"" : "", pinned ? pinned : "", pinned ? "\"]" : "");
	else
		printf("%u: %s  name %s  flags 0x%x\n\tkey %uB  value %uB  max_entries %u%s%s",
		       bpfrt_map__id(m), cli_map_type_name(bpfrt_map__type(m)), bpfrt_map__name(m),
		       bpfrt_map__map_flags(m), bpfrt_map__key_size(m), bpfrt_map__value_size(m),
		       bpfrt_map__max_entries(m), pinned ? "\n\tpinned " : "", pinned ? pinned : "");
	if (!json || !pinned) /* a JSON list puts its own separators */
		printf("\n");
}

/* `map show` alone: every map pinned in the pin directory, as bpftool lists all maps. */
static int show_pinned(struct bpfrt_runtime *rt, bool json)
{
	const char *dir = getenv("BPFRT_PIN_DIR");
	if (!dir || !*dir)
		dir = "/dev/shm/bpfrt";
	DIR *d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			return cli_err("pin directory '%s': %s", dir, strerror(errno));
		if (json)
			printf("[]\n");
		return 0; /* nothing pinned yet */
	}
	int rc = 0, n = 0;
	if (json)
		printf("[");
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue; /* maps are files; directories belong to others */
		struct bpfrt_map *m = bpfrt_map__open_pinned(rt, path);
		if (!m) {
			rc = 1; /* the runtime said why; the others are still listed */
			continue;
		}
		if (json && n)
			printf(",");
		show(m, json, path);
		n++;
		bpfrt_map__put(m);
	}
	closedir(d);
	if (json)
		printf("]\n");
	return rc;
}

static bool per_cpu(const struct bpfrt_map *m)
{
	enum bpfrt_map_type t = bpfrt_map__type(m);
	return t == BPFRT_MAP_TYPE_PERCPU_ARRAY || t == BPFRT_MAP_TYPE_PERCPU_HASH ||
	       t == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
}

/*
 * One element: a per-CPU value CPU by CPU, each 8-byte aligned as the kernel
 * lays them out ("value (CPU 00): ..." as bpftool), else the value.
 */
static void put_elem(const struct bpfrt_map *m, const uint8_t *key, const uint8_t *val, bool json)
{
	size_t ks = bpfrt_map__key_size(m), vs = bpfrt_map__value_size(m);
	if (json)
		printf("{");
	if (!json && per_cpu(m)) { /* bpftool: "key:", the bytes on a line of their own */
		printf("key:\n");
		for (size_t i = 0; i < ks; i++)
			printf("%s%02x", i ? " " : "", key[i]);
	} else {
		put_bytes("key", key, ks, json);
	}
	if (!per_cpu(m)) {
		printf(json ? "," : "  ");
		put_bytes("value", val, vs, json);
		printf(json ? "}" : "\n");
		return;
	}
	size_t stride = (vs + 7) / 8 * 8;
	int ncpu = bpfrt_num_possible_cpus();
	printf(json ? ",\"values\":[" : "\n");
	for (int c = 0; c < ncpu; c++) {
		if (json) {
			printf("%s{\"cpu\":%d,", c ? "," : "", c);
			put_bytes("value", val + c * stride, vs, true);
			printf("}");
		} else {
			char label[32];
			snprintf(label, sizeof(label), "value (CPU %02d)", c);
			put_bytes(label, val + c * stride, vs, false);
			printf("\n");
		}
	}
	printf(json ? "]}" : "");
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
			if (json && count)
				printf(",");
			put_elem(m, key, val, json);
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
	if (!strcmp(verb, "show") && (i == argc || (i + 1 == argc && json))) {
		rc = show_pinned(rt, json);
		goto out;
	}
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
		show(m, json, NULL);
		rc = 0;
	} else if (!strcmp(verb, "dump")) {
		rc = dump(m, json);
	} else if (i >= argc || strcmp(argv[i++], "key")) {
		cli_err("map %s: expected 'key BYTES'", verb);
	} else if (!parse_bytes(argc, argv, &i, key, ks, "key")) {
		int err;
		if (strcmp(verb, "update") && i < argc && strcmp(argv[i], "-j") && strcmp(argv[i], "--json")) {
			cli_err("map %s: unexpected '%s' after the key", verb, argv[i]);
			goto done;
		}
		if (!strcmp(verb, "lookup")) {
			err = bpfrt_map__lookup_elem(m, key, ks, val, vs, 0);
			if (!err) {
				put_elem(m, key, val, json);
				if (json)
					printf("\n");
			}
		} else if (!strcmp(verb, "delete")) {
			err = bpfrt_map__delete_elem(m, key, ks, 0);
		} else {
			uint64_t flags = BPFRT_ANY;
			if (i >= argc) {
				cli_err("map update: expected 'value BYTES' after the key");
				goto done;
			}
			if (strcmp(argv[i++], "value")) {
				cli_err("map update: expected 'value BYTES' after the key, not '%s'",
					argv[i - 1]);
				goto done;
			}
			if (parse_bytes(argc, argv, &i, val, vs, "value"))
				goto done;
			if (i < argc && !strcmp(argv[i], "noexist"))
				flags = BPFRT_NOEXIST;
			else if (i < argc && !strcmp(argv[i], "exist"))
				flags = BPFRT_EXIST;
			else if (i < argc && strcmp(argv[i], "any") && strcmp(argv[i], "-j") &&
				 strcmp(argv[i], "--json")) {
				/* a mistyped flag must not quietly become BPF_ANY */
				cli_err("map update: unknown flag '%s' (any, noexist, exist)", argv[i]);
				goto done;
			}
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
