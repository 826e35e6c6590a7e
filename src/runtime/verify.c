/* SPDX-License-Identifier: MIT */
/*
 * verify.c - run the verifier on a program being loaded. The verifier sees
 * the maps each lddw refers to (shape only: type, key and value sizes, the
 * inner maps' shape for map-in-map), the helpers the runtime has registered
 * with the prototypes of the kernel helpers, and the loader's source lines.
 *
 * A helper id keeps its kernel prototype only while the runtime's function
 * for it is the kernel helper's own: an embedder that registered a function
 * of its own under that id gets no prototype (any five values, a scalar
 * back), since the verifier cannot know what that function expects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "verify.h"
#include "helpers/helpers.h"
#include "maps/map_impl.h"
#include "verifier/verifier.h"

struct vctx {
	const struct prog_verify_args *a;
};

static const struct helper_def *kernel_helper(uint32_t id)
{
	static const struct helper_def *const tables[] = {
		helpers_map, helpers_time, helpers_task, helpers_print, helpers_string,
		helpers_probe, helpers_ringbuf, helpers_control, helpers_packet, helpers_xdp,
	};
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct helper_def *h = tables[t]; h->fn; h++)
			if (h->id == id)
				return h;
	return NULL;
}

static bool v_allowed(void *ctx, uint32_t id)
{
	const struct prog_verify_args *a = ((struct vctx *)ctx)->a;
	return (rt_helper_groups(a->rt, id) & a->type->helper_groups) != 0;
}

static const struct helper_proto *v_proto(void *ctx, uint32_t id)
{
	const struct prog_verify_args *a = ((struct vctx *)ctx)->a;
	const struct helper_def *h = kernel_helper(id);
	if (!h || id >= a->rt->nhelpers || a->rt->helper_fns[id] != h->fn)
		return NULL;
	return h->proto;
}

static const char *v_name(void *ctx, uint32_t id)
{
	return bpfrt_runtime__helper_name(((struct vctx *)ctx)->a->rt, id);
}

static int v_line(void *ctx, size_t insn, char *buf, size_t len)
{
	const struct bpfrt_prog_load_opts *o = ((struct vctx *)ctx)->a->opts;
	if (!o || !o->source_line)
		return -ENOENT;
	return o->source_line(o->source_line_ctx, insn, buf, len);
}

static struct verifier_map shape(const struct bpfrt_map *m)
{
	return (struct verifier_map){ m->hdr->type, m->hdr->key_size, m->hdr->value_size, m->hdr->max_entries,
				      m->hdr->map_flags, bpfrt_map__name(m), NULL };
}

int prog_verify(const struct prog_verify_args *a, struct diag *d)
{
	const struct bpfrt_prog_load_opts *o = a->opts;
	/* One shape per map (and one per map-in-map's inner maps), indexed by insn. */
	const struct verifier_map **lddw = calloc(a->cnt, sizeof(*lddw));
	struct verifier_map *shapes = calloc(a->cnt ? 2 * a->cnt : 1, sizeof(*shapes));
	const struct bpfrt_map **seen = calloc(a->cnt ? a->cnt : 1, sizeof(*seen));
	int err = -ENOMEM;
	if (!lddw || !shapes || !seen) {
		diag_set(d, "out of memory");
		goto out;
	}
	size_t nseen = 0;
	for (size_t i = 0; a->lddw_maps && i < a->cnt; i++) {
		const struct bpfrt_map *m = a->lddw_maps[i];
		if (!m)
			continue;
		size_t k;
		for (k = 0; k < nseen && seen[k] != m; k++)
			;
		if (k == nseen) {
			seen[nseen++] = m;
			shapes[2 * k] = shape(m);
			if (m->hdr->type == BPFRT_MAP_TYPE_ARRAY_OF_MAPS || m->hdr->type == BPFRT_MAP_TYPE_HASH_OF_MAPS) {
				shapes[2 * k + 1] = (struct verifier_map){ m->hdr->inner_type, m->hdr->inner_key_size,
					m->hdr->inner_value_size, m->hdr->inner_max_entries, m->hdr->inner_flags,
					"inner map", NULL };
				shapes[2 * k].inner = &shapes[2 * k + 1];
			}
		}
		lddw[i] = &shapes[2 * k];
	}
	struct vctx ctx = { a };
	struct verifier_input in = {
		.insns = a->insns, .cnt = a->cnt, .ops = a->ops, .prog_type = a->type->type, .lddw_map = lddw,
		.helper_allowed = v_allowed, .helper_proto = v_proto, .helper_name = v_name,
		.source_line = o && o->source_line ? v_line : NULL, .ctx = &ctx, .prog_name = a->name,
		.log_level = o ? o->log_level : 0, .log = o ? o->log : NULL,
	};
	struct verifier_result res;
	err = bpfrt_verify(&in, &res, d);
	if (o && o->verifier_stats)
		*o->verifier_stats = (struct bpfrt_verifier_stats){ res.insns_processed, res.states, res.peak_states,
			res.max_stack_depth, res.time_ns, true };
out:
	free(lddw);
	free(shapes);
	free(seen);
	return err;
}
