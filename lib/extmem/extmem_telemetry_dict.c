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

/* The integer of size bytes at p, sign-extended if it is signed. */
static uint64_t
field_value(const void *p, size_t size, bool is_signed)
{
	union {
		uint8_t u8;
		int8_t i8;
		uint16_t u16;
		int16_t i16;
		uint32_t u32;
		int32_t i32;
		uint64_t u64;
	} v;

	memcpy(&v, p, RTE_MIN(size, sizeof(v)));
	switch (size) {
	case sizeof(v.u8):
		return is_signed ? (uint64_t)v.i8 : v.u8;
	case sizeof(v.u16):
		return is_signed ? (uint64_t)v.i16 : v.u16;
	case sizeof(v.u32):
		return is_signed ? (uint64_t)v.i32 : v.u32;
	default:
		return v.u64;
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
				field_value(p, f[i].size, false));
			break;
		case EXTMEM_TEL_INT:
			rte_tel_data_add_dict_int(d, f[i].key,
				(int)(int64_t)field_value(p, f[i].size, true));
			break;
		case EXTMEM_TEL_STR:
			rte_tel_data_add_dict_string(d, f[i].key, p);
			break;
		}
	}
}
