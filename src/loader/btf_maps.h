/* SPDX-License-Identifier: MIT */
/*
 * btf_maps.h (internal) - map definitions from the .maps section, read
 * through the object's BTF as libbpf does.
 */
#ifndef BPFRT_LOADER_BTF_MAPS_H
#define BPFRT_LOADER_BTF_MAPS_H

#include "object.h"

/* Add one definition per variable of the .maps DATASEC (inner maps as templates). */
int btf_maps_read(struct bpfrt_object *obj, struct obj_sec *maps_sec);

/* Add a definition to the object (NULL when out of memory). */
struct obj_mapdef *mapdef_add(struct bpfrt_object *obj, const char *name);

#endif
