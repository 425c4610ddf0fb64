/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * What the telemetry commands share (extmem_telemetry_private.h): the
 * parameter check, lists of names, hex addresses, keys for names, and the
 * fields of a struct as dictionary entries.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "extmem_telemetry_private.h"

int
extmem_tel_no_params(const char *params)
{
	return params != NULL && params[0] != '\0' ? -EINVAL : 0;
}

int
extmem_tel_list_start(const char *params, struct rte_tel_data *d)
{
	if (extmem_tel_no_params(params) != 0)
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	return 0;
}

int
extmem_tel_add_name(struct rte_tel_data *d, const char *name)
{
	return rte_tel_data_add_array_string(d, name) != 0 ? -ENOSPC : 0;
}

void
extmem_tel_add_hex(struct rte_tel_data *d, const char *key, uintptr_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIxPTR, v);
	rte_tel_data_add_dict_string(d, key, buf);
}

const char *
extmem_tel_key(char *buf, size_t size, const char *name)
{
	size_t i;

	snprintf(buf, size, "%s", name);
	for (i = 0; buf[i] != '\0'; i++)
		if (!isalnum((unsigned char)buf[i]) && buf[i] != '_' &&
				buf[i] != '/')
			buf[i] = '_';
	return buf;
}

int
extmem_tel_add_container(struct rte_tel_data *d, const char *name,
	struct rte_tel_data *c)
{
	char key[RTE_TEL_MAX_STRING_LEN];

	if (rte_tel_data_add_dict_container(d,
			extmem_tel_key(key, sizeof(key), name), c, 0) != 0) {
		rte_tel_data_free(c);
		return -ENOSPC;
	}
	return 0;
}

/* An unsigned integer of size bytes at p. */
static uint64_t
field_uint(const void *p, size_t size)
{
	uint32_t u32;
	uint16_t u16;
	uint8_t u8;
	uint64_t v;

	switch (size) {
	case sizeof(u8):
		memcpy(&u8, p, size);
		return u8;
	case sizeof(u16):
		memcpy(&u16, p, size);
		return u16;
	case sizeof(u32):
		memcpy(&u32, p, size);
		return u32;
	default:
		memcpy(&v, p, sizeof(v));
		return v;
	}
}

/* A signed integer (or a bool) of size bytes at p. */
static int
field_int(const void *p, size_t size)
{
	int32_t i32;
	int16_t i16;
	int8_t i8;

	switch (size) {
	case sizeof(i8):
		memcpy(&i8, p, size);
		return i8;
	case sizeof(i16):
		memcpy(&i16, p, size);
		return i16;
	default:
		memcpy(&i32, p, sizeof(i32));
		return i32;
	}
}

void
extmem_tel_add_fields(struct rte_tel_data *d, const void *obj,
	const struct extmem_tel_field *f, unsigned int n)
{
	const unsigned char *base = obj;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const void *p = base + f[i].off;

		switch (f[i].type) {
		case EXTMEM_TEL_UINT:
			rte_tel_data_add_dict_u64(d, f[i].key,
				field_uint(p, f[i].size));
			break;
		case EXTMEM_TEL_INT:
			rte_tel_data_add_dict_int(d, f[i].key,
				field_int(p, f[i].size));
			break;
		case EXTMEM_TEL_STR:
			rte_tel_data_add_dict_string(d, f[i].key, p);
			break;
		}
	}
}
