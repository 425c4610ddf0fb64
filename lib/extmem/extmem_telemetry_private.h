/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_TELEMETRY_PRIVATE_H
#define EXTMEM_TELEMETRY_PRIVATE_H

/*
 * What the telemetry commands of the library share (extmem_telemetry*.c,
 * extmem_dma_telemetry.c): their parameter check and the building of
 * their replies. The helpers are in extmem_telemetry_dict.c.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_telemetry.h>

/* -EINVAL if a command without parameters was given some, else 0. */
int extmem_tel_no_params(const char *params);

/*
 * A list of names: -EINVAL if params is not empty (list commands take no
 * parameters), else d started as an array of strings, 0.
 */
int extmem_tel_list_start(const char *params, struct rte_tel_data *d);

/* One name into a list of extmem_tel_list_start(): 0, -ENOSPC if full. */
int extmem_tel_add_name(struct rte_tel_data *d, const char *name);

/* v as a hex string ("0x..."): how the commands give addresses. */
void extmem_tel_add_hex(struct rte_tel_data *d, const char *key, uintptr_t v);

/*
 * A dictionary key for a name: telemetry keys may hold only letters,
 * digits, '_' and '/', so other characters become '_' (the exact name is
 * in the value or the info command). Returns buf.
 */
const char *extmem_tel_key(char *buf, size_t size, const char *name);

/* Add a container under the key of a name; on failure (-ENOSPC) the
 * container is freed.
 */
int extmem_tel_add_container(struct rte_tel_data *d, const char *name,
	struct rte_tel_data *c);

/*
 * A member of a struct as a dictionary entry, for the replies that give a
 * struct's fields one by one: an unsigned integer of any size as u64, a
 * signed one of up to 32 bits or a bool as int, a char array as string.
 */
enum extmem_tel_type {
	EXTMEM_TEL_UINT,
	EXTMEM_TEL_INT,
	EXTMEM_TEL_STR,
};

struct extmem_tel_field {
	const char *key;
	enum extmem_tel_type type;
	size_t off;
	size_t size;
};

#define EXTMEM_TEL_FIELD(key, type, s, m) \
	{ (key), (type), offsetof(s, m), sizeof(((s *)0)->m) }
/* The member m of struct type s under its own name. */
#define EXTMEM_TEL_U(s, m) EXTMEM_TEL_FIELD(#m, EXTMEM_TEL_UINT, s, m)
#define EXTMEM_TEL_I(s, m) EXTMEM_TEL_FIELD(#m, EXTMEM_TEL_INT, s, m)
#define EXTMEM_TEL_S(s, m) EXTMEM_TEL_FIELD(#m, EXTMEM_TEL_STR, s, m)

/* The n fields f of the struct at obj into the dictionary d, in order. */
void extmem_tel_add_fields(struct rte_tel_data *d, const void *obj,
	const struct extmem_tel_field *f, unsigned int n);

#endif /* EXTMEM_TELEMETRY_PRIVATE_H */
