// SPDX-License-Identifier: GPL-2.0
/*
 * llbitmap2-inspect - offline inspector for md lockless bitmaps (version 6),
 * as written by upstream md-llbitmap and md-llbitmap2.
 *
 * Reads one member device or image, finds its md 1.x superblock and the
 * internal bitmap (sb_start + bitmap_offset), checks the bitmap superblock
 * the way the kernel's llbitmap_read_sb does, and prints the fields and the
 * number of chunks in each state (same labels as the sysfs "bits" file).
 * --map prints a text map, --json machine-readable output, --png a picture.
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -o llbitmap2-inspect llbitmap2-inspect.c \
 *            $(pkg-config --cflags --libs libpng)
 *
 * Exit status: 0 the bitmap is valid; 1 it was read but has wrong fields or
 * invalid state bytes (each reported); 2 usage or I/O error, or no md
 * superblock / no lockless bitmap could be found or parsed.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define PROG "llbitmap2-inspect"
#define SECTOR 512u

#define MD_SB_MAGIC 0xa92b4efcu
#define MD_FEATURE_BITMAP_OFFSET 1u
#define MD_FEATURE_PPL 1024u
#define MD_FEATURE_MULTIPLE_PPLS 2048u
#define MD_FEATURE_ALL 0x1fffu
#define MD_DISK_ROLE_MAX 0xff00u

#define BITMAP_MAGIC 0x6d746962u
#define BITMAP_MAJOR_LOCKLESS 6
#define BITMAP_DATA_OFFSET 1024u
#define MIN_CHUNK_SIZE 128u		/* sectors */
#define DEFAULT_SPACE_1X 6u		/* (4096 - 1024) >> 9 */

/* bitmap_super_t flags */
#define BITMAP_STALE 1
#define BITMAP_WRITE_ERROR 2
#define BITMAP_FIRST_USE 3
#define BITMAP_CLEAN 4
#define BITMAP_DAEMON_BUSY 5
#define BITMAP_SHUTDOWN 6
#define BITMAP_HOSTENDIAN 15

enum { ST_UNWRITTEN, ST_CLEAN, ST_DIRTY, ST_NEEDSYNC, ST_SYNCING, ST_NEEDSYNC_UNW,
       ST_SYNCING_UNW, ST_CLEAN_UNW, ST_COUNT, ST_INVALID = ST_COUNT, ST_NONE };

/* labels exactly as the kernel's /sys/block/mdX/md/bitmap/bits */
static const char *state_label[ST_COUNT + 1] = {
	"unwritten", "clean", "dirty", "need sync", "syncing",
	"need sync unwritten", "syncing unwritten", "clean unwritten", "invalid",
};
static const char *state_key[ST_COUNT + 1] = {
	"unwritten", "clean", "dirty", "need_sync", "syncing",
	"need_sync_unwritten", "syncing_unwritten", "clean_unwritten", "invalid",
};
static const char state_char[ST_COUNT + 1] = { '.', '=', 'D', 'N', 'S', 'n', 's', 'u', '!' };
static const uint8_t state_rgb[ST_COUNT + 2][3] = {
	{ 0xd4, 0xd4, 0xd4 },	/* unwritten: light grey */
	{ 0x2c, 0xa0, 0x2c },	/* clean: green */
	{ 0xd6, 0x27, 0x28 },	/* dirty: red */
	{ 0xff, 0x7f, 0x0e },	/* need sync: orange */
	{ 0x1f, 0x77, 0xb4 },	/* syncing: blue */
	{ 0xe8, 0xc5, 0x00 },	/* need sync unwritten: yellow */
	{ 0x17, 0xbe, 0xcf },	/* syncing unwritten: cyan */
	{ 0xa6, 0xe0, 0x9a },	/* clean unwritten: pale green */
	{ 0x00, 0x00, 0x00 },	/* invalid: black */
	{ 0xff, 0xff, 0xff },	/* no chunk: white */
};

#define MAX_MSGS 32
#define MSG_LEN 240
#define MAX_INVALID_LIST 16

struct ctx {
	/* input */
	const char *path;
	int fd;
	uint64_t dev_bytes;
	int force_minor;

	/* md superblock */
	int have_md;
	int minor;
	uint64_t sb_start;
	uint8_t sb[4096];
	uint32_t feature, level, layout, chunk, raid_disks, dev_number, max_dev;
	uint64_t size, data_offset, data_size, events;
	int role;		/* -1 spare, -2 faulty, -3 journal, -4 unknown */
	char name[33];
	int32_t bitmap_offset;
	uint64_t bm_start;	/* sector */

	/* bitmap superblock */
	int have_bsb;
	uint8_t bsb[256];
	uint32_t b_magic, b_version, b_state, b_chunksize, b_daemon_sleep;
	uint32_t b_write_behind, b_reserved, b_nodes;
	uint64_t b_events, b_events_cleared, b_sync_size;
	uint64_t space;		/* sectors the kernel will use */
	uint64_t sync_size;	/* effective */
	uint64_t chunksize;	/* effective */
	int geometry_computed;	/* FIRST_USE: what llbitmap_init will choose */

	/* states */
	int have_states;
	uint64_t chunks;
	uint8_t *states;	/* one byte per chunk (raw value) */
	uint64_t counts[ST_COUNT + 1];
	uint64_t invalid_at[MAX_INVALID_LIST];

	/* messages */
	char errs[MAX_MSGS][MSG_LEN];
	int nerr, nerr_total;
	char warns[MAX_MSGS][MSG_LEN];
	int nwarn, nwarn_total;
	int fatal;
	jmp_buf fatal_jmp;
};

/* ------------------------------------------------------------------ */

static void add_msg(char (*list)[MSG_LEN], int *n, int *total, const char *fmt, va_list ap)
{
	(*total)++;
	if (*n >= MAX_MSGS)
		return;
	vsnprintf(list[*n], MSG_LEN, fmt, ap);
	(*n)++;
}

static void error(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void error(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_msg(c->errs, &c->nerr, &c->nerr_total, fmt, ap);
	va_end(ap);
}

static void warning(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warning(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_msg(c->warns, &c->nwarn, &c->nwarn_total, fmt, ap);
	va_end(ap);
}

/* an error that stops the analysis */
static void fatal(struct ctx *c, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void fatal(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_msg(c->errs, &c->nerr, &c->nerr_total, fmt, ap);
	va_end(ap);
	c->fatal = 1;
	longjmp(c->fatal_jmp, 1);
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

static int is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

/* read len bytes at off; 0 ok, -1 beyond end / error (message in c) */
static int read_at(struct ctx *c, void *buf, size_t len, uint64_t off, const char *what)
{
	uint8_t *p = buf;

	if (off > c->dev_bytes || len > c->dev_bytes - off) {
		fatal(c, "%s: %s at byte %" PRIu64 " (+%zu) is beyond the end of the device "
		      "(%" PRIu64 " bytes): truncated image?", c->path, what, off, len,
		      c->dev_bytes);
	}
	while (len) {
		ssize_t r = pread(c->fd, p, len, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fatal(c, "%s: reading %s at byte %" PRIu64 ": %s", c->path, what, off,
			      strerror(errno));
		if (r == 0)
			fatal(c, "%s: unexpected end of device reading %s at byte %" PRIu64,
			      c->path, what, off);
		p += r;
		off += (uint64_t)r;
		len -= (size_t)r;
	}
	return 0;
}

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

/* ------------------------------------------------------------------ */
/* md superblock                                                       */

static uint64_t sb_location(int minor, uint64_t dev_sectors)
{
	if (minor == 0)
		return (dev_sectors - 16) & ~(uint64_t)7;
	return minor == 1 ? 0 : 8;
}

static uint32_t sb_csum(const uint8_t *sb, uint32_t max_dev)
{
	uint64_t sum = 0;
	int size = 256 + (int)max_dev * 2, off = 0;

	for (; size >= 4; size -= 4, off += 4)
		sum += off == 216 ? 0 : le32(sb + off);
	if (size == 2)
		sum += le16(sb + off);
	return (uint32_t)((sum & 0xffffffffu) + (sum >> 32));
}

static int probe_sb(struct ctx *c, int minor)
{
	uint64_t dev_sectors = c->dev_bytes / SECTOR, loc;

	if (minor == 0 && dev_sectors < 16)
		return 0;
	loc = sb_location(minor, dev_sectors);
	if ((loc + 8) * SECTOR > c->dev_bytes)
		return 0;
	read_at(c, c->sb, sizeof(c->sb), loc * SECTOR, "md superblock");
	if (le32(c->sb) != MD_SB_MAGIC || le32(c->sb + 4) != 1 ||
	    le64(c->sb + 144) != loc)
		return 0;
	c->minor = minor;
	c->sb_start = loc;
	return 1;
}

static void parse_md(struct ctx *c)
{
	static const int order[] = { 2, 1, 0 };
	int i, found = 0;

	if (c->dev_bytes < 8 * SECTOR)
		fatal(c, "%s: only %" PRIu64 " bytes: too small to hold md metadata (truncated image?)", c->path,
		      c->dev_bytes);
	if (c->force_minor >= 0) {
		found = probe_sb(c, c->force_minor);
		if (!found)
			fatal(c, "%s: no md 1.%d superblock (magic a92b4efc, major_version 1, "
			      "matching super_offset) at sector %" PRIu64, c->path,
			      c->force_minor, sb_location(c->force_minor, c->dev_bytes / SECTOR));
	} else {
		for (i = 0; i < 3 && !found; i++)
			found = probe_sb(c, order[i]);
		if (!found)
			fatal(c, "%s: no md 1.x superblock found (looked at 4 KiB for 1.2, 0 for "
			      "1.1, end-8K for 1.0): not an md member, or 0.90 metadata", c->path);
	}
	c->have_md = 1;
	c->feature = le32(c->sb + 8);
	memcpy(c->name, c->sb + 32, 32);
	c->name[32] = 0;
	for (i = 0; i < 32 && c->name[i]; i++)
		if (c->name[i] < 32 || c->name[i] > 126)
			c->name[i] = '?';
	c->level = le32(c->sb + 72);
	c->layout = le32(c->sb + 76);
	c->size = le64(c->sb + 80);
	c->chunk = le32(c->sb + 88);
	c->raid_disks = le32(c->sb + 92);
	c->bitmap_offset = (int32_t)le32(c->sb + 96);
	c->data_offset = le64(c->sb + 128);
	c->data_size = le64(c->sb + 136);
	c->dev_number = le32(c->sb + 160);
	c->events = le64(c->sb + 200);
	c->max_dev = le32(c->sb + 220);

	if (c->max_dev > (4096 - 256) / 2) {
		error(c, "md superblock: max_dev %" PRIu32 " exceeds %d", c->max_dev,
		      (4096 - 256) / 2);
		c->role = -4;
	} else {
		uint32_t want = sb_csum(c->sb, c->max_dev), have = le32(c->sb + 216);

		if (want != have)
			error(c, "md superblock: checksum 0x%08" PRIx32 " does not match the "
			      "computed 0x%08" PRIx32 ": the kernel will reject this member",
			      have, want);
		if (c->dev_number >= c->max_dev) {
			c->role = -4;
		} else {
			uint16_t r = le16(c->sb + 256 + 2 * c->dev_number);

			c->role = r < MD_DISK_ROLE_MAX ? (int)r : r == 0xffff ? -1 :
				  r == 0xfffe ? -2 : r == 0xfffd ? -3 : -4;
		}
	}
	if (c->feature & ~MD_FEATURE_ALL)
		warning(c, "md superblock: unknown feature bits 0x%" PRIx32,
			c->feature & ~MD_FEATURE_ALL);
	if (c->feature & (MD_FEATURE_PPL | MD_FEATURE_MULTIPLE_PPLS))
		fatal(c, "%s: the array uses a partial parity log (feature_map 0x%" PRIx32
		      "), not a bitmap", c->path, c->feature);
	if (!(c->feature & MD_FEATURE_BITMAP_OFFSET))
		fatal(c, "%s: the md superblock has no internal bitmap (feature_map 0x%"
		      PRIx32 " lacks BITMAP_OFFSET)", c->path, c->feature);
	if (c->bitmap_offset == 0)
		fatal(c, "%s: bitmap_offset is 0: the bitmap would overwrite the md "
		      "superblock", c->path);
	if (c->bitmap_offset < 0 && (uint64_t)(-(int64_t)c->bitmap_offset) > c->sb_start)
		fatal(c, "%s: bitmap_offset %" PRId32 " points before the start of the "
		      "device (superblock at sector %" PRIu64 ")", c->path, c->bitmap_offset,
		      c->sb_start);
	c->bm_start = (uint64_t)((int64_t)c->sb_start + c->bitmap_offset);
	if (c->bm_start >= c->dev_bytes / SECTOR)
		fatal(c, "%s: bitmap_offset %" PRId32 " points to sector %" PRIu64 ", beyond "
		      "the end of the device (%" PRIu64 " sectors): truncated image?", c->path,
		      c->bitmap_offset, c->bm_start, c->dev_bytes / SECTOR);
}

/* ------------------------------------------------------------------ */
/* bitmap superblock and states                                        */

static void parse_bitmap(struct ctx *c)
{
	uint64_t space_bytes, need_chunk, end_bytes;
	char u1[40], u2[40];

	read_at(c, c->bsb, sizeof(c->bsb), c->bm_start * SECTOR, "bitmap superblock");
	c->b_magic = le32(c->bsb + 0);
	c->b_version = le32(c->bsb + 4);
	c->b_events = le64(c->bsb + 24);
	c->b_events_cleared = le64(c->bsb + 32);
	c->b_sync_size = le64(c->bsb + 40);
	c->b_state = le32(c->bsb + 48);
	c->b_chunksize = le32(c->bsb + 52);
	c->b_daemon_sleep = le32(c->bsb + 56);
	c->b_write_behind = le32(c->bsb + 60);
	c->b_reserved = le32(c->bsb + 64);
	c->b_nodes = le32(c->bsb + 68);

	if (c->b_magic != BITMAP_MAGIC)
		fatal(c, "%s: no bitmap at sector %" PRIu64 " (sb_start %" PRIu64 " %+" PRId32
		      "): magic 0x%08" PRIx32 ", expected 0x%08x", c->path, c->bm_start,
		      c->sb_start, c->bitmap_offset, c->b_magic, BITMAP_MAGIC);
	if (c->b_version >= 3 && c->b_version <= 5)
		fatal(c, "%s: this is a classic md bitmap (version %" PRIu32 "), not a "
		      "lockless one: use mdadm --examine-bitmap", c->path, c->b_version);
	if (c->b_version != BITMAP_MAJOR_LOCKLESS)
		fatal(c, "%s: unknown bitmap version %" PRIu32 " (lockless bitmaps are "
		      "version 6)", c->path, c->b_version);
	c->have_bsb = 1;

	if (memcmp(c->bsb + 8, c->sb + 16, 16)) {
		fmt_uuid(c->bsb + 8, u1);
		fmt_uuid(c->sb + 16, u2);
		error(c, "bitmap uuid %s differs from the array uuid %s: the kernel will "
		      "refuse this bitmap", u1, u2);
	}
	if (c->b_state & ~((1u << BITMAP_STALE) | (1u << BITMAP_WRITE_ERROR) |
			   (1u << BITMAP_FIRST_USE) | (1u << BITMAP_CLEAN) |
			   (1u << BITMAP_DAEMON_BUSY) | (1u << BITMAP_SHUTDOWN) |
			   (1u << BITMAP_HOSTENDIAN)))
		warning(c, "bitmap state 0x%" PRIx32 " has unknown bits", c->b_state);
	if (c->b_state & (1u << BITMAP_HOSTENDIAN))
		error(c, "bitmap state has HOSTENDIAN set: lockless bitmaps are little "
		      "endian only");

	/* space, as md.c (1.0) and llbitmap_read_sb (1.1/1.2) compute it */
	if (c->minor == 0)
		c->space = c->bitmap_offset > 0 ? (uint64_t)(8 - (int64_t)c->bitmap_offset) :
			   (uint64_t)(-(int64_t)c->bitmap_offset);
	if (c->minor == 0 && c->bitmap_offset > 8)
		c->space = 0;
	if (c->space == 0)
		c->space = c->b_reserved ? c->b_reserved : DEFAULT_SPACE_1X;
	if (c->minor > 0 && !c->b_reserved)
		warning(c, "sectors_reserved is 0: the kernel assumes %u sectors", DEFAULT_SPACE_1X);
	space_bytes = c->space * SECTOR;
	if (c->b_reserved && c->minor > 0 && c->bitmap_offset > 0 &&
	    c->bm_start + c->b_reserved > c->data_offset)
		error(c, "sectors_reserved %" PRIu32 " runs from sector %" PRIu64 " into the "
		      "data area at sector %" PRIu64, c->b_reserved, c->bm_start,
		      c->data_offset);

	/* sync size */
	c->sync_size = c->b_sync_size;
	if (!c->sync_size) {
		c->sync_size = c->size;
		if (!(c->b_state & (1u << BITMAP_FIRST_USE)))
			warning(c, "sync_size is 0: the kernel uses the array's resync size; "
				"assuming the component size %" PRIu64 " sectors", c->size);
	} else if (c->level != 10 && c->sync_size > c->size) {
		error(c, "sync_size %" PRIu64 " exceeds the component size %" PRIu64
		      ": the kernel will refuse this bitmap", c->sync_size, c->size);
	}

	if (c->b_state & (1u << BITMAP_FIRST_USE)) {
		/*
		 * The first load ignores chunksize and daemon_sleep and picks the
		 * geometry itself: md-llbitmap2 keeps the states inside the
		 * reservation after the 1 KiB header, upstream only keeps the
		 * chunk count below the whole reservation.
		 */
		uint64_t cs = MIN_CHUNK_SIZE, ucs = MIN_CHUNK_SIZE;
		uint64_t room = space_bytes > BITMAP_DATA_OFFSET ?
				space_bytes - BITMAP_DATA_OFFSET : 0;

		c->sync_size = c->size;
		if (!c->sync_size)
			fatal(c, "%s: component size is 0", c->path);
		while ((c->sync_size + cs - 1) / cs > room && cs < (1ull << 30))
			cs <<= 1;
		while ((c->sync_size + ucs - 1) / ucs > space_bytes && ucs < (1ull << 30))
			ucs <<= 1;
		c->chunksize = cs;
		c->geometry_computed = 1;
		if (cs == ucs)
			warning(c, "FIRST_USE: the kernel has not initialised this bitmap yet; "
				"on the first assembly it picks chunksize %" PRIu64 " sectors and "
				"rewrites every state", cs);
		else
			warning(c, "FIRST_USE: the kernel has not initialised this bitmap yet; "
				"on the first assembly md-llbitmap2 picks chunksize %" PRIu64
				" sectors (upstream llbitmap %" PRIu64 ") and rewrites every state",
				cs, ucs);
	} else {
		c->chunksize = c->b_chunksize;
		if (!is_pow2(c->chunksize))
			fatal(c, "%s: bitmap chunksize %" PRIu32 " sectors is not a power of 2",
			      c->path, c->b_chunksize);
		need_chunk = (c->sync_size + space_bytes - 1) / space_bytes;
		if (c->chunksize < need_chunk)
			error(c, "chunksize %" PRIu64 " too small: %" PRIu64 " sectors need at "
			      "least %" PRIu64 " to fit %" PRIu64 " reserved bytes", c->chunksize,
			      c->sync_size, need_chunk, space_bytes);
		if (c->chunksize < 8)
			error(c, "chunksize %" PRIu64 " is below 8 sectors: md-llbitmap2 "
			      "refuses this bitmap", c->chunksize);
		else if (c->chunksize < MIN_CHUNK_SIZE)
			warning(c, "chunksize %" PRIu64 " is below the kernel's minimum %u "
				"sectors", c->chunksize, MIN_CHUNK_SIZE);
		if (c->b_daemon_sleep < 1)
			error(c, "daemon_sleep 0 is out of range (1..): the kernel will refuse "
			      "this bitmap");
	}
	c->chunks = c->sync_size / c->chunksize + (c->sync_size % c->chunksize != 0);

	if (c->b_events < c->events)
		warning(c, "bitmap events %" PRIu64 " < md events %" PRIu64 ": stale, the "
			"kernel will force a full resync", c->b_events, c->events);
	if (c->b_events_cleared > c->b_events)
		warning(c, "events_cleared %" PRIu64 " is newer than events %" PRIu64,
			c->b_events_cleared, c->b_events);
	if (c->b_state & (1u << BITMAP_STALE))
		warning(c, "bitmap is marked STALE: the kernel will resync every chunk");
	if (c->b_state & (1u << BITMAP_WRITE_ERROR))
		warning(c, "bitmap is marked WRITE_ERROR");

	end_bytes = BITMAP_DATA_OFFSET + c->chunks;
	if (c->chunks > space_bytes)
		error(c, "%" PRIu64 " chunks do not fit the %" PRIu64 " reserved bytes",
		      c->chunks, space_bytes);
	else if (end_bytes > space_bytes)
		warning(c, "state bytes end at byte %" PRIu64 ", past the %" PRIu64 " reserved "
			"bytes (kernel boundary case)", end_bytes, space_bytes);
	if (c->minor > 0 && c->bitmap_offset > 0 &&
	    c->bm_start * SECTOR + end_bytes > c->data_offset * SECTOR)
		error(c, "state bytes (sector %" PRIu64 " + %" PRIu64 " bytes) overlap the "
		      "data area at sector %" PRIu64, c->bm_start, end_bytes, c->data_offset);
}

static void read_states(struct ctx *c)
{
	uint64_t off = c->bm_start * SECTOR + BITMAP_DATA_OFFSET, i;
	int ninv = 0;

	if (off > c->dev_bytes || c->chunks > c->dev_bytes - off)
		fatal(c, "%s: %" PRIu64 " state bytes at byte %" PRIu64 " run past the end of "
		      "the device (%" PRIu64 " bytes): truncated image?", c->path, c->chunks,
		      off, c->dev_bytes);
	if (c->chunks > SIZE_MAX / 2)
		fatal(c, "%s: %" PRIu64 " chunks: too many", c->path, c->chunks);
	c->states = malloc(c->chunks ? (size_t)c->chunks : 1);
	if (!c->states)
		fatal(c, "%s: out of memory for %" PRIu64 " chunk states", c->path, c->chunks);
	if (c->chunks)
		read_at(c, c->states, (size_t)c->chunks, off, "chunk states");
	for (i = 0; i < c->chunks; i++) {
		uint8_t v = c->states[i];

		if (v < ST_COUNT) {
			c->counts[v]++;
			continue;
		}
		c->counts[ST_INVALID]++;
		if (ninv < MAX_INVALID_LIST)
			c->invalid_at[ninv++] = i;
	}
	c->have_states = 1;
	if (c->counts[ST_INVALID]) {
		char list[MSG_LEN] = "";
		size_t o = 0;
		int k;

		for (k = 0; k < ninv && o < sizeof(list) - 40; k++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%" PRIu64 "=%u",
					      k ? " " : "", c->invalid_at[k],
					      c->states[c->invalid_at[k]]);
		error(c, "%" PRIu64 " chunk state byte%s >= 8 (the kernel forces them to need "
		      "sync): chunk=value %s%s", c->counts[ST_INVALID],
		      c->counts[ST_INVALID] == 1 ? "" : "s", list,
		      c->counts[ST_INVALID] > (uint64_t)ninv ? " ..." : "");
	}
}

/* ------------------------------------------------------------------ */
/* text output                                                         */

static const char *role_str(const struct ctx *c, char *buf, size_t n)
{
	switch (c->role) {
	case -1: return "spare";
	case -2: return "faulty";
	case -3: return "journal";
	case -4: return "unknown";
	default: snprintf(buf, n, "%d", c->role); return buf;
	}
}

static void state_flags(uint32_t s, char *buf, size_t n)
{
	static const struct { int bit; const char *name; } f[] = {
		{ BITMAP_STALE, "STALE" }, { BITMAP_WRITE_ERROR, "WRITE_ERROR" },
		{ BITMAP_FIRST_USE, "FIRST_USE" }, { BITMAP_CLEAN, "CLEAN" },
		{ BITMAP_DAEMON_BUSY, "DAEMON_BUSY" }, { BITMAP_SHUTDOWN, "SHUTDOWN" },
		{ BITMAP_HOSTENDIAN, "HOSTENDIAN" },
	};
	size_t o = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (s & (1u << f[i].bit))
			o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? " " : "", f[i].name);
	if (!o)
		snprintf(buf, n, "none");
}

static void print_text(const struct ctx *c, int map, int width)
{
	char u[40], rb[16], fl[128];
	uint64_t i;
	int s;

	printf("device: %s\n", c->path);
	if (c->have_md) {
		fmt_uuid(c->sb + 16, u);
		printf("md superblock: version 1.%d at sector %" PRIu64 "\n", c->minor,
		       c->sb_start);
		printf("  array uuid: %s\n", u);
		printf("  name: %s\n", c->name);
		printf("  level: %" PRId32 "\n", (int32_t)c->level);
		printf("  raid_disks: %" PRIu32 "\n", c->raid_disks);
		printf("  chunk: %" PRIu32 " sectors\n", c->chunk);
		printf("  component size: %" PRIu64 " sectors\n", c->size);
		printf("  dev_number: %" PRIu32 " role: %s\n", c->dev_number,
		       role_str(c, rb, sizeof(rb)));
		printf("  data_offset: %" PRIu64 " data_size: %" PRIu64 "\n", c->data_offset,
		       c->data_size);
		printf("  events: %" PRIu64 "\n", c->events);
		printf("  feature_map: 0x%" PRIx32 "\n", c->feature);
		if (c->feature & MD_FEATURE_BITMAP_OFFSET)
			printf("  bitmap_offset: %" PRId32 " sectors (bitmap at sector %" PRIu64
			       ")\n", c->bitmap_offset, c->bm_start);
	}
	if (c->have_bsb) {
		fmt_uuid(c->bsb + 8, u);
		state_flags(c->b_state, fl, sizeof(fl));
		printf("bitmap superblock:\n");
		printf("  magic: 0x%08" PRIx32 "\n", c->b_magic);
		printf("  version: %" PRIu32 " (lockless)\n", c->b_version);
		printf("  uuid: %s\n", u);
		printf("  events: %" PRIu64 "\n", c->b_events);
		printf("  events_cleared: %" PRIu64 "\n", c->b_events_cleared);
		printf("  state: 0x%" PRIx32 " (%s)\n", c->b_state, fl);
		printf("  chunksize: %" PRIu32 " sectors", c->b_chunksize);
		if (is_pow2(c->b_chunksize))
			printf(" (%" PRIu32 " KiB)", c->b_chunksize / 2);
		printf("\n  sync_size: %" PRIu64 " sectors\n", c->b_sync_size);
		printf("  daemon_sleep: %" PRIu32 " s\n", c->b_daemon_sleep);
		printf("  write_behind: %" PRIu32 "\n", c->b_write_behind);
		printf("  sectors_reserved: %" PRIu32 "\n", c->b_reserved);
		if (c->b_nodes)
			printf("  nodes: %" PRIu32 "\n", c->b_nodes);
		if (c->bsb[72]) {
			char cn[65];
			int k;

			memcpy(cn, c->bsb + 72, 64);
			cn[64] = 0;
			for (k = 0; k < 64 && cn[k]; k++)
				if (cn[k] < 32 || cn[k] > 126)
					cn[k] = '?';
			printf("  cluster_name: %s\n", cn);
		}
		printf("geometry%s:\n", c->geometry_computed ? " (computed, FIRST_USE)" : "");
		printf("  chunksize: %" PRIu64 " sectors\n", c->chunksize);
		printf("  sync_size: %" PRIu64 " sectors\n", c->sync_size);
		printf("  chunks: %" PRIu64 "\n", c->chunks);
		printf("  space: %" PRIu64 " sectors\n", c->space);
	}
	if (c->have_states) {
		printf("states:\n");
		for (s = 0; s < ST_COUNT; s++)
			printf("%s %" PRIu64 "\n", state_label[s], c->counts[s]);
		if (c->counts[ST_INVALID])
			printf("invalid %" PRIu64 "\n", c->counts[ST_INVALID]);
	}
	if (map && c->have_states) {
		int iw = 1;
		uint64_t t = c->chunks;

		while (t >= 10) {
			t /= 10;
			iw++;
		}
		printf("map: one character per chunk of %" PRIu64 " sectors, %d per line\n",
		       c->chunksize, width);
		printf("legend:");
		for (s = 0; s <= ST_COUNT; s++)
			printf(" %c %s%s", state_char[s], state_label[s], s < ST_COUNT ? "," : "");
		printf("\n");
		for (i = 0; i < c->chunks; i++) {
			uint8_t v = c->states[i];

			if (i % (uint64_t)width == 0)
				printf("%*" PRIu64 " ", iw, i);
			putchar(state_char[v < ST_COUNT ? v : ST_INVALID]);
			if (i % (uint64_t)width == (uint64_t)width - 1 || i + 1 == c->chunks)
				putchar('\n');
		}
	}
}

/* ------------------------------------------------------------------ */
/* JSON output                                                         */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void print_json(const struct ctx *c, int map)
{
	char u[40], fl[128], rb[16];
	int s, i;

	printf("{\n  \"device\": ");
	json_str(c->path);
	if (c->have_md) {
		fmt_uuid(c->sb + 16, u);
		printf(",\n  \"md\": {\"metadata\": \"1.%d\", \"sb_start\": %" PRIu64
		       ", \"uuid\": \"%s\", \"name\": ", c->minor, c->sb_start, u);
		json_str(c->name);
		printf(", \"level\": %" PRId32 ", \"layout\": %" PRIu32 ", \"raid_disks\": %"
		       PRIu32 ", \"chunk_sectors\": %" PRIu32 ", \"size\": %" PRIu64
		       ", \"dev_number\": %" PRIu32 ", \"role\": ", (int32_t)c->level,
		       c->layout, c->raid_disks, c->chunk, c->size, c->dev_number);
		if (c->role >= 0)
			printf("%d", c->role);
		else
			json_str(role_str(c, rb, sizeof(rb)));
		printf(", \"data_offset\": %" PRIu64 ", \"data_size\": %" PRIu64
		       ", \"events\": %" PRIu64 ", \"feature_map\": %" PRIu32
		       ", \"bitmap_offset\": %" PRId32 ", \"bitmap_sector\": %" PRIu64 "}",
		       c->data_offset, c->data_size, c->events, c->feature, c->bitmap_offset,
		       c->bm_start);
	}
	if (c->have_bsb) {
		fmt_uuid(c->bsb + 8, u);
		state_flags(c->b_state, fl, sizeof(fl));
		printf(",\n  \"bitmap\": {\"magic\": %" PRIu32 ", \"version\": %" PRIu32
		       ", \"uuid\": \"%s\", \"events\": %" PRIu64 ", \"events_cleared\": %"
		       PRIu64 ", \"state\": %" PRIu32 ", \"state_flags\": \"%s\", "
		       "\"chunksize\": %" PRIu32 ", \"sync_size\": %" PRIu64
		       ", \"daemon_sleep\": %" PRIu32 ", \"write_behind\": %" PRIu32
		       ", \"sectors_reserved\": %" PRIu32 ", \"nodes\": %" PRIu32 "}",
		       c->b_magic, c->b_version, u, c->b_events, c->b_events_cleared,
		       c->b_state, fl, c->b_chunksize, c->b_sync_size, c->b_daemon_sleep,
		       c->b_write_behind, c->b_reserved, c->b_nodes);
		printf(",\n  \"geometry\": {\"chunksize\": %" PRIu64 ", \"sync_size\": %" PRIu64
		       ", \"chunks\": %" PRIu64 ", \"space\": %" PRIu64 ", \"computed\": %s}",
		       c->chunksize, c->sync_size, c->chunks, c->space,
		       c->geometry_computed ? "true" : "false");
	}
	if (c->have_states) {
		printf(",\n  \"states\": {");
		for (s = 0; s <= ST_COUNT; s++)
			printf("%s\"%s\": %" PRIu64, s ? ", " : "", state_key[s], c->counts[s]);
		printf("}");
		if (map) {
			uint64_t k;

			printf(",\n  \"map\": \"");
			for (k = 0; k < c->chunks; k++) {
				uint8_t v = c->states[k];

				putchar(state_char[v < ST_COUNT ? v : ST_INVALID]);
			}
			printf("\"");
		}
	}
	printf(",\n  \"errors\": [");
	for (i = 0; i < c->nerr; i++) {
		printf(i ? ", " : "");
		json_str(c->errs[i]);
	}
	printf("],\n  \"warnings\": [");
	for (i = 0; i < c->nwarn; i++) {
		printf(i ? ", " : "");
		json_str(c->warns[i]);
	}
	printf("],\n  \"valid\": %s\n}\n", c->nerr_total ? "false" : "true");
}

/* ------------------------------------------------------------------ */
/* PNG output                                                          */

/* 5x7 glyphs, rows top to bottom, bit 4 = leftmost column */
static const uint8_t *glyph(int ch)
{
	static const uint8_t digits[10][7] = {
		{ 0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E },
		{ 0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E },
		{ 0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F },
		{ 0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E },
		{ 0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02 },
		{ 0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E },
		{ 0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E },
		{ 0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 },
		{ 0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E },
		{ 0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C },
	};
	static const uint8_t lower[26][7] = {
		{ 0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F },	/* a */
		{ 0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E },	/* b */
		{ 0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E },	/* c */
		{ 0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F },	/* d */
		{ 0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E },	/* e */
		{ 0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08 },	/* f */
		{ 0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E },	/* g */
		{ 0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11 },	/* h */
		{ 0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E },	/* i */
		{ 0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C },	/* j */
		{ 0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12 },	/* k */
		{ 0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E },	/* l */
		{ 0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11 },	/* m */
		{ 0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11 },	/* n */
		{ 0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E },	/* o */
		{ 0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10 },	/* p */
		{ 0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01 },	/* q */
		{ 0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10 },	/* r */
		{ 0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E },	/* s */
		{ 0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06 },	/* t */
		{ 0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D },	/* u */
		{ 0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04 },	/* v */
		{ 0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A },	/* w */
		{ 0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11 },	/* x */
		{ 0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E },	/* y */
		{ 0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F },	/* z */
	};
	static const struct { char ch; uint8_t rows[7]; } punct[] = {
		{ ' ', { 0, 0, 0, 0, 0, 0, 0 } },
		{ '.', { 0, 0, 0, 0, 0, 0x0C, 0x0C } },
		{ ',', { 0, 0, 0, 0, 0x0C, 0x04, 0x08 } },
		{ ':', { 0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0 } },
		{ '(', { 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 } },
		{ ')', { 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 } },
		{ '-', { 0, 0, 0, 0x1F, 0, 0, 0 } },
		{ '/', { 0, 0x01, 0x02, 0x04, 0x08, 0x10, 0 } },
		{ '=', { 0, 0, 0x1F, 0, 0x1F, 0, 0 } },
		{ '%', { 0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03 } },
		{ '_', { 0, 0, 0, 0, 0, 0, 0x1F } },
		{ '+', { 0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0 } },
		{ '?', { 0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04 } },
	};
	unsigned i;

	ch = tolower((unsigned char)ch);
	if (ch >= '0' && ch <= '9')
		return digits[ch - '0'];
	if (ch >= 'a' && ch <= 'z')
		return lower[ch - 'a'];
	for (i = 0; i < sizeof(punct) / sizeof(punct[0]); i++)
		if (punct[i].ch == ch)
			return punct[i].rows;
	return punct[sizeof(punct) / sizeof(punct[0]) - 1].rows;
}

struct canvas {
	uint32_t w, h;
	uint8_t *px;
};

static void fill(struct canvas *cv, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		 const uint8_t *rgb)
{
	uint32_t i, j;

	for (j = y; j < y + h && j < cv->h; j++)
		for (i = x; i < x + w && i < cv->w; i++) {
			uint8_t *p = cv->px + ((size_t)j * cv->w + i) * 3;

			p[0] = rgb[0];
			p[1] = rgb[1];
			p[2] = rgb[2];
		}
}

#define FONT_SCALE 2
#define TEXT_H (7 * FONT_SCALE)
#define CHAR_W (6 * FONT_SCALE)

static void text(struct canvas *cv, uint32_t x, uint32_t y, const char *s)
{
	static const uint8_t ink[3] = { 0x20, 0x20, 0x20 };

	for (; *s; s++, x += CHAR_W) {
		const uint8_t *g = glyph(*s);
		int r, col;

		for (r = 0; r < 7; r++)
			for (col = 0; col < 5; col++)
				if (g[r] & (0x10 >> col))
					fill(cv, x + (uint32_t)col * FONT_SCALE,
					     y + (uint32_t)r * FONT_SCALE, FONT_SCALE, FONT_SCALE,
					     ink);
	}
}

/* the state shown for a cell covering several chunks: the most urgent */
static int worse(int a, int b)
{
	static const int rank[ST_COUNT + 2] = { 0, 1, 5, 7, 6, 4, 3, 2, 8, -1 };

	return rank[b] > rank[a] ? b : a;
}

struct png_err {
	jmp_buf jmp;
	char msg[160];
};

static void png_error_fn(png_structp png, png_const_charp msg)
{
	struct png_err *e = png_get_error_ptr(png);

	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	longjmp(e->jmp, 1);
}

static void png_warn_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* returns 0 or -1 with an error recorded */
static int write_png(struct ctx *c, const char *file)
{
	static const uint8_t white[3] = { 0xff, 0xff, 0xff }, grid[3] = { 0xf4, 0xf4, 0xf4 };
	static const uint8_t frame[3] = { 0x80, 0x80, 0x80 };
	struct canvas cv = { 0, 0, NULL };
	uint64_t per_cell = 1, cells, rows, k;
	uint32_t cols = 32, cell, gx, gy, gw, gh, ly, j, title_w;
	const uint32_t margin = 10, line = TEXT_H + 8;
	char title[3][200], label[128];
	volatile int ok = -1;
	png_structp png = NULL;
	png_infop info = NULL;
	struct png_err perr;
	FILE *volatile f = NULL;
	const char *base;
	int s, t;

	/* at most 512 x 4096 cells; beyond that a cell covers several chunks */
	while (c->chunks / per_cell > 512ull * 4096)
		per_cell *= 2;
	cells = c->chunks / per_cell + (c->chunks % per_cell != 0);
	while (cols < 512 && cells / cols > cols / 2)
		cols *= 2;
	cell = 768 / cols;
	cell = cell < 2 ? 2 : cell > 16 ? 16 : cell;
	rows = cells / cols + (cells % cols != 0);
	if (!rows)
		rows = 1;

	base = strrchr(c->path, '/');
	base = base ? base + 1 : c->path;
	snprintf(title[0], sizeof(title[0]), "llbitmap %.80s", base);
	snprintf(title[1], sizeof(title[1]), "%" PRIu64 " chunks of %" PRIu64 " kib, sync size %"
		 PRIu64 " sectors", c->chunks, c->chunksize / 2, c->sync_size);
	if (per_cell > 1)
		snprintf(title[2], sizeof(title[2]), "one cell = %" PRIu64 " chunks (worst "
			 "state shown)", per_cell);
	else
		snprintf(title[2], sizeof(title[2]), "one cell per chunk, row = %" PRIu32
			 " chunks", cols);

	gx = margin;
	gy = margin + 3 * line + 4;
	gw = cols * cell;
	gh = (uint32_t)rows * cell;
	title_w = 0;
	for (t = 0; t < 3; t++)
		if ((uint32_t)strlen(title[t]) * CHAR_W > title_w)
			title_w = (uint32_t)strlen(title[t]) * CHAR_W;
	cv.w = 2 * margin + (gw + 2 > title_w ? gw + 2 : title_w);
	if (cv.w < 2 * margin + 40 * CHAR_W)
		cv.w = 2 * margin + 40 * CHAR_W;
	ly = gy + gh + 2 + 12;
	cv.h = ly + (ST_COUNT + 1) * line + margin;
	cv.px = malloc((size_t)cv.w * cv.h * 3);
	if (!cv.px) {
		error(c, "--png: out of memory for a %" PRIu32 "x%" PRIu32 " picture", cv.w,
		      cv.h);
		return -1;
	}
	fill(&cv, 0, 0, cv.w, cv.h, white);
	for (t = 0; t < 3; t++)
		text(&cv, margin, margin + (uint32_t)t * line, title[t]);

	/* frame, then the cells */
	fill(&cv, gx, gy, gw + 2, gh + 2, frame);
	fill(&cv, gx + 1, gy + 1, gw, gh, white);
	for (k = 0; k < cells; k++) {
		uint64_t first = k * per_cell, last = first + per_cell, i;
		uint32_t x = gx + 1 + (uint32_t)(k % cols) * cell;
		uint32_t y = gy + 1 + (uint32_t)(k / cols) * cell;
		int st = ST_NONE;

		if (last > c->chunks)
			last = c->chunks;
		for (i = first; i < last; i++) {
			uint8_t v = c->states[i];

			st = worse(st, v < ST_COUNT ? v : ST_INVALID);
		}
		if (cell >= 4) {
			fill(&cv, x, y, cell, cell, grid);
			fill(&cv, x, y, cell - 1, cell - 1, state_rgb[st]);
		} else {
			fill(&cv, x, y, cell, cell, state_rgb[st]);
		}
	}

	/* legend */
	for (s = 0; s <= ST_COUNT; s++) {
		uint32_t y = ly + (uint32_t)s * line;
		double pct = c->chunks ? 100.0 * (double)c->counts[s] / (double)c->chunks : 0;

		fill(&cv, margin, y, TEXT_H, TEXT_H, frame);
		fill(&cv, margin + 1, y + 1, TEXT_H - 2, TEXT_H - 2, state_rgb[s]);
		snprintf(label, sizeof(label), "%s %" PRIu64 " (%.1f%%)", state_label[s],
			 c->counts[s], pct);
		text(&cv, margin + TEXT_H + 8, y, label);
	}

	f = fopen(file, "wb");
	if (!f) {
		error(c, "--png: cannot create %s: %s", file, strerror(errno));
		free(cv.px);
		return -1;
	}
	perr.msg[0] = 0;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &perr, png_error_fn,
				      png_warn_fn);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info) {
		snprintf(perr.msg, sizeof(perr.msg), "cannot initialise libpng");
		goto out;
	}
	if (setjmp(perr.jmp))
		goto out;
	png_init_io(png, f);
	png_set_IHDR(png, info, cv.w, cv.h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (j = 0; j < cv.h; j++)
		png_write_row(png, cv.px + (size_t)j * cv.w * 3);
	png_write_end(png, NULL);
	ok = 0;
out:
	if (png)
		png_destroy_write_struct(&png, info ? &info : NULL);
	if (fclose(f) && ok == 0) {
		snprintf(perr.msg, sizeof(perr.msg), "%s", strerror(errno));
		ok = -1;
	}
	free(cv.px);
	if (ok)
		error(c, "--png: writing %s failed: %s", file, perr.msg);
	return ok;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " [options] DEV\n"
"Inspect the lockless (version 6) md bitmap of one member device or image.\n"
"  --map              print a text map, one character per chunk\n"
"  --width N          characters per map line (default 64)\n"
"  --json             print JSON instead of text (with --map: adds \"map\")\n"
"  --png FILE         draw the chunk states as a PNG picture with a legend\n"
"  --metadata 1.0|1.1|1.2  only look for that md superblock version\n"
"  -h, --help         this help\n"
"exit status: 0 valid, 1 wrong fields or invalid states (each reported),\n"
"             2 usage/I/O error, or no md superblock or lockless bitmap found\n");
}

struct opts {
	int map, json, width, force_minor;
	const char *png, *dev;
};

/* parse, inspect and report one device; returns the exit status */
static int inspect(struct ctx *c, const struct opts *o)
{
	struct stat st;
	off_t end;
	int i, rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = o->dev;
	c->force_minor = o->force_minor;

	if (!setjmp(c->fatal_jmp)) {
		c->fd = open(c->path, O_RDONLY);
		if (c->fd < 0)
			fatal(c, "%s: cannot open: %s", c->path, strerror(errno));
		if (fstat(c->fd, &st))
			fatal(c, "%s: stat: %s", c->path, strerror(errno));
		if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
			fatal(c, "%s: not a regular file or block device", c->path);
		end = lseek(c->fd, 0, SEEK_END);
		if (end < 0)
			fatal(c, "%s: cannot determine the size: %s", c->path, strerror(errno));
		c->dev_bytes = (uint64_t)end;
		parse_md(c);
		parse_bitmap(c);
		read_states(c);
		if (o->png)
			write_png(c, o->png);
	}

	if (o->json) {
		print_json(c, o->map);
	} else {
		print_text(c, o->map, o->width);
		for (i = 0; i < c->nwarn; i++)
			fprintf(stderr, PROG ": warning: %s\n", c->warns[i]);
		for (i = 0; i < c->nerr; i++)
			fprintf(stderr, PROG ": error: %s\n", c->errs[i]);
		if (c->nerr_total > c->nerr)
			fprintf(stderr, PROG ": %d more errors not shown\n",
				c->nerr_total - c->nerr);
	}
	fflush(stdout);
	rc = c->fatal ? 2 : c->nerr_total ? 1 : 0;
	if (c->fd >= 0)
		close(c->fd);
	free(c->states);
	c->states = NULL;
	return rc;
}

#ifndef LLB_INSPECT_NO_MAIN
int main(int argc, char **argv)
{
	static struct ctx c;
	struct opts o = { .width = 64, .force_minor = -1 };
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--map")) {
			o.map = 1;
		} else if (!strcmp(a, "--json")) {
			o.json = 1;
		} else if (!strcmp(a, "--png") || !strcmp(a, "--width") ||
			   !strcmp(a, "--metadata")) {
			const char *v;

			if (i + 1 >= argc) {
				fprintf(stderr, PROG ": %s needs an argument\n", a);
				return 2;
			}
			v = argv[++i];
			if (!strcmp(a, "--png")) {
				o.png = v;
			} else if (!strcmp(a, "--width")) {
				char *e;
				long w;

				errno = 0;
				w = strtol(v, &e, 10);
				if (errno || *e || e == v || w < 1 || w > 100000) {
					fprintf(stderr, PROG ": invalid --width '%s' (1..100000)\n", v);
					return 2;
				}
				o.width = (int)w;
			} else {
				if (!strcmp(v, "1.0"))
					o.force_minor = 0;
				else if (!strcmp(v, "1.1"))
					o.force_minor = 1;
				else if (!strcmp(v, "1.2"))
					o.force_minor = 2;
				else {
					fprintf(stderr, PROG ": --metadata must be 1.0, 1.1 or 1.2\n");
					return 2;
				}
			}
		} else if (!strcmp(a, "--")) {
			if (i + 1 < argc && !o.dev)
				o.dev = argv[++i];
			if (i + 1 < argc) {
				fprintf(stderr, PROG ": one device at a time\n");
				return 2;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, PROG ": unknown option '%s' (see --help)\n", a);
			return 2;
		} else if (o.dev) {
			fprintf(stderr, PROG ": one device at a time\n");
			return 2;
		} else {
			o.dev = a;
		}
	}
	if (!o.dev) {
		usage(stderr);
		return 2;
	}
	return inspect(&c, &o);
}
#endif
