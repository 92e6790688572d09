// SPDX-License-Identifier: GPL-2.0
/*
 * r5parity - raw parity checker and layout mapper for md RAID-4/5/6 arrays
 * with 1.x metadata (1.0, 1.1, 1.2).
 *
 * Reads the member devices or images directly (the array must be stopped,
 * or at least quiescent), parses each member's md v1.x superblock and:
 *   - checks that the XOR of every stripe row is zero (default mode); for
 *     RAID-6 that P is the XOR and Q the GF(2^8) syndrome of the row's data
 *     blocks, each reported separately;
 *   - prints the geometry (--print-geometry);
 *   - maps an array sector to its data slot / member sector and parity slot
 *     following md's raid5_compute_sector (--layout-map, --layout-table);
 *   - reconstructs array data from the raw members (--read-array), or one
 *     member's data area from the others (--missing SLOT --reconstruct OUT);
 *     RAID-6 sets may miss two members.
 *
 * The RAID-6 arithmetic (GF(2^8) with polynomial 0x11d, generator {02}) is
 * this file's own, written from the definition, so that the tool stays an
 * independent check of the kernel's raid6 library.
 *
 * Exit status: 0 clean / success, 1 parity mismatches found,
 * 2 usage, format or I/O error.
 *
 * Plain C, no dependencies:  gcc -O2 -Wall -Wextra -Werror -o r5parity r5parity.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define PROG "r5parity"
#define SECTOR 512u
#define BLOCK_SECTORS 8u		/* mismatches are reported per 4 KiB */
#define IO_SECTORS 8192u		/* 4 MiB per read */
#define MAX_DISKS 1920			/* (4096 - 256) / 2 roles max */
#define MD_SB_MAGIC 0xa92b4efcu
#define MD_FEATURE_RECOVERY_OFFSET 2u
#define MD_FEATURE_RESHAPE_ACTIVE 4u
#define MD_FEATURE_ALL 0x1fffu
#define MD_DISK_ROLE_MAX 0xff00u

/* mdp_superblock_1 byte offsets (include/uapi/linux/raid/md_p.h) */
#define SB_MAGIC 0
#define SB_MAJOR 4
#define SB_FEATURE 8
#define SB_UUID 16
#define SB_NAME 32
#define SB_LEVEL 72
#define SB_LAYOUT 76
#define SB_SIZE 80
#define SB_CHUNK 88
#define SB_RAID_DISKS 92
#define SB_DATA_OFFSET 128
#define SB_DATA_SIZE 136
#define SB_SUPER_OFFSET 144
#define SB_RECOVERY_OFFSET 152
#define SB_DEV_NUMBER 160
#define SB_EVENTS 200
#define SB_RESYNC_OFFSET 208
#define SB_CSUM 216
#define SB_MAX_DEV 220
#define SB_ROLES 256

enum { EXIT_CLEAN = 0, EXIT_MISMATCH = 1, EXIT_ERR = 2 };

static int quiet;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_ERR);
}

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	fprintf(stderr, PROG ": warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ------------------------------------------------------------------ */
/* geometry and md's raid5_compute_sector                              */

struct geom {
	int level;		/* 4, 5 or 6 */
	int layout;		/* md algorithm (ignored for level 4: parity on last slot) */
	uint32_t chunk;		/* sectors, power of two */
	int raid_disks;
	int data_disks;
	uint64_t size;		/* per-member sectors used, rounded to chunk; 0 = unknown */
	uint64_t array_sectors;	/* size * data_disks */
};

static const char *layout_names[] = {
	"left-asymmetric", "right-asymmetric", "left-symmetric",
	"right-symmetric", "parity-first", "parity-last",
};

/* RAID-6 algorithms 0..20 by number (md's raid5.h); NULL: not valid for level 6 */
static const char *const layout6_names[21] = {
	[0] = "left-asymmetric", [1] = "right-asymmetric", [2] = "left-symmetric",
	[3] = "right-symmetric", [4] = "parity-first", [5] = "parity-last",
	[8] = "ddf-zero-restart", [9] = "ddf-N-restart", [10] = "ddf-N-continue",
	[16] = "left-asymmetric-6", [17] = "right-asymmetric-6",
	[18] = "left-symmetric-6", [19] = "right-symmetric-6", [20] = "parity-first-6",
};

static int layout6_valid(long layout)
{
	return layout >= 0 && layout <= 20 && layout6_names[layout];
}

static const char *layout_name(const struct geom *g)
{
	if (g->level == 4)
		return "raid4 (parity on last slot)";
	if (g->level == 6)
		return layout6_valid(g->layout) ? layout6_names[g->layout] : "unknown";
	if (g->layout >= 0 && g->layout <= 5)
		return layout_names[g->layout];
	return "unknown";
}

/*
 * RAID-6 row geometry, as md's raid5_compute_sector (level 6) places it:
 * P slot, Q slot, the slot of each data index, and each slot's exponent in
 * the Q syndrome (Q = sum over data slots of {02}^coef[slot] * D).
 *
 * Syndrome order: md's classic layouts number the data blocks for Q by
 * walking the slots cyclically from the one after Q (from slot 0 when Q is
 * the last slot), skipping P and Q; this is not always the data index order
 * (the asymmetric and *_6 layouts differ).  The DDF layouts (8, 9, 10) use
 * the slot number itself as the exponent, P and Q included in the count.
 */
struct row6 {
	int pd, qd, ddf;
	int *dslot;		/* [data_disks] */
	int *coef;		/* [raid_disks], -1 for P and Q */
};

static void row6_compute(const struct geom *g, uint64_t stripe, struct row6 *r)
{
	int n = g->raid_disks, dd = g->data_disks, d, i, k;
	int rot = (int)(stripe % (uint64_t)n);		/* rotation over all slots */
	int rot1 = (int)(stripe % (uint64_t)(n - 1));	/* *_6: over the first n-1 */

	r->ddf = 0;
	switch (g->layout) {
	case 0:		/* left-asymmetric */
	case 1:		/* right-asymmetric */
	case 8:		/* ddf-zero-restart: right-asymmetric placement */
	case 9:		/* ddf-N-restart: left-asymmetric, one row further */
		if (g->layout == 0)
			r->pd = n - 1 - rot;
		else if (g->layout == 9)
			r->pd = n - 1 - (int)((stripe + 1) % (uint64_t)n);
		else
			r->pd = rot;
		r->ddf = g->layout >= 8;
		/* Q follows P; when P is the last slot Q wraps to slot 0 */
		if (r->pd == n - 1) {
			r->qd = 0;
			for (d = 0; d < dd; d++)
				r->dslot[d] = d + 1;
		} else {
			r->qd = r->pd + 1;
			for (d = 0; d < dd; d++)
				r->dslot[d] = d >= r->pd ? d + 2 : d;
		}
		break;
	case 2:		/* left-symmetric */
	case 3:		/* right-symmetric */
		r->pd = g->layout == 2 ? n - 1 - rot : rot;
		r->qd = (r->pd + 1) % n;
		for (d = 0; d < dd; d++)
			r->dslot[d] = (r->pd + 2 + d) % n;
		break;
	case 4:		/* parity-first: P, Q, data */
		r->pd = 0;
		r->qd = 1;
		for (d = 0; d < dd; d++)
			r->dslot[d] = d + 2;
		break;
	case 5:		/* parity-last: data, P, Q */
		r->pd = n - 2;
		r->qd = n - 1;
		for (d = 0; d < dd; d++)
			r->dslot[d] = d;
		break;
	case 10:	/* ddf-N-continue: left-symmetric with Q just before P */
		r->pd = n - 1 - rot;
		r->qd = (r->pd + n - 1) % n;
		r->ddf = 1;
		for (d = 0; d < dd; d++)
			r->dslot[d] = (r->pd + 1 + d) % n;
		break;
	default:
		/*
		 * 16..20, the *_6 layouts a RAID-5 to RAID-6 conversion leaves:
		 * the RAID-5 layout on slots 0..n-2 (rotating over n-1 slots),
		 * Q always on the last slot.
		 */
		r->qd = n - 1;
		if (g->layout == 20)			/* parity-first-6 */
			r->pd = 0;
		else if (g->layout == 16 || g->layout == 18)	/* left-* */
			r->pd = n - 2 - rot1;
		else					/* right-* */
			r->pd = rot1;
		for (d = 0; d < dd; d++) {
			if (g->layout == 20)
				r->dslot[d] = d + 1;
			else if (g->layout == 16 || g->layout == 17)	/* asymmetric */
				r->dslot[d] = d >= r->pd ? d + 1 : d;
			else					/* symmetric */
				r->dslot[d] = (r->pd + 1 + d) % (n - 1);
		}
		break;
	}

	for (i = 0; i < n; i++)
		r->coef[i] = -1;
	if (r->ddf) {
		for (d = 0; d < dd; d++)
			r->coef[r->dslot[d]] = r->dslot[d];
		return;
	}
	i = r->qd == n - 1 ? 0 : r->qd + 1;
	for (k = 0; k < dd; i = (i + 1) % n) {
		if (i == r->pd || i == r->qd)
			continue;
		r->coef[i] = k++;
	}
}

static void row6_init(const struct geom *g, struct row6 *r)
{
	r->dslot = calloc((size_t)g->raid_disks, sizeof(int));
	r->coef = calloc((size_t)g->raid_disks, sizeof(int));
	if (!r->dslot || !r->coef)
		die("out of memory");
}

static void row6_free(struct row6 *r)
{
	free(r->dslot);
	free(r->coef);
}

/* parity slot of stripe row 'stripe' */
static int parity_slot(const struct geom *g, uint64_t stripe)
{
	int rd = g->raid_disks, dd = g->data_disks;

	if (g->level == 4)
		return dd;
	switch (g->layout) {
	case 0: /* left-asymmetric */
	case 2: /* left-symmetric */
		return dd - (int)(stripe % (uint64_t)rd);
	case 1: /* right-asymmetric */
	case 3: /* right-symmetric */
		return (int)(stripe % (uint64_t)rd);
	case 4: /* parity-first */
		return 0;
	default: /* 5, parity-last */
		return dd;
	}
}

/* slot holding data chunk index d (0..data_disks-1) of a row with parity pd */
static int data_slot(const struct geom *g, int d, int pd)
{
	int rd = g->raid_disks;

	if (g->level == 4)
		return d;
	switch (g->layout) {
	case 0:
	case 1:
		return d >= pd ? d + 1 : d;
	case 2:
	case 3:
		return (pd + 1 + d) % rd;
	case 4:
		return d + 1;
	default:
		return d;
	}
}

/* inverse of data_slot: data index held by 'slot' in a row with parity pd */
static int slot_data_index(const struct geom *g, int slot, int pd)
{
	int rd = g->raid_disks;

	if (slot == pd)
		return -1;
	if (g->level == 4)
		return slot;
	switch (g->layout) {
	case 0:
	case 1:
		return slot > pd ? slot - 1 : slot;
	case 2:
	case 3:
		return (slot - pd - 1 + rd) % rd;
	case 4:
		return slot - 1;
	default:
		return slot;
	}
}

struct mapping {
	uint64_t stripe;	/* stripe row == member chunk number */
	uint64_t msector;	/* member sector, relative to data_offset */
	int dslot;		/* slot holding the data */
	int pslot;		/* slot holding parity */
	int qslot;		/* slot holding Q (RAID-6), else -1 */
	int didx;		/* data index within the row */
};

static void map_array_sector(const struct geom *g, uint64_t s, struct mapping *m)
{
	uint64_t chunk_off = s % g->chunk;
	uint64_t chunk_no = s / g->chunk;

	m->stripe = chunk_no / (uint64_t)g->data_disks;
	m->didx = (int)(chunk_no % (uint64_t)g->data_disks);
	m->msector = m->stripe * g->chunk + chunk_off;
	m->qslot = -1;
	if (g->level == 6) {
		struct row6 r;

		row6_init(g, &r);
		row6_compute(g, m->stripe, &r);
		m->pslot = r.pd;
		m->qslot = r.qd;
		m->dslot = r.dslot[m->didx];
		row6_free(&r);
		return;
	}
	m->pslot = parity_slot(g, m->stripe);
	m->dslot = data_slot(g, m->didx, m->pslot);
}

static int parse_layout(const char *s, int level)
{
	static const char *alias[] = { "la", "ra", "ls", "rs", "parity-0", "parity-n" };
	char *end;
	long v;
	int i;

	for (i = 0; i < 6; i++)
		if (!strcmp(s, layout_names[i]) || !strcmp(s, alias[i]))
			return i;
	if (!strcmp(s, "default"))
		return 2;
	if (level == 6)
		for (i = 6; i <= 20; i++)
			if (layout6_names[i] && !strcasecmp(s, layout6_names[i]))
				return i;
	errno = 0;
	v = strtol(s, &end, 10);
	if (level == 6 && !errno && end != s && !*end && layout6_valid(v))
		return (int)v;
	if (level == 6)
		die("invalid RAID-6 layout '%s' (0..5, 8..10, 16..20 or mdadm's names: "
		    "left-asymmetric .. parity-last, ddf-zero-restart, ddf-N-restart, "
		    "ddf-N-continue, left-asymmetric-6 .. right-symmetric-6, "
		    "parity-first-6)", s);
	if (errno || end == s || *end || v < 0 || v > 5)
		die("invalid layout '%s' (0..5 or left-asymmetric, right-asymmetric, "
		    "left-symmetric, right-symmetric, parity-first, parity-last)", s);
	return (int)v;
}

/* ------------------------------------------------------------------ */
/* number parsing                                                      */

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		die("invalid %s '%s': expected a non-negative decimal number", what,
		    s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		die("invalid %s '%s': expected a non-negative decimal number", what, s);
	return v;
}

static int parse_int(const char *s, const char *what, long lo, long hi)
{
	uint64_t v = parse_u64(s, what);

	if (v < (uint64_t)lo || v > (uint64_t)hi)
		die("%s %s out of range (%ld..%ld)", what, s, lo, hi);
	return (int)v;
}

/* ------------------------------------------------------------------ */
/* I/O                                                                 */

/* read exactly len bytes at off; dies on error or end of file */
static void read_full(int fd, const char *path, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r;

		if (off > (uint64_t)INT64_MAX)
			die("%s: offset overflow", path);
		r = pread(fd, p, len, (off_t)off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("%s: read at byte %" PRIu64 ": %s", path, off, strerror(errno));
		}
		if (r == 0)
			die("%s: unexpected end of device at byte %" PRIu64, path, off);
		p += r;
		off += (uint64_t)r;
		len -= (size_t)r;
	}
}

static void write_full(int fd, const char *path, const void *buf, size_t len, uint64_t off,
		       int seq)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t r = seq ? write(fd, p, len) : pwrite(fd, p, len, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("%s: write: %s", path, strerror(errno));
		}
		p += r;
		off += (uint64_t)r;
		len -= (size_t)r;
	}
}

static void *xalloc(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, n ? n : 1))
		die("out of memory (%zu bytes)", n);
	return p;
}

/* dst ^= src, len multiple of 8 and both 8-byte aligned */
static void xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
	uint64_t *d = (uint64_t *)(void *)dst;
	const uint64_t *s = (const uint64_t *)(const void *)src;
	size_t n = len / 8, i = 0;

	for (; i + 4 <= n; i += 4) {
		d[i] ^= s[i];
		d[i + 1] ^= s[i + 1];
		d[i + 2] ^= s[i + 2];
		d[i + 3] ^= s[i + 3];
	}
	for (; i < n; i++)
		d[i] ^= s[i];
}

/* ------------------------------------------------------------------ */
/* GF(2^8) for RAID-6 Q                                                */

/*
 * The field is GF(2)[x] / (x^8 + x^4 + x^3 + x^2 + 1): a byte is a
 * polynomial of degree < 8 with bit k the coefficient of x^k; addition is
 * XOR, multiplication is carry-less and reduced by the polynomial (0x11d).
 * {02} = x generates the multiplicative group (order 255), so every non-zero
 * byte is {02}^k for exactly one k in 0..254 (gf_log/gf_exp).
 */
#define GF_POLY 0x11du

static uint8_t gf_exp[510];	/* doubled so exp[a + b] needs no modulo */
static uint8_t gf_log[256];	/* gf_log[0] unused */

/* carry-less multiply with reduction, bit by bit: the definition itself */
static uint8_t gf_mul_slow(uint8_t a, uint8_t b)
{
	unsigned acc = 0, x = a;

	while (b) {
		if (b & 1)
			acc ^= x;
		b >>= 1;
		x <<= 1;
		if (x & 0x100)
			x ^= GF_POLY;
	}
	return (uint8_t)acc;
}

static void gf_init(void)
{
	unsigned v = 1;
	int k;

	for (k = 0; k < 255; k++) {
		gf_exp[k] = (uint8_t)v;
		gf_exp[k + 255] = (uint8_t)v;
		gf_log[v] = (uint8_t)k;
		v = gf_mul_slow((uint8_t)v, 2);
	}
}

static uint8_t gf_mul(uint8_t a, uint8_t b)
{
	if (!a || !b)
		return 0;
	return gf_exp[gf_log[a] + gf_log[b]];
}

/* multiplicative inverse; a must not be 0 */
static uint8_t gf_inv(uint8_t a)
{
	return gf_exp[(255 - gf_log[a]) % 255];
}

/* {02}^k for any k >= 0 */
static uint8_t gf_pow2(int k)
{
	return gf_exp[k % 255];
}

/*
 * Multiply 8 bytes at once by {02}: shift each byte left by one and, where
 * its top bit fell out (x^8), add x^4 + x^3 + x^2 + 1 (0x1d) back in.
 */
static uint64_t gf_mul2_x8(uint64_t v)
{
	uint64_t hi = (v >> 7) & 0x0101010101010101ull;

	return ((v & 0x7f7f7f7f7f7f7f7full) << 1) ^ (hi * 0x1d);
}

/* dst = c * src, bytewise (len any) */
static void gf_mul_buf(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len)
{
	uint8_t t[256];
	size_t i;
	int v;

	for (v = 0; v < 256; v++)
		t[v] = gf_mul((uint8_t)v, c);
	for (i = 0; i < len; i++)
		dst[i] = t[src[i]];
}

/*
 * q = sum over slots i with coef[i] >= 0 and blk[i] != NULL of
 * {02}^coef[i] * blk[i], by Horner's rule from the highest exponent down
 * (a NULL block counts as zeros).  len multiple of 8, blocks 8-byte aligned.
 */
static void gf_syndrome(uint8_t *q, uint8_t *const *blk, const int *coef, int nslots,
			size_t len)
{
	uint64_t *qw = (uint64_t *)(void *)q;
	int *at, i, c, cmax = -1;
	size_t w, n = len / 8;

	for (i = 0; i < nslots; i++)
		if (coef[i] > cmax)
			cmax = coef[i];
	memset(q, 0, len);
	if (cmax < 0)
		return;
	at = malloc(sizeof(int) * (size_t)(cmax + 1));
	if (!at)
		die("out of memory");
	for (c = 0; c <= cmax; c++)
		at[c] = -1;
	for (i = 0; i < nslots; i++)
		if (coef[i] >= 0)
			at[coef[i]] = i;
	for (c = cmax; c >= 0; c--) {
		const uint64_t *s = at[c] >= 0 && blk[at[c]] ?
				    (const uint64_t *)(const void *)blk[at[c]] : NULL;

		for (w = 0; w < n; w++) {
			uint64_t v = c == cmax ? 0 : gf_mul2_x8(qw[w]);

			qw[w] = s ? v ^ s[w] : v;
		}
	}
	free(at);
}

static int sector_nonzero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	uint64_t acc = 0;
	unsigned i;

	for (i = 0; i < SECTOR / 8; i++)
		acc |= w[i];
	return acc != 0;
}

/* ------------------------------------------------------------------ */
/* members and superblocks                                             */

struct member {
	const char *path;
	int fd;
	uint64_t dev_sectors;
	int minor;		/* 0, 1, 2 -> 1.0, 1.1, 1.2 */
	uint8_t sb[4096];
	uint32_t feature, level, layout, chunk, raid_disks, dev_number, max_dev;
	uint64_t size, data_offset, data_size, super_offset, events;
	uint64_t resync_offset, recovery_offset;
	int role;		/* slot, or -1 spare/faulty */
};

static uint64_t sb_location(int minor, uint64_t dev_sectors)
{
	switch (minor) {
	case 0:
		return (dev_sectors - 16) & ~(uint64_t)7;
	case 1:
		return 0;
	default:
		return 8;
	}
}

static uint32_t sb_csum(const uint8_t *sb, uint32_t max_dev)
{
	uint64_t sum = 0;
	int size = 256 + (int)max_dev * 2, off = 0;

	for (; size >= 4; size -= 4, off += 4)
		sum += off == SB_CSUM ? 0 : le32(sb + off);
	if (size == 2)
		sum += le16(sb + off);
	return (uint32_t)((sum & 0xffffffffu) + (sum >> 32));
}

/* returns NULL if fine, or a static message why this location is not a sb */
static const char *try_sb(struct member *m, int minor)
{
	uint64_t loc;

	if (m->dev_sectors < 24)
		return "device too small for md metadata";
	loc = sb_location(minor, m->dev_sectors);
	read_full(m->fd, m->path, m->sb, sizeof(m->sb), loc * SECTOR);
	if (le32(m->sb + SB_MAGIC) != MD_SB_MAGIC)
		return "no md superblock magic";
	if (le32(m->sb + SB_MAJOR) != 1)
		return "superblock major_version is not 1";
	if (le64(m->sb + SB_SUPER_OFFSET) != loc)
		return "super_offset does not match the superblock location";
	m->minor = minor;
	return NULL;
}

static void load_member(struct member *m, int force_minor)
{
	static const int order[] = { 2, 1, 0 };
	const char *why = NULL;
	struct stat st;
	off_t end;
	int i;

	m->fd = open(m->path, O_RDONLY);
	if (m->fd < 0)
		die("%s: cannot open: %s", m->path, strerror(errno));
	if (fstat(m->fd, &st))
		die("%s: stat: %s", m->path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		die("%s: not a regular file or block device", m->path);
	end = lseek(m->fd, 0, SEEK_END);
	if (end < 0)
		die("%s: cannot determine size: %s", m->path, strerror(errno));
	m->dev_sectors = (uint64_t)end / SECTOR;

	if (force_minor >= 0) {
		why = try_sb(m, force_minor);
		if (why)
			die("%s: no valid 1.%d superblock: %s", m->path, force_minor, why);
	} else {
		for (i = 0; i < 3; i++) {
			const char *w = try_sb(m, order[i]);

			if (!w)
				break;
			if (!why || order[i] == 2)
				why = w;
		}
		if (i == 3)
			die("%s: no md 1.x superblock found at 4 KiB (1.2), 0 (1.1) or "
			    "end (1.0): %s", m->path, why);
	}

	m->feature = le32(m->sb + SB_FEATURE);
	m->level = le32(m->sb + SB_LEVEL);
	m->layout = le32(m->sb + SB_LAYOUT);
	m->size = le64(m->sb + SB_SIZE);
	m->chunk = le32(m->sb + SB_CHUNK);
	m->raid_disks = le32(m->sb + SB_RAID_DISKS);
	m->data_offset = le64(m->sb + SB_DATA_OFFSET);
	m->data_size = le64(m->sb + SB_DATA_SIZE);
	m->super_offset = le64(m->sb + SB_SUPER_OFFSET);
	m->recovery_offset = le64(m->sb + SB_RECOVERY_OFFSET);
	m->dev_number = le32(m->sb + SB_DEV_NUMBER);
	m->events = le64(m->sb + SB_EVENTS);
	m->resync_offset = le64(m->sb + SB_RESYNC_OFFSET);
	m->max_dev = le32(m->sb + SB_MAX_DEV);

	if (m->max_dev > (4096 - 256) / 2)
		die("%s: superblock max_dev %" PRIu32 " exceeds %d", m->path, m->max_dev,
		    (4096 - 256) / 2);
	if (sb_csum(m->sb, m->max_dev) != le32(m->sb + SB_CSUM))
		die("%s: superblock checksum mismatch (stored 0x%08" PRIx32
		    ", computed 0x%08" PRIx32 ")", m->path, le32(m->sb + SB_CSUM),
		    sb_csum(m->sb, m->max_dev));
	if (m->feature & ~MD_FEATURE_ALL)
		die("%s: unknown feature bits 0x%" PRIx32 " in feature_map", m->path,
		    m->feature & ~MD_FEATURE_ALL);
	if (m->feature & MD_FEATURE_RESHAPE_ACTIVE)
		die("%s: a reshape is in progress (feature_map 0x%" PRIx32
		    "); mixed geometries are not supported", m->path, m->feature);
	if (m->level != 4 && m->level != 5 && m->level != 6)
		die("%s: RAID level %" PRId32 " is not RAID-4/5/6", m->path,
		    (int32_t)m->level);
	if (m->level == 5 && m->layout > 5)
		die("%s: invalid RAID-5 layout %" PRIu32 " (0..5)", m->path, m->layout);
	if (m->level == 6 && !layout6_valid((long)m->layout))
		die("%s: invalid RAID-6 layout %" PRIu32 " (0..5, 8..10, 16..20)", m->path,
		    m->layout);
	if (m->level == 6 && m->raid_disks < 4)
		die("%s: RAID-6 with raid_disks %" PRIu32 " (md needs at least 4)", m->path,
		    m->raid_disks);
	if (m->chunk < 8 || (m->chunk & (m->chunk - 1)))
		die("%s: invalid chunksize %" PRIu32 " sectors (must be a power of two, "
		    ">= 8)", m->path, m->chunk);
	if (m->raid_disks < 2 || m->raid_disks > MAX_DISKS)
		die("%s: invalid raid_disks %" PRIu32, m->path, m->raid_disks);
	if (m->dev_number >= m->max_dev) {
		m->role = -1;
	} else {
		uint16_t r = le16(m->sb + SB_ROLES + 2 * m->dev_number);

		m->role = r < MD_DISK_ROLE_MAX ? (int)r : -1;
		if (m->role >= (int)m->raid_disks)
			die("%s: role %d is outside raid_disks %" PRIu32, m->path, m->role,
			    m->raid_disks);
	}
	if (m->size < m->chunk)
		die("%s: component size %" PRIu64 " sectors is smaller than one chunk",
		    m->path, m->size);
	if (m->size > m->data_size)
		die("%s: component size %" PRIu64 " exceeds data_size %" PRIu64, m->path,
		    m->size, m->data_size);
	if (m->data_offset > m->dev_sectors || m->size > m->dev_sectors - m->data_offset)
		die("%s: data area (offset %" PRIu64 " + %" PRIu64 " sectors) is beyond "
		    "the end of the device (%" PRIu64 " sectors): truncated image?", m->path,
		    m->data_offset, m->size, m->dev_sectors);
}

struct array {
	struct geom g;
	struct member *mem;
	int nmem;
	struct member *slot[MAX_DISKS];
	int missing;		/* slot with no member, or -1 */
	int missing2;		/* RAID-6: a second slot with no member, or -1 */
	int minor;
	uint8_t uuid[16];
	char name[33];
	uint64_t events, resync_offset;
};

static void fmt_uuid(const uint8_t *u, char *out)
{
	int i, o = 0;

	for (i = 0; i < 16; i++) {
		o += sprintf(out + o, "%02x", u[i]);
		if (i % 4 == 3 && i != 15)
			out[o++] = ':';
	}
	out[o] = 0;
}

/* want_missing[2]: the --missing slots in the order given, -1 if unused */
static int is_wanted(const int *want_missing, int slot)
{
	return slot >= 0 && (want_missing[0] == slot || want_missing[1] == slot);
}

static void assemble(struct array *a, const int *want_missing)
{
	struct member *ref = &a->mem[0];
	int i, nfound = 0;

	memset(a->slot, 0, sizeof(a->slot));
	memcpy(a->uuid, ref->sb + SB_UUID, 16);
	memcpy(a->name, ref->sb + SB_NAME, 32);
	a->name[32] = 0;
	for (i = 0; i < 32; i++)
		if (a->name[i] && (a->name[i] < 32 || a->name[i] > 126))
			a->name[i] = '?';
	a->minor = ref->minor;
	a->events = 0;
	a->resync_offset = ref->resync_offset;

	for (i = 0; i < a->nmem; i++) {
		struct member *m = &a->mem[i];

		if (memcmp(m->sb + SB_UUID, a->uuid, 16)) {
			char u1[40], u2[40];

			fmt_uuid(a->uuid, u1);
			fmt_uuid(m->sb + SB_UUID, u2);
			die("%s: array uuid %s differs from %s's %s: members of different "
			    "arrays?", m->path, u2, ref->path, u1);
		}
		if (m->level != ref->level || m->layout != ref->layout ||
		    m->chunk != ref->chunk || m->raid_disks != ref->raid_disks ||
		    m->size != ref->size)
			die("%s: level/layout/chunksize/raid_disks/size differ from %s",
			    m->path, ref->path);
		if (m->minor != ref->minor)
			warn("%s: metadata 1.%d differs from %s's 1.%d", m->path, m->minor,
			     ref->path, ref->minor);
		if (m->role < 0) {
			warn("%s: spare or faulty member (dev_number %" PRIu32 "), ignored",
			     m->path, m->dev_number);
			continue;
		}
		if (a->slot[m->role])
			die("%s and %s both claim slot %d", a->slot[m->role]->path, m->path,
			    m->role);
		if (is_wanted(want_missing, m->role)) {
			warn("%s: slot %d treated as missing (--missing)", m->path, m->role);
			continue;
		}
		a->slot[m->role] = m;
		nfound++;
		if (m->events > a->events)
			a->events = m->events;
	}

	a->g.level = (int)ref->level;
	a->g.layout = (int)ref->layout;
	a->g.chunk = ref->chunk;
	a->g.raid_disks = (int)ref->raid_disks;
	a->g.data_disks = a->g.raid_disks - (a->g.level == 6 ? 2 : 1);
	a->g.size = ref->size & ~(uint64_t)(ref->chunk - 1);
	a->g.array_sectors = a->g.size * (uint64_t)a->g.data_disks;

	a->missing = -1;
	a->missing2 = -1;
	for (i = 0; i < a->g.raid_disks; i++) {
		int prev = a->missing2 >= 0 ? a->missing2 : a->missing;

		if (a->slot[i])
			continue;
		if (a->g.level == 6 && a->missing >= 0 && a->missing2 < 0) {
			a->missing2 = i;
		} else if (a->missing >= 0) {
			if (a->g.level == 6)
				die("slots %d, %d and %d have no member: RAID-6 cannot survive "
				    "three missing members", a->missing, prev, i);
			die("slots %d and %d both have no member: RAID-%d cannot survive two "
			    "missing members", a->missing, i, a->g.level);
		} else {
			a->missing = i;
		}
	}
	for (i = 0; i < 2; i++) {
		int ms = i ? a->missing2 : a->missing;

		if (ms < 0 || is_wanted(want_missing, ms))
			continue;
		if (want_missing[0] >= 0 && a->g.level != 6)
			die("slot %d has no member but --missing says %d", ms,
			    want_missing[0]);
		if (want_missing[0] >= 0)
			die("slot %d has no member but --missing does not name it", ms);
		die("slot %d has no member among the given devices (use --missing %d to "
		    "allow a degraded set)", ms, ms);
	}
	for (i = 0; i < 2; i++)
		if (want_missing[i] >= a->g.raid_disks)
			die("--missing %d is outside raid_disks %d", want_missing[i],
			    a->g.raid_disks);
	/* report the first --missing slot first: --reconstruct writes it */
	if (a->missing2 >= 0 && a->missing2 == want_missing[0]) {
		a->missing2 = a->missing;
		a->missing = want_missing[0];
	}
	if (nfound == 0)
		die("no active members");

	for (i = 0; i < a->g.raid_disks; i++) {
		struct member *m = a->slot[i];

		if (!m)
			continue;
		if (m->events != a->events)
			warn("%s: slot %d has events %" PRIu64 ", newest is %" PRIu64
			     ": stale member, expect mismatches", m->path, i, m->events,
			     a->events);
		if ((m->feature & MD_FEATURE_RECOVERY_OFFSET) &&
		    m->recovery_offset < a->g.size)
			warn("%s: slot %d is only recovered up to member sector %" PRIu64,
			     m->path, i, m->recovery_offset);
	}
	if (a->resync_offset != UINT64_MAX)
		warn("array was not in sync when stopped (resync_offset %" PRIu64
		     "): rows past it may legitimately mismatch", a->resync_offset);
}

static void print_geometry(const struct array *a)
{
	char u[40];
	int i;

	fmt_uuid(a->uuid, u);
	printf("metadata: 1.%d\n", a->minor);
	printf("uuid: %s\n", u);
	printf("name: %s\n", a->name);
	printf("level: %d\n", a->g.level);
	printf("layout: %d (%s)\n", a->g.layout, layout_name(&a->g));
	printf("chunk_sectors: %" PRIu32 "\n", a->g.chunk);
	printf("chunk_kib: %" PRIu32 "\n", a->g.chunk / 2);
	printf("raid_disks: %d\n", a->g.raid_disks);
	printf("data_disks: %d\n", a->g.data_disks);
	printf("component_size: %" PRIu64 "\n", a->mem[0].size);
	printf("member_sectors: %" PRIu64 "\n", a->g.size);
	printf("array_sectors: %" PRIu64 "\n", a->g.array_sectors);
	printf("events: %" PRIu64 "\n", a->events);
	if (a->resync_offset == UINT64_MAX)
		printf("resync_offset: none (in sync)\n");
	else
		printf("resync_offset: %" PRIu64 "\n", a->resync_offset);
	for (i = 0; i < a->g.raid_disks; i++) {
		const struct member *m = a->slot[i];

		if (!m) {
			printf("slot %d: missing\n", i);
			continue;
		}
		printf("slot %d: %s dev_number=%" PRIu32 " data_offset=%" PRIu64
		       " data_size=%" PRIu64 " super_offset=%" PRIu64 " events=%" PRIu64
		       "\n", i, m->path, m->dev_number, m->data_offset, m->data_size,
		       m->super_offset, m->events);
	}
}

/* ------------------------------------------------------------------ */
/* modes                                                               */

struct range {
	uint64_t start, len;
};

/* ---- RAID-6 ---- */

#define IO6_BYTES (32u << 20)	/* all of a row's slots together, per read */

/* sectors per RAID-6 read step: every slot's buffer is held at once */
static uint64_t step6(const struct geom *g)
{
	uint64_t n = IO6_BYTES / SECTOR / (uint64_t)g->raid_disks;

	n &= ~(uint64_t)(BLOCK_SECTORS - 1);
	if (n < BLOCK_SECTORS)
		n = BLOCK_SECTORS;
	return n > IO_SECTORS ? IO_SECTORS : n;
}

struct buf6 {
	uint8_t **blk;		/* [raid_disks] row blocks, NULL for absent slots */
	uint8_t **mem;		/* [raid_disks] backing buffers */
	uint8_t *pc, *qc, *tmp;	/* computed P, computed Q, scratch */
};

static void buf6_init(const struct geom *g, struct buf6 *b, size_t bytes)
{
	int i;

	b->blk = calloc((size_t)g->raid_disks, sizeof(*b->blk));
	b->mem = calloc((size_t)g->raid_disks, sizeof(*b->mem));
	if (!b->blk || !b->mem)
		die("out of memory");
	for (i = 0; i < g->raid_disks; i++)
		b->mem[i] = xalloc(bytes);
	b->pc = xalloc(bytes);
	b->qc = xalloc(bytes);
	b->tmp = xalloc(bytes);
}

static void buf6_free(const struct geom *g, struct buf6 *b)
{
	int i;

	for (i = 0; i < g->raid_disks; i++)
		free(b->mem[i]);
	free(b->mem);
	free(b->blk);
	free(b->pc);
	free(b->qc);
	free(b->tmp);
}

/* read member sectors [ms, ms+n) of every present slot; absent slots -> NULL */
static void read_row6(struct array *a, uint64_t ms, uint64_t n, struct buf6 *b)
{
	size_t bytes = (size_t)n * SECTOR;
	int i;

	for (i = 0; i < a->g.raid_disks; i++) {
		struct member *m = a->slot[i];

		b->blk[i] = NULL;
		if (!m)
			continue;
		read_full(m->fd, m->path, b->mem[i], bytes, (m->data_offset + ms) * SECTOR);
		b->blk[i] = b->mem[i];
	}
}

/* pc = XOR of the row's present data blocks */
static void xor_data6(const struct geom *g, const struct row6 *r, struct buf6 *b,
		      size_t bytes)
{
	int d;

	memset(b->pc, 0, bytes);
	for (d = 0; d < g->data_disks; d++)
		if (b->blk[r->dslot[d]])
			xor_into(b->pc, b->blk[r->dslot[d]], bytes);
}

/*
 * Fill in the (at most two) absent blocks of a row from the present ones,
 * solving P = sum D_i and Q = sum g^c_i D_i for the unknowns:
 *   data x alone:        D_x = P + sum_{i != x} D_i
 *   data x and P:        D_x = (Q + sum_{i != x} g^c_i D_i) / g^c_x
 *   data x and y:        with P' = P + sum_{i != x,y} D_i and
 *                        Q' = Q + sum_{i != x,y} g^c_i D_i,
 *                        D_x = (Q' + g^c_y P') / (g^c_x + g^c_y), D_y = P' + D_x
 *   P and/or Q:          recomputed from the data.
 */
static void solve_row6(const struct geom *g, const struct row6 *r, struct buf6 *b,
		       size_t bytes)
{
	int x = -1, y = -1, i, pabs;

	for (i = 0; i < g->raid_disks; i++) {
		if (b->blk[i] || i == r->pd || i == r->qd)
			continue;
		if (x < 0)
			x = i;
		else
			y = i;
	}
	pabs = !b->blk[r->pd];
	if (x >= 0 && y < 0 && !pabs) {
		xor_data6(g, r, b, bytes);
		xor_into(b->pc, b->blk[r->pd], bytes);
		b->blk[x] = b->mem[x];
		memcpy(b->blk[x], b->pc, bytes);
	} else if (x >= 0 && y < 0) {
		gf_syndrome(b->qc, b->blk, r->coef, g->raid_disks, bytes);
		xor_into(b->qc, b->blk[r->qd], bytes);
		b->blk[x] = b->mem[x];
		gf_mul_buf(b->blk[x], b->qc, gf_inv(gf_pow2(r->coef[x])), bytes);
	} else if (x >= 0) {
		uint8_t gx = gf_pow2(r->coef[x]), gy = gf_pow2(r->coef[y]);

		xor_data6(g, r, b, bytes);
		xor_into(b->pc, b->blk[r->pd], bytes);		/* P' */
		gf_syndrome(b->qc, b->blk, r->coef, g->raid_disks, bytes);
		xor_into(b->qc, b->blk[r->qd], bytes);		/* Q' */
		gf_mul_buf(b->tmp, b->pc, gy, bytes);
		xor_into(b->qc, b->tmp, bytes);			/* Q' + g^c_y P' */
		b->blk[x] = b->mem[x];
		gf_mul_buf(b->blk[x], b->qc, gf_inv(gx ^ gy), bytes);
		b->blk[y] = b->mem[y];
		memcpy(b->blk[y], b->pc, bytes);
		xor_into(b->blk[y], b->blk[x], bytes);
	}
	if (!b->blk[r->pd]) {
		xor_data6(g, r, b, bytes);
		b->blk[r->pd] = b->mem[r->pd];
		memcpy(b->blk[r->pd], b->pc, bytes);
	}
	if (!b->blk[r->qd]) {
		b->blk[r->qd] = b->mem[r->qd];
		gf_syndrome(b->blk[r->qd], b->blk, r->coef, g->raid_disks, bytes);
	}
}

/*
 * RAID-6 check: per row, P against the XOR and Q against the syndrome of the
 * data, each mismatch reported on its own line (syndrome=P / syndrome=Q).
 * With one slot missing only one equation is left per row: a missing data
 * block is rebuilt from P and Q is checked (a mismatch there means the row
 * is inconsistent, reported as Q); a missing P leaves Q to check, a missing
 * Q leaves P.  With two missing nothing can be verified.
 */
static int do_check6(struct array *a, struct range r, const char *recon, long max_report)
{
	const struct geom *g = &a->g;
	uint64_t step = step6(g), off, mism = 0, mp = 0, mq = 0;
	uint64_t last_any = UINT64_MAX, last_p = UINT64_MAX, last_q = UINT64_MAX;
	struct row6 row;
	struct buf6 b;
	int rfd = -1;

	if (recon) {
		if (a->missing < 0)
			die("--reconstruct needs --missing SLOT");
		rfd = open(recon, O_WRONLY | O_CREAT, 0644);
		if (rfd < 0)
			die("%s: cannot open for writing: %s", recon, strerror(errno));
	} else if (a->missing2 >= 0) {
		if (!quiet)
			printf("slots %d and %d missing: no redundancy left, nothing can be "
			       "verified\n", a->missing, a->missing2);
		return EXIT_CLEAN;
	} else if (a->missing >= 0 && !quiet) {
		printf("slot %d missing: one syndrome left per row, verifying Q where the "
		       "slot holds data or P, P where it holds Q\n", a->missing);
	}

	row6_init(g, &row);
	buf6_init(g, &b, (size_t)step * SECTOR);
	for (off = r.start; off < r.start + r.len; ) {
		uint64_t stripe = off / g->chunk, n, s;
		size_t bytes;
		int chk_p, chk_q;

		n = (stripe + 1) * g->chunk - off;
		if (n > r.start + r.len - off)
			n = r.start + r.len - off;
		if (n > step)
			n = step;
		bytes = (size_t)n * SECTOR;
		row6_compute(g, stripe, &row);
		read_row6(a, off, n, &b);

		if (rfd >= 0) {
			solve_row6(g, &row, &b, bytes);
			write_full(rfd, recon, b.blk[a->missing], bytes, off * SECTOR, 0);
			off += n;
			continue;
		}
		chk_p = b.blk[row.pd] != NULL;
		chk_q = b.blk[row.qd] != NULL;
		if (a->missing >= 0 && a->missing != row.pd && a->missing != row.qd) {
			solve_row6(g, &row, &b, bytes);	/* data from P: only Q left */
			chk_p = 0;
		}
		xor_data6(g, &row, &b, bytes);
		if (chk_p)
			xor_into(b.pc, b.blk[row.pd], bytes);
		if (chk_q) {
			gf_syndrome(b.qc, b.blk, row.coef, g->raid_disks, bytes);
			xor_into(b.qc, b.blk[row.qd], bytes);
		}
		for (s = 0; s < n; s++) {
			uint64_t ms = off + s, blk = ms / BLOCK_SECTORS;
			const uint8_t *dp = b.pc + s * SECTOR, *dq = b.qc + s * SECTOR;
			int bad_p = chk_p && sector_nonzero(dp);
			int bad_q = chk_q && sector_nonzero(dq);
			int k;

			if ((bad_p || bad_q) && blk != last_any) {
				last_any = blk;
				mism++;
			}
			for (k = 0; k < 2; k++) {
				const uint8_t *p = k ? dq : dp;
				uint64_t *last = k ? &last_q : &last_p;
				uint64_t *cnt = k ? &mq : &mp;
				unsigned o;

				if (!(k ? bad_q : bad_p) || blk == *last)
					continue;
				*last = blk;
				(*cnt)++;
				if (quiet || (long)(mp + mq) > max_report)
					continue;
				for (o = 0; o < SECTOR && !p[o]; o++)
					;
				printf("mismatch: member_sector=%" PRIu64 " block_sector=%" PRIu64
				       " byte=%" PRIu64 " stripe=%" PRIu64 " parity_slot=%d"
				       " q_slot=%d syndrome=%c\n", ms, blk * BLOCK_SECTORS,
				       ms * SECTOR + o, stripe, row.pd, row.qd, k ? 'Q' : 'P');
			}
		}
		off += n;
	}
	row6_free(&row);
	buf6_free(g, &b);
	if (rfd >= 0) {
		if (fsync(rfd) && errno != EINVAL && errno != EROFS)
			die("%s: fsync: %s", recon, strerror(errno));
		if (close(rfd))
			die("%s: close: %s", recon, strerror(errno));
		if (!quiet)
			printf("reconstructed slot %d: member sectors %" PRIu64 "+%" PRIu64
			       " written to %s (sector 0 = data_offset)\n", a->missing,
			       r.start, r.len, recon);
		return EXIT_CLEAN;
	}
	if (!quiet) {
		if (mp + mq > (uint64_t)max_report)
			printf("... %" PRIu64 " more not listed\n",
			       mp + mq - (uint64_t)max_report);
		printf("checked member sectors %" PRIu64 "+%" PRIu64 " on %d members: %"
		       PRIu64 " mismatched 4 KiB block%s (P: %" PRIu64 ", Q: %" PRIu64 ")\n",
		       r.start, r.len, g->raid_disks, mism, mism == 1 ? "" : "s", mp, mq);
	}
	return mism ? EXIT_MISMATCH : EXIT_CLEAN;
}

static int do_check(struct array *a, struct range r, const char *recon, long max_report)
{
	const struct geom *g = &a->g;
	uint8_t *acc = xalloc((size_t)IO_SECTORS * SECTOR);
	uint8_t *tmp = xalloc((size_t)IO_SECTORS * SECTOR);
	uint64_t off, mismatches = 0, last_block = UINT64_MAX;
	int rfd = -1, i;

	if (g->level == 6) {
		free(acc);
		free(tmp);
		return do_check6(a, r, recon, max_report);
	}
	if (recon) {
		if (a->missing < 0)
			die("--reconstruct needs --missing SLOT");
		rfd = open(recon, O_WRONLY | O_CREAT, 0644);
		if (rfd < 0)
			die("%s: cannot open for writing: %s", recon, strerror(errno));
	} else if (a->missing >= 0) {
		if (!quiet)
			printf("slot %d missing: no redundancy left, nothing to check\n",
			       a->missing);
		free(acc);
		free(tmp);
		return EXIT_CLEAN;
	}

	for (off = r.start; off < r.start + r.len; ) {
		uint64_t n = r.start + r.len - off;
		size_t bytes;
		int first = 1;

		if (n > IO_SECTORS)
			n = IO_SECTORS;
		bytes = (size_t)n * SECTOR;
		for (i = 0; i < g->raid_disks; i++) {
			struct member *m = a->slot[i];

			if (!m)
				continue;
			if (first) {
				read_full(m->fd, m->path, acc, bytes,
					  (m->data_offset + off) * SECTOR);
				first = 0;
			} else {
				read_full(m->fd, m->path, tmp, bytes,
					  (m->data_offset + off) * SECTOR);
				xor_into(acc, tmp, bytes);
			}
		}
		if (rfd >= 0) {
			write_full(rfd, recon, acc, bytes, off * SECTOR, 0);
		} else {
			uint64_t s;

			for (s = 0; s < n; s++) {
				uint64_t ms = off + s, blk = ms / BLOCK_SECTORS;
				const uint8_t *p = acc + s * SECTOR;
				unsigned b;

				if (blk == last_block || !sector_nonzero(p))
					continue;
				last_block = blk;
				mismatches++;
				if (quiet || (long)mismatches > max_report)
					continue;
				for (b = 0; b < SECTOR && !p[b]; b++)
					;
				{
					uint64_t stripe = ms / g->chunk;

					printf("mismatch: member_sector=%" PRIu64
					       " block_sector=%" PRIu64 " byte=%" PRIu64
					       " stripe=%" PRIu64 " parity_slot=%d\n",
					       ms, blk * BLOCK_SECTORS, ms * SECTOR + b, stripe,
					       parity_slot(g, stripe));
				}
			}
		}
		off += n;
	}
	free(acc);
	free(tmp);
	if (rfd >= 0) {
		if (fsync(rfd) && errno != EINVAL && errno != EROFS)
			die("%s: fsync: %s", recon, strerror(errno));
		if (close(rfd))
			die("%s: close: %s", recon, strerror(errno));
		if (!quiet)
			printf("reconstructed slot %d: member sectors %" PRIu64 "+%" PRIu64
			       " written to %s (sector 0 = data_offset)\n", a->missing,
			       r.start, r.len, recon);
		return EXIT_CLEAN;
	}
	if (!quiet) {
		if (mismatches > (uint64_t)max_report)
			printf("... %" PRIu64 " more not listed\n",
			       mismatches - (uint64_t)max_report);
		printf("checked member sectors %" PRIu64 "+%" PRIu64 " on %d members: %"
		       PRIu64 " mismatched 4 KiB block%s\n", r.start, r.len, g->raid_disks,
		       mismatches, mismatches == 1 ? "" : "s");
	}
	return mismatches ? EXIT_MISMATCH : EXIT_CLEAN;
}

/* read member sectors [ms, ms+n) of slot into buf, reconstructing if missing */
static void read_slot(struct array *a, int slot, uint64_t ms, uint64_t n, uint8_t *buf,
		      uint8_t *tmp)
{
	size_t bytes = (size_t)n * SECTOR;
	int i, first = 1;

	if (a->slot[slot]) {
		struct member *m = a->slot[slot];

		read_full(m->fd, m->path, buf, bytes, (m->data_offset + ms) * SECTOR);
		return;
	}
	for (i = 0; i < a->g.raid_disks; i++) {
		struct member *m = a->slot[i];

		if (!m)
			continue;
		read_full(m->fd, m->path, first ? buf : tmp, bytes,
			  (m->data_offset + ms) * SECTOR);
		if (!first)
			xor_into(buf, tmp, bytes);
		first = 0;
	}
}

static int do_read_array(struct array *a, uint64_t s, uint64_t len, const char *out)
{
	const struct geom *g = &a->g;
	uint8_t *buf, *tmp;
	int fd, to_stdout = !strcmp(out, "-");
	uint64_t done = 0, io = IO_SECTORS;
	struct row6 row;
	struct buf6 b;

	if (s > g->array_sectors)
		die("--read-array start %" PRIu64 " is beyond the array (%" PRIu64
		    " sectors)", s, g->array_sectors);
	if (len == 0)
		len = g->array_sectors - s;
	if (len > g->array_sectors - s)
		die("--read-array %" PRIu64 "+%" PRIu64 " is beyond the array (%" PRIu64
		    " sectors)", s, len, g->array_sectors);
	fd = to_stdout ? 1 : open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("%s: cannot open for writing: %s", out, strerror(errno));
	buf = xalloc((size_t)IO_SECTORS * SECTOR);
	tmp = xalloc((size_t)IO_SECTORS * SECTOR);
	if (g->level == 6) {
		io = step6(g);
		row6_init(g, &row);
		buf6_init(g, &b, (size_t)io * SECTOR);
	}
	while (done < len) {
		struct mapping m;
		uint64_t n;

		map_array_sector(g, s + done, &m);
		n = g->chunk - (s + done) % g->chunk;
		if (n > io)
			n = io;
		if (n > len - done)
			n = len - done;
		if (g->level == 6 && !a->slot[m.dslot]) {
			/* RAID-6 with the data's slot missing: solve its row */
			row6_compute(g, m.stripe, &row);
			read_row6(a, m.msector, n, &b);
			solve_row6(g, &row, &b, (size_t)n * SECTOR);
			memcpy(buf, b.blk[m.dslot], (size_t)n * SECTOR);
		} else {
			read_slot(a, m.dslot, m.msector, n, buf, tmp);
		}
		write_full(fd, out, buf, (size_t)n * SECTOR, done * SECTOR, to_stdout);
		done += n;
	}
	free(buf);
	free(tmp);
	if (g->level == 6) {
		row6_free(&row);
		buf6_free(g, &b);
	}
	if (!to_stdout && close(fd))
		die("%s: close: %s", out, strerror(errno));
	if (!quiet)
		fprintf(stderr, PROG ": wrote array sectors %" PRIu64 "+%" PRIu64 " to %s%s\n",
			s, len, out, a->missing2 >= 0 ? " (missing slots reconstructed)" :
			a->missing >= 0 ? " (missing slot reconstructed)" : "");
	return EXIT_CLEAN;
}

static void print_map(const struct geom *g, const struct array *a, uint64_t s)
{
	struct mapping m;

	if (g->size && s >= g->array_sectors)
		die("array sector %" PRIu64 " is beyond the array (%" PRIu64 " sectors)", s,
		    g->array_sectors);
	map_array_sector(g, s, &m);
	printf("array_sector=%" PRIu64 " stripe=%" PRIu64 " data_index=%d data_slot=%d "
	       "member_sector=%" PRIu64 " parity_slot=%d", s, m.stripe, m.didx, m.dslot,
	       m.msector, m.pslot);
	if (m.qslot >= 0)
		printf(" q_slot=%d", m.qslot);
	if (a && a->slot[m.dslot])
		printf(" data_dev=%s data_dev_sector=%" PRIu64, a->slot[m.dslot]->path,
		       a->slot[m.dslot]->data_offset + m.msector);
	if (a && a->slot[m.pslot])
		printf(" parity_dev=%s parity_dev_sector=%" PRIu64, a->slot[m.pslot]->path,
		       a->slot[m.pslot]->data_offset + m.msector);
	if (a && m.qslot >= 0 && a->slot[m.qslot])
		printf(" q_dev=%s q_dev_sector=%" PRIu64, a->slot[m.qslot]->path,
		       a->slot[m.qslot]->data_offset + m.msector);
	printf("\n");
}

static void print_table6(const struct geom *g, uint64_t rows)
{
	struct row6 r;
	uint64_t st;
	int i, d;

	row6_init(g, &r);
	printf("stripe");
	for (i = 0; i < g->raid_disks; i++)
		printf(" slot%d", i);
	printf("\n");
	for (st = 0; st < rows; st++) {
		row6_compute(g, st, &r);
		printf("%6" PRIu64, st);
		for (i = 0; i < g->raid_disks; i++) {
			char cell[32] = "?";

			if (i == r.pd)
				snprintf(cell, sizeof(cell), "P");
			else if (i == r.qd)
				snprintf(cell, sizeof(cell), "Q");
			for (d = 0; d < g->data_disks; d++)
				if (r.dslot[d] == i)
					snprintf(cell, sizeof(cell), "D%" PRIu64,
						 st * (uint64_t)g->data_disks + (uint64_t)d);
			printf(" %5s", cell);
		}
		printf("\n");
	}
	row6_free(&r);
}

static void print_table(const struct geom *g, uint64_t rows)
{
	uint64_t st;
	int i;

	if (g->level == 6) {
		print_table6(g, rows);
		return;
	}

	printf("stripe");
	for (i = 0; i < g->raid_disks; i++)
		printf(" slot%d", i);
	printf("\n");
	for (st = 0; st < rows; st++) {
		int pd = parity_slot(g, st);

		printf("%6" PRIu64, st);
		for (i = 0; i < g->raid_disks; i++) {
			int d = slot_data_index(g, i, pd);
			char cell[32];

			if (d < 0)
				snprintf(cell, sizeof(cell), "P");
			else
				snprintf(cell, sizeof(cell), "D%" PRIu64,
					 st * (uint64_t)g->data_disks + (uint64_t)d);
			printf(" %5s", cell);
		}
		printf("\n");
	}
}

/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " [options] DEV...\n"
"Raw parity checker for md RAID-4/5/6 members with 1.0/1.1/1.2 metadata.\n"
"DEVs are member block devices or image files, in any order; stop the array first.\n"
"\n"
"modes (default: check that every stripe row XORs to zero; RAID-6: P and Q, each\n"
"reported on its own line, syndrome=P or syndrome=Q):\n"
"  --print-geometry         print the superblock geometry and slot map\n"
"  --layout-map S           map array sector S to data slot/member sector and parity slot\n"
"  --layout-table [ROWS]    print the slot layout of the first ROWS stripes (default raid_disks)\n"
"  --read-array S LEN OUT   write array sectors S..S+LEN-1 (LEN 0 = to the end) to OUT\n"
"                           ('-' = stdout), read from the raw members through the layout\n"
"  --missing SLOT --reconstruct OUT\n"
"                           write SLOT's data area, computed from the others, to OUT\n"
"                           (OUT sector 0 = member sector data_offset)\n"
"options:\n"
"  --range START:LEN        restrict check/reconstruct to member sectors START..START+LEN-1\n"
"                           (relative to data_offset; LEN 0 = to the end)\n"
"  --missing SLOT           allow SLOT to have no member (or ignore the member holding it);\n"
"                           RAID-6: may be given twice (--reconstruct writes the first)\n"
"  --metadata 1.0|1.1|1.2   only look for that superblock version\n"
"  --max-report N           list at most N mismatched blocks (default 10)\n"
"  --quiet                  print nothing, report through the exit status\n"
"geometry without devices (for --layout-map/--layout-table only):\n"
"  --level 4|5|6 --layout L --chunk KIB | --chunk-sectors N --raid-disks N [--size SECTORS]\n"
"  (RAID-6 layouts: 0..5, 8..10, 16..20 or mdadm's names, e.g. ddf-N-continue,\n"
"  left-symmetric-6, parity-first-6)\n"
"exit status: 0 clean, 1 parity mismatches, 2 usage, format or I/O error\n");
}

static const char *need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		die("option %s needs an argument (see --help)", argv[*i]);
	return argv[++*i];
}

int main(int argc, char **argv)
{
	struct array a;
	struct range r = { 0, 0 };
	const char *recon = NULL, *ra_out = NULL, **devs, *layout_arg = NULL;
	int ndev = 0, i, want_missing[2] = { -1, -1 }, force_minor = -1, have_range = 0;
	int mode_geom = 0, mode_map = 0, mode_table = 0, mode_read = 0, explicit = 0;
	uint64_t map_s = 0, table_rows = 0, ra_s = 0, ra_len = 0, ex_size = 0;
	long max_report = 10;
	struct geom eg = { .level = -1, .layout = -1, .chunk = 0, .raid_disks = 0 };

	memset(&a, 0, sizeof(a));
	gf_init();
	devs = calloc((size_t)argc + 1, sizeof(*devs));
	if (!devs)
		die("out of memory");

	for (i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(stdout);
			return EXIT_CLEAN;
		} else if (!strcmp(o, "--")) {
			for (i++; i < argc; i++)
				devs[ndev++] = argv[i];
			break;
		} else if (!strcmp(o, "-q") || !strcmp(o, "--quiet")) {
			quiet = 1;
		} else if (!strcmp(o, "--print-geometry")) {
			mode_geom = 1;
		} else if (!strcmp(o, "--layout-map")) {
			mode_map = 1;
			map_s = parse_u64(need_arg(argc, argv, &i), "array sector");
		} else if (!strcmp(o, "--layout-table")) {
			mode_table = 1;
			if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
				table_rows = parse_u64(argv[++i], "row count");
		} else if (!strcmp(o, "--read-array")) {
			mode_read = 1;
			ra_s = parse_u64(need_arg(argc, argv, &i), "array sector");
			ra_len = parse_u64(need_arg(argc, argv, &i), "length");
			ra_out = need_arg(argc, argv, &i);
		} else if (!strcmp(o, "--range")) {
			const char *v = need_arg(argc, argv, &i);
			const char *colon = strchr(v, ':');
			char startbuf[32];

			if (!colon || colon == v || (size_t)(colon - v) >= sizeof(startbuf))
				die("invalid --range '%s': expected START:LEN in member sectors", v);
			memcpy(startbuf, v, (size_t)(colon - v));
			startbuf[colon - v] = 0;
			r.start = parse_u64(startbuf, "range start");
			r.len = parse_u64(colon + 1, "range length");
			have_range = 1;
		} else if (!strcmp(o, "--missing")) {
			int ms = parse_int(need_arg(argc, argv, &i), "slot", 0, MAX_DISKS - 1);

			/* a second, different --missing is for RAID-6 (checked later) */
			if (want_missing[0] < 0 || want_missing[0] == ms)
				want_missing[0] = ms;
			else if (want_missing[1] < 0 || want_missing[1] == ms)
				want_missing[1] = ms;
			else
				die("--missing given for more than two slots");
		} else if (!strcmp(o, "--reconstruct")) {
			recon = need_arg(argc, argv, &i);
		} else if (!strcmp(o, "--max-report")) {
			max_report = parse_int(need_arg(argc, argv, &i), "--max-report", 0, INT_MAX);
		} else if (!strcmp(o, "--metadata")) {
			const char *v = need_arg(argc, argv, &i);

			if (!strcmp(v, "1.0"))
				force_minor = 0;
			else if (!strcmp(v, "1.1"))
				force_minor = 1;
			else if (!strcmp(v, "1.2"))
				force_minor = 2;
			else
				die("--metadata must be 1.0, 1.1 or 1.2, not '%s'", v);
		} else if (!strcmp(o, "--level")) {
			eg.level = parse_int(need_arg(argc, argv, &i), "level", 4, 6);
			explicit = 1;
		} else if (!strcmp(o, "--layout")) {
			layout_arg = need_arg(argc, argv, &i);	/* parsed once the level is known */
			explicit = 1;
		} else if (!strcmp(o, "--chunk")) {
			eg.chunk = (uint32_t)parse_int(need_arg(argc, argv, &i), "chunk KiB", 4,
						       1 << 30) * 2u;
			explicit = 1;
		} else if (!strcmp(o, "--chunk-sectors")) {
			eg.chunk = (uint32_t)parse_int(need_arg(argc, argv, &i), "chunk sectors",
						       8, 1 << 30);
			explicit = 1;
		} else if (!strcmp(o, "--raid-disks")) {
			eg.raid_disks = parse_int(need_arg(argc, argv, &i), "raid-disks", 2,
						  MAX_DISKS);
			explicit = 1;
		} else if (!strcmp(o, "--size")) {
			ex_size = parse_u64(need_arg(argc, argv, &i), "size");
			explicit = 1;
		} else if (o[0] == '-' && o[1]) {
			die("unknown option '%s' (see --help)", o);
		} else {
			devs[ndev++] = o;
		}
	}

	if (mode_geom + mode_map + mode_table + mode_read > 1)
		die("choose one of --print-geometry, --layout-map, --layout-table, --read-array");
	if (recon && (mode_geom || mode_map || mode_table || mode_read))
		die("--reconstruct is a check-mode option");

	if (explicit) {
		if (ndev)
			die("explicit geometry (--level/--layout/--chunk/--raid-disks) is for "
			    "--layout-map/--layout-table without devices");
		if (!mode_map && !mode_table)
			die("explicit geometry only works with --layout-map or --layout-table");
		if (eg.level < 0)
			eg.level = 5;
		if (layout_arg)
			eg.layout = parse_layout(layout_arg, eg.level);
		if (eg.layout < 0)
			eg.layout = eg.level == 4 ? 5 : 2;
		if (!eg.chunk)
			eg.chunk = 1024;	/* mdadm default 512 KiB */
		if (eg.chunk & (eg.chunk - 1))
			die("chunk must be a power of two");
		if (!eg.raid_disks)
			die("--raid-disks is required with explicit geometry");
		if (eg.level == 6 && eg.raid_disks < 4)
			die("RAID-6 needs --raid-disks 4 or more");
		eg.data_disks = eg.raid_disks - (eg.level == 6 ? 2 : 1);
		eg.size = ex_size & ~(uint64_t)(eg.chunk - 1);
		if (eg.size && eg.size > UINT64_MAX / (uint64_t)eg.data_disks)
			die("--size too large");
		eg.array_sectors = eg.size * (uint64_t)eg.data_disks;
		if (mode_map) {
			print_map(&eg, NULL, map_s);
		} else {
			if (!table_rows)
				table_rows = (uint64_t)eg.raid_disks;
			if (table_rows > 1000000)
				die("too many rows");
			print_table(&eg, table_rows);
		}
		return EXIT_CLEAN;
	}

	if (!ndev) {
		usage(stderr);
		return EXIT_ERR;
	}
	a.nmem = ndev;
	a.mem = calloc((size_t)ndev, sizeof(*a.mem));
	if (!a.mem)
		die("out of memory");
	for (i = 0; i < ndev; i++) {
		a.mem[i].path = devs[i];
		load_member(&a.mem[i], force_minor);
	}
	assemble(&a, want_missing);

	if (have_range) {
		if (r.start > a.g.size)
			die("--range start %" PRIu64 " is beyond the member data (%" PRIu64
			    " sectors)", r.start, a.g.size);
		if (r.len == 0)
			r.len = a.g.size - r.start;
		if (r.len > a.g.size - r.start)
			die("--range %" PRIu64 ":%" PRIu64 " is beyond the member data (%"
			    PRIu64 " sectors)", r.start, r.len, a.g.size);
	} else {
		r.start = 0;
		r.len = a.g.size;
	}

	if (mode_geom) {
		print_geometry(&a);
		return EXIT_CLEAN;
	}
	if (mode_map) {
		print_map(&a.g, &a, map_s);
		return EXIT_CLEAN;
	}
	if (mode_table) {
		if (!table_rows)
			table_rows = (uint64_t)a.g.raid_disks;
		if (table_rows > 1000000)
			die("too many rows");
		print_table(&a.g, table_rows);
		return EXIT_CLEAN;
	}
	if (mode_read)
		return do_read_array(&a, ra_s, ra_len, ra_out);
	return do_check(&a, r, recon, max_report);
}
