/* SPDX-License-Identifier: MIT */
/*
 * lpm.c - longest-prefix-match tries, with the kernel's algorithm (see
 * kernel/bpf/lpm_trie.c) and key layout: struct { u32 prefixlen; u8 data[]; },
 * data in network order, bit 0 the most significant bit of data[0].
 *
 * A binary Patricia trie: each node holds a prefix (prefixlen bits of data)
 * and children for the next bit being 0 or 1. Nodes are "real" (an entry
 * with a value) or intermediate (no value, exactly two children, made when
 * two prefixes diverge). With n entries there are at most n - 1
 * intermediate nodes, so 2 * max_entries nodes, preallocated in the region,
 * always suffice; only real nodes count against max_entries (-ENOSPC when
 * full, as the kernel). One lock per trie, lookups included.
 *
 * Where the kernel allocates a replacement node (for RCU), bpfrt updates
 * the node in place: an existing entry gets the new data and value, an
 * intermediate node becomes real.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "map_impl.h"
#include "shlock.h"

#define LPM_FLAGS (MF_NO_PREALLOC | MF_NUMA_NODE | MF_ACCESS)
#define LPM_DATA_MAX 256 /* the kernel's LPM_DATA_SIZE_MAX */
#define LPM_IM 1u        /* intermediate node */

struct lpm_node {
	uint32_t child[2]; /* index + 1, or 0; child[0] links the free list */
	uint32_t prefixlen;
	uint32_t flags;
	uint8_t data[];    /* key_size - 4 bytes, then the value at lay.value_off */
};

/*
 * A key: struct { u32 prefixlen; u8 data[]; } read field by field, since
 * callers' buffers need not be 4-byte aligned.
 */
struct lpm_key {
	uint32_t prefixlen;
	const uint8_t *data;
};

static struct lpm_key key_of(const void *k)
{
	struct lpm_key key = { 0, (const uint8_t *)k + 4 };
	memcpy(&key.prefixlen, k, 4);
	return key;
}

static int lpm_check(struct map_hdr *h, char *why, size_t len)
{
	if (h->key_size < 5 || h->key_size > 4 + LPM_DATA_MAX || !h->value_size ||
	    !h->max_entries) {
		snprintf(why, len, "an LPM trie needs a key of 4 + 1..%u bytes (not %u), and a value "
			 "and max_entries that are not 0", LPM_DATA_MAX, h->key_size);
		return -EINVAL;
	}
	if ((h->map_flags & ~LPM_FLAGS) || !(h->map_flags & MF_NO_PREALLOC)) {
		snprintf(why, len, "map_flags 0x%x: an LPM trie needs BPF_F_NO_PREALLOC (as in Linux) "
			 "and allows only 0x%x", h->map_flags, LPM_FLAGS);
		return -EINVAL;
	}
	if (h->value_size > MAP_MAX_VALUE) {
		snprintf(why, len, "value_size %u is too large (at most %u)", h->value_size,
			 MAP_MAX_VALUE);
		return -E2BIG;
	}
	struct map_layout *l = &h->lay;
	uint64_t nodes = 2ull * h->max_entries, bytes;
	l->key_off = sizeof(struct lpm_node);
	l->value_off = (uint32_t)round_up8(l->key_off + h->key_size - 4);
	l->elem_size = round_up8(l->value_off + h->value_size);
	if (nodes > UINT32_MAX || !lay_mul(l->elem_size, nodes, &bytes) ||
	    !lay_add(bytes, MAP_HDR_SIZE, &l->size)) {
		snprintf(why, len, "%u entries of key %u and value %u bytes would exceed bpfrt's "
			 "1 GiB per map", h->max_entries, h->key_size, h->value_size);
		return -E2BIG;
	}
	l->elem_off = MAP_HDR_SIZE;
	l->nelems = (uint32_t)nodes;
	l->value_total = h->value_size;
	return 0;
}

static struct lpm_state *st(struct bpfrt_map *m)
{
	return &m->hdr->st.lpm;
}

static struct lpm_node *node_at(struct bpfrt_map *m, uint32_t idx)
{
	if (!idx || idx > m->lay.nelems)
		return NULL;
	return map_at(m, m->lay.elem_off + (uint64_t)(idx - 1) * m->lay.elem_size);
}

static void *node_value(struct bpfrt_map *m, struct lpm_node *n)
{
	return (uint8_t *)n + m->lay.value_off;
}

static void lpm_init(struct bpfrt_map *m)
{
	for (uint32_t i = 1; i <= m->lay.nelems; i++)
		node_at(m, i)->child[0] = i < m->lay.nelems ? i + 1 : 0;
	st(m)->free_head = 1;
}

static uint32_t node_alloc(struct bpfrt_map *m)
{
	uint32_t idx = st(m)->free_head;
	struct lpm_node *n = node_at(m, idx);
	if (!n)
		return 0;
	st(m)->free_head = n->child[0];
	n->child[0] = n->child[1] = 0;
	n->flags = 0;
	return idx;
}

static void node_free(struct bpfrt_map *m, uint32_t idx)
{
	struct lpm_node *n = node_at(m, idx);
	if (!n)
		return;
	n->child[1] = 0;
	n->child[0] = st(m)->free_head;
	st(m)->free_head = idx;
}

static uint32_t max_prefixlen(const struct bpfrt_map *m)
{
	return 8 * (m->key_size - 4);
}

static unsigned extract_bit(const uint8_t *data, uint32_t index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

/* Leading bits node and key share, up to the shorter of their prefixes. */
static uint32_t prefix_match(const struct lpm_node *n, struct lpm_key key)
{
	uint32_t limit = n->prefixlen < key.prefixlen ? n->prefixlen : key.prefixlen, bits = 0;
	for (uint32_t i = 0; bits < limit; i++) {
		uint8_t diff = n->data[i] ^ key.data[i];
		if (diff) {
			bits += (uint32_t)__builtin_clz(diff) - 24;
			break;
		}
		bits += 8;
	}
	return bits < limit ? bits : limit;
}

/* The real node with the longest prefix matching key (lock held), or NULL. */
static struct lpm_node *longest_match(struct bpfrt_map *m, struct lpm_key key)
{
	struct lpm_node *found = NULL;
	if (key.prefixlen > max_prefixlen(m))
		return NULL; /* as Linux: no match for an impossible prefix */
	uint32_t depth = 0;
	for (struct lpm_node *n = node_at(m, st(m)->root); n && depth++ <= max_prefixlen(m);) {
		uint32_t match = prefix_match(n, key);
		if (match == max_prefixlen(m))
			return n;
		if (match < n->prefixlen)
			break;
		if (!(n->flags & LPM_IM))
			found = n;
		n = node_at(m, n->child[extract_bit(key.data, n->prefixlen)]);
	}
	return found;
}

static void *lpm_lookup(struct bpfrt_map *m, const void *key)
{
	shlock_lock(&st(m)->lock);
	struct lpm_node *n = longest_match(m, key_of(key));
	shlock_unlock(&st(m)->lock);
	return n ? node_value(m, n) : NULL;
}

static int lpm_lookup_user(struct bpfrt_map *m, const void *key, void *value)
{
	shlock_lock(&st(m)->lock);
	struct lpm_node *n = longest_match(m, key_of(key));
	if (n)
		memcpy(value, node_value(m, n), m->value_size);
	shlock_unlock(&st(m)->lock);
	return n ? 0 : map_note(m, true, -ENOENT, "lookup: no prefix matches");
}

/* The kernel's trie_check_add_elem(): may one more entry be added? */
static int check_add(struct bpfrt_map *m, uint64_t flags, bool user)
{
	if (flags == BPFRT_EXIST)
		return map_note(m, user, -ENOENT, "update: no such prefix (BPF_EXIST)");
	if (st(m)->n_entries >= m->max_entries)
		return map_note(m, user, -ENOSPC, "update: trie is full (max_entries %u)",
				m->max_entries);
	st(m)->n_entries++;
	return 0;
}

static void set_entry(struct bpfrt_map *m, struct lpm_node *n, struct lpm_key key,
		      const void *value)
{
	n->prefixlen = key.prefixlen;
	n->flags = 0;
	memcpy(n->data, key.data, m->key_size - 4);
	memcpy(node_value(m, n), value, m->value_size);
}

/* Insert or replace (lock held); see the kernel's trie_update_elem(). */
static int insert(struct bpfrt_map *m, struct lpm_key key, const void *value,
		  uint64_t flags, bool user)
{
	uint32_t *slot = &st(m)->root, match = 0, depth = 0;
	struct lpm_node *n;
	while ((n = node_at(m, *slot)) && depth++ <= max_prefixlen(m)) {
		match = prefix_match(n, key);
		if (n->prefixlen != match || n->prefixlen == key.prefixlen ||
		    n->prefixlen == max_prefixlen(m))
			break;
		slot = &n->child[extract_bit(key.data, n->prefixlen)];
	}
	if (n && n->prefixlen == match) {
		/* this very prefix: replace the entry, or fill the intermediate node */
		int err = 0;
		if (!(n->flags & LPM_IM) && flags == BPFRT_NOEXIST)
			err = map_note(m, user, -EEXIST, "update: prefix exists (BPF_NOEXIST)");
		else if (n->flags & LPM_IM)
			err = check_add(m, flags, user);
		if (!err)
			set_entry(m, n, key, value);
		return err;
	}
	int err = check_add(m, flags, user);
	if (err)
		return err;
	uint32_t idx = node_alloc(m), im = 0;
	if (n && match != key.prefixlen)
		im = node_alloc(m);
	struct lpm_node *new = node_at(m, idx), *imn = node_at(m, im);
	if (!new || (n && match != key.prefixlen && !imn)) {
		/* 2 * max_entries nodes always suffice: only a corrupt trie gets here */
		node_free(m, idx);
		node_free(m, im);
		st(m)->n_entries--;
		return map_fail(m, user, -ENOMEM, "update: out of trie nodes (corrupt map?)");
	}
	set_entry(m, new, key, value);
	if (!n) {
		*slot = idx;
	} else if (match == key.prefixlen) {
		/* the new prefix contains the node's: it goes above it */
		new->child[extract_bit(n->data, match)] = *slot;
		*slot = idx;
	} else {
		/* they diverge after match bits: an intermediate node joins them */
		imn->prefixlen = match;
		imn->flags = LPM_IM;
		memcpy(imn->data, n->data, m->key_size - 4);
		unsigned bit = extract_bit(key.data, match);
		imn->child[bit] = idx;
		imn->child[!bit] = *slot;
		*slot = im;
	}
	return 0;
}

static int lpm_update(struct bpfrt_map *m, const void *k, const void *value, uint64_t flags,
		      bool user)
{
	struct lpm_key key = key_of(k);
	if (flags > BPFRT_EXIST)
		return map_fail(m, user, -EINVAL, "update: invalid flags 0x%llx",
				(unsigned long long)flags);
	if (!user && (m->map_flags & MF_RDONLY_PROG))
		return -EPERM;
	if (key.prefixlen > max_prefixlen(m))
		return map_fail(m, user, -EINVAL, "update: prefixlen %u is longer than the key's "
				"%u bits", key.prefixlen, max_prefixlen(m));
	shlock_lock(&st(m)->lock);
	int err = insert(m, key, value, flags, user);
	shlock_unlock(&st(m)->lock);
	return err;
}

/* Exact-match delete (lock held); see the kernel's trie_delete_elem(). */
static int remove_prefix(struct bpfrt_map *m, struct lpm_key key, bool user)
{
	uint32_t *trim = &st(m)->root, *trim2 = trim, match = 0, depth = 0;
	struct lpm_node *n, *parent = NULL;
	while ((n = node_at(m, *trim)) && depth++ <= max_prefixlen(m)) {
		match = prefix_match(n, key);
		if (n->prefixlen != match || n->prefixlen == key.prefixlen)
			break;
		parent = n;
		trim2 = trim;
		trim = &n->child[extract_bit(key.data, n->prefixlen)];
	}
	if (!n || n->prefixlen != key.prefixlen || n->prefixlen != match || (n->flags & LPM_IM))
		return map_note(m, user, -ENOENT, "delete: no such prefix");
	st(m)->n_entries--;
	uint32_t idx = *trim;
	if (n->child[0] && n->child[1]) {
		n->flags |= LPM_IM; /* still needed to join its children */
		return 0;
	}
	if (parent && (parent->flags & LPM_IM) && !n->child[0] && !n->child[1]) {
		/* the intermediate parent is not needed any more: its other child moves up */
		uint32_t pidx = *trim2;
		*trim2 = parent->child[0] == idx ? parent->child[1] : parent->child[0];
		node_free(m, pidx);
		node_free(m, idx);
		return 0;
	}
	*trim = n->child[0] ? n->child[0] : n->child[1];
	node_free(m, idx);
	return 0;
}

static int lpm_delete(struct bpfrt_map *m, const void *k, bool user)
{
	struct lpm_key key = key_of(k);
	if (!user && (m->map_flags & MF_RDONLY_PROG))
		return -EPERM;
	if (key.prefixlen > max_prefixlen(m))
		return map_fail(m, user, -EINVAL, "delete: prefixlen %u is longer than the key's "
				"%u bits", key.prefixlen, max_prefixlen(m));
	shlock_lock(&st(m)->lock);
	int err = remove_prefix(m, key, user);
	shlock_unlock(&st(m)->lock);
	return err;
}

/*
 * Post-order, as the kernel's trie_get_next_key(): more specific prefixes
 * before the shorter ones that contain them. A key that is not in the trie
 * starts over at the first (leftmost) entry.
 *
 * Every walk here stops after max_prefixlen + 1 nodes, the depth of a valid
 * trie (prefixes grow along a path): a damaged region may hold cycles.
 */
static struct lpm_node *leftmost(struct bpfrt_map *m, struct lpm_node *n)
{
	struct lpm_node *next = NULL;
	for (uint32_t depth = 0; n && depth <= max_prefixlen(m); depth++) {
		if (n->flags & LPM_IM) {
			n = node_at(m, n->child[0]);
		} else {
			next = n;
			n = node_at(m, n->child[0]);
			if (!n)
				n = node_at(m, next->child[1]);
		}
	}
	return next;
}

static struct lpm_node *next_node(struct bpfrt_map *m, const void *k)
{
	struct lpm_node *root = node_at(m, st(m)->root);
	if (!root)
		return NULL;
	struct lpm_key key = k ? key_of(k) : (struct lpm_key){ 0, NULL };
	if (!k || key.prefixlen > max_prefixlen(m))
		return leftmost(m, root);
	uint32_t stack[8 * LPM_DATA_MAX + 1], sp = 0, match = 0, idx = st(m)->root;
	struct lpm_node *n;
	while ((n = node_at(m, idx)) && sp < 8 * LPM_DATA_MAX + 1) {
		stack[sp++] = idx;
		match = prefix_match(n, key);
		if (n->prefixlen != match || n->prefixlen == key.prefixlen)
			break;
		idx = n->child[extract_bit(key.data, n->prefixlen)];
	}
	if (!n || n->prefixlen != match || (n->flags & LPM_IM))
		return leftmost(m, root);
	/* found: the next in post-order is in a right sibling subtree, or a real ancestor */
	for (; sp > 1; sp--) {
		struct lpm_node *parent = node_at(m, stack[sp - 2]);
		if (parent->child[0] == stack[sp - 1] && parent->child[1])
			return leftmost(m, node_at(m, parent->child[1]));
		if (!(parent->flags & LPM_IM))
			return parent;
	}
	return NULL;
}

static int lpm_get_next_key(struct bpfrt_map *m, const void *key, void *next)
{
	shlock_lock(&st(m)->lock);
	struct lpm_node *n = next_node(m, key);
	if (n) {
		memcpy(next, &n->prefixlen, 4);
		memcpy((uint8_t *)next + 4, n->data, m->key_size - 4);
	}
	shlock_unlock(&st(m)->lock);
	return n ? 0 : map_note(m, true, -ENOENT, "get_next_key: no more prefixes");
}

const struct map_ops lpm_ops = {
	.check = lpm_check,
	.init = lpm_init,
	.lookup = lpm_lookup,
	.lookup_user = lpm_lookup_user,
	.update = lpm_update,
	.delete = lpm_delete,
	.get_next_key = lpm_get_next_key,
	.generic_batch = true,
	.delete_batch = true,
};
