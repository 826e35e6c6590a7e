/* SPDX-License-Identifier: MIT */
/*
 * vtest.c - case files and verifier inputs for the verifier's tests (vtest.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/asm.h"
#include "helpers/helpers.h"
#include "isa/validate.h"
#include "runtime/progtype.h"
#include "vtest.h"

static const struct { const char *name; int type; } prog_types[] = {
	{ "unspec", BPFRT_PROG_TYPE_UNSPEC }, { "generic", BPFRT_PROG_TYPE_UNSPEC },
	{ "socket_filter", BPFRT_PROG_TYPE_SOCKET_FILTER }, { "socket", BPFRT_PROG_TYPE_SOCKET_FILTER },
	{ "kprobe", BPFRT_PROG_TYPE_KPROBE }, { "sched_cls", BPFRT_PROG_TYPE_SCHED_CLS },
	{ "tc", BPFRT_PROG_TYPE_SCHED_CLS }, { "sched_act", BPFRT_PROG_TYPE_SCHED_ACT },
	{ "tracepoint", BPFRT_PROG_TYPE_TRACEPOINT }, { "xdp", BPFRT_PROG_TYPE_XDP },
	{ "perf_event", BPFRT_PROG_TYPE_PERF_EVENT }, { "raw_tracepoint", BPFRT_PROG_TYPE_RAW_TRACEPOINT },
	{ "tracing", BPFRT_PROG_TYPE_TRACING },
};

static const struct { const char *name; enum bpfrt_map_type type; } map_types[] = {
	{ "hash", BPFRT_MAP_TYPE_HASH }, { "array", BPFRT_MAP_TYPE_ARRAY },
	{ "prog_array", BPFRT_MAP_TYPE_PROG_ARRAY }, { "perf_event_array", BPFRT_MAP_TYPE_PERF_EVENT_ARRAY },
	{ "percpu_hash", BPFRT_MAP_TYPE_PERCPU_HASH }, { "percpu_array", BPFRT_MAP_TYPE_PERCPU_ARRAY },
	{ "lru_hash", BPFRT_MAP_TYPE_LRU_HASH }, { "lru_percpu_hash", BPFRT_MAP_TYPE_LRU_PERCPU_HASH },
	{ "lpm_trie", BPFRT_MAP_TYPE_LPM_TRIE }, { "array_of_maps", BPFRT_MAP_TYPE_ARRAY_OF_MAPS },
	{ "hash_of_maps", BPFRT_MAP_TYPE_HASH_OF_MAPS }, { "queue", BPFRT_MAP_TYPE_QUEUE },
	{ "stack", BPFRT_MAP_TYPE_STACK }, { "ringbuf", BPFRT_MAP_TYPE_RINGBUF },
	{ "bloom_filter", BPFRT_MAP_TYPE_BLOOM_FILTER }, { "devmap", BPFRT_MAP_TYPE_DEVMAP },
	{ "devmap_hash", BPFRT_MAP_TYPE_DEVMAP_HASH },
};

int vt_prog_type(const char *name)
{
	for (size_t i = 0; i < sizeof(prog_types) / sizeof(prog_types[0]); i++)
		if (!strcmp(prog_types[i].name, name))
			return prog_types[i].type;
	return -1;
}

int vt_map_type(const char *name)
{
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (!strcmp(map_types[i].name, name))
			return (int)map_types[i].type;
	return -1;
}

const char *vt_map_type_name(enum bpfrt_map_type t)
{
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (map_types[i].type == t)
			return map_types[i].name;
	return "?";
}

static char *append(char *buf, const char *line)
{
	size_t old = buf ? strlen(buf) : 0, add = strlen(line);
	char *n = realloc(buf, old + add + 2);
	if (!n)
		return buf;
	memcpy(n + old, line, add);
	n[old + add] = '\n';
	n[old + add + 1] = '\0';
	return n;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* "1 hash key 4 value 8 entries 16 rdonly inner 2 name counts" */
static int parse_map(char *s, struct vt_map *m)
{
	memset(m, 0, sizeof(*m));
	m->inner = -1;
	char *tok = strtok(s, " \t");
	if (!tok)
		return -1;
	m->num = atoi(tok);
	snprintf(m->name, sizeof(m->name), "m%d", m->num);
	if (!(tok = strtok(NULL, " \t")) || vt_map_type(tok) < 0)
		return -1;
	m->vm.type = (enum bpfrt_map_type)vt_map_type(tok);
	while ((tok = strtok(NULL, " \t"))) {
		char *v = NULL;
		if (!strcmp(tok, "rdonly")) {
			m->vm.map_flags |= BPFRT_F_RDONLY_PROG;
			continue;
		}
		if (!strcmp(tok, "wronly")) {
			m->vm.map_flags |= BPFRT_F_WRONLY_PROG;
			continue;
		}
		if (!(v = strtok(NULL, " \t")))
			return -1;
		if (!strcmp(tok, "key"))
			m->vm.key_size = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(tok, "value"))
			m->vm.value_size = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(tok, "entries"))
			m->vm.max_entries = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(tok, "inner"))
			m->inner = atoi(v);
		else if (!strcmp(tok, "name"))
			snprintf(m->name, sizeof(m->name), "%s", v);
		else
			return -1;
	}
	m->vm.name = m->name;
	return 0;
}

int vt_read_cases(const char *path, struct vt_case **cases, size_t *n, char *err, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct vt_case *cs = NULL, *c = NULL;
	size_t nc = 0;
	char line[4096];
	int lineno = 0;
	bool in_asm = false;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "== ", 3)) {
			struct vt_case *ncs = realloc(cs, (nc + 1) * sizeof(*cs));
			if (!ncs)
				break;
			cs = ncs;
			c = &cs[nc++];
			memset(c, 0, sizeof(*c));
			snprintf(c->name, sizeof(c->name), "%s", trim(line + 3));
			c->line = lineno;
			c->verdict = -1;
			in_asm = false;
			continue;
		}
		if (!strncmp(line, "-- ", 3)) {
			char *s = trim(line + 3);
			in_asm = false;
			if (!c) {
				snprintf(err, len, "%s:%d: section before the first '== name'", path, lineno);
				goto fail;
			}
			if (!strcmp(s, "asm")) {
				in_asm = true;
			} else if (!strncmp(s, "type ", 5)) {
				int t = vt_prog_type(trim(s + 5));
				if (t < 0) {
					snprintf(err, len, "%s:%d: unknown program type '%s'", path, lineno, s + 5);
					goto fail;
				}
				c->type = (enum bpfrt_prog_type)t;
			} else if (!strncmp(s, "map ", 4)) {
				if (c->nmaps == VT_MAX_MAPS || parse_map(s + 4, &c->maps[c->nmaps])) {
					snprintf(err, len, "%s:%d: bad map declaration", path, lineno);
					goto fail;
				}
				c->nmaps++;
			} else if (!strncmp(s, "verdict ", 8)) {
				c->verdict = !strcmp(trim(s + 8), "accept");
			} else if (!strncmp(s, "error ", 6)) {
				snprintf(c->error, sizeof(c->error), "%s", trim(s + 6));
			} else {
				snprintf(err, len, "%s:%d: unknown section '%s'", path, lineno, s);
				goto fail;
			}
			continue;
		}
		if (in_asm) {
			c->asm_text = append(c->asm_text, line);
			continue;
		}
		char *s = trim(line);
		if (*s && *s != '#') {
			snprintf(err, len, "%s:%d: text outside a section", path, lineno);
			goto fail;
		}
	}
	fclose(f);
	*cases = cs;
	*n = nc;
	return 0;
fail:
	fclose(f);
	vt_free_cases(cs, nc);
	return -1;
}

void vt_free_cases(struct vt_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cases[i].asm_text);
	free(cases);
}

int vt_prepare_insns(const struct bpfrt_insn *insns, size_t cnt, struct vt_map *maps, int nmaps,
		     struct vt_prog *p, char *err, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->insns = malloc(cnt * sizeof(*insns));
	p->ops = calloc(cnt, sizeof(*p->ops));
	p->lddw = calloc(cnt, sizeof(*p->lddw));
	if (!p->insns || !p->ops || !p->lddw) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	memcpy(p->insns, insns, cnt * sizeof(*insns));
	p->cnt = cnt;
	struct diag d;
	diag_clear(&d);
	if (bpfrt_validate(p->insns, cnt, p->ops, &d)) {
		snprintf(err, len, "validate: %s", d.msg);
		return -1;
	}
	/* The case array may have moved since parsing: point the shapes at their names again. */
	for (int i = 0; i < nmaps; i++) {
		if (maps[i].name[0])
			maps[i].vm.name = maps[i].name;
		maps[i].vm.inner = NULL;
		for (int j = 0; j < nmaps && maps[i].inner != -1; j++)
			if (maps[j].num == maps[i].inner)
				maps[i].vm.inner = &maps[j].vm;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (!p->ops[i] || p->ops[i]->form != F_LDDW)
			continue;
		uint8_t src = p->insns[i].src;
		if (src != BPFRT_PSEUDO_MAP_FD && src != BPFRT_PSEUDO_MAP_VALUE && src != BPFRT_PSEUDO_MAP_IDX &&
		    src != BPFRT_PSEUDO_MAP_IDX_VALUE)
			continue;
		for (int j = 0; j < nmaps; j++)
			if (maps[j].num == p->insns[i].imm)
				p->lddw[i] = &maps[j].vm;
	}
	return 0;
}

int vt_prepare(struct vt_case *c, struct vt_prog *p, char *err, size_t len)
{
	struct bpfrt_insn *insns;
	size_t cnt;
	char aerr[256];
	memset(p, 0, sizeof(*p));
	if (!c->asm_text) {
		snprintf(err, len, "no -- asm section");
		return -1;
	}
	if (bpfrt_asm(c->asm_text, &insns, &cnt, aerr, sizeof(aerr))) {
		snprintf(err, len, "asm: %s", aerr);
		return -1;
	}
	int rc = vt_prepare_insns(insns, cnt, c->maps, c->nmaps, p, err, len);
	free(insns);
	return rc;
}

void vt_prog_free(struct vt_prog *p)
{
	free(p->insns);
	free(p->ops);
	free(p->lddw);
	memset(p, 0, sizeof(*p));
}

/* The kernel helpers as the runtime registers them (one table list, in helpers.c). */
static const struct helper_def *find_helper(uint32_t id)
{
	return helper_kernel_def(id);
}

static bool allowed(void *ctx, uint32_t id)
{
	const struct progtype *pt = ctx;
	const struct helper_def *h = find_helper(id);
	return h && (h->groups & pt->helper_groups);
}

static const struct helper_proto *proto(void *ctx, uint32_t id)
{
	(void)ctx;
	const struct helper_def *h = find_helper(id);
	return h ? h->proto : NULL;
}

static const char *name(void *ctx, uint32_t id)
{
	(void)ctx;
	const struct helper_def *h = find_helper(id);
	return h ? h->name : NULL;
}

void vt_input(struct verifier_input *in, const struct vt_prog *p, enum bpfrt_prog_type t)
{
	memset(in, 0, sizeof(*in));
	in->insns = p->insns;
	in->cnt = p->cnt;
	in->ops = p->ops;
	in->prog_type = t;
	in->lddw_map = p->lddw;
	in->helper_allowed = allowed;
	in->helper_proto = proto;
	in->helper_name = name;
	in->ctx = (void *)progtype_get(t);
	in->prog_name = "test";
}
