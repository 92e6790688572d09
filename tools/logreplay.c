// SPDX-License-Identifier: GPL-2.0
/*
 * logreplay - list and replay a dm-log-writes log.
 *
 * dm-log-writes records every write that reached stable storage on the
 * device under it, in the order it got there (a write is logged when the
 * flush after it completes, a FUA write when it completes), together with
 * the flushes themselves and marks sent with "dmsetup message DEV 0 mark
 * NAME".  Replaying a prefix of the log onto a copy of the device as it was
 * when logging began gives the device as a power cut at that moment could
 * have left it.
 *
 * Log layout (little endian; "block" is the logged device's logical block
 * size, given by the super block):
 *   block 0:  super: u64 magic, u64 version, u64 nr_entries, u32 blocksize
 *   then nr_entries times:
 *     one block:   u64 sector, u64 nr_sectors, u64 flags, u64 data_len,
 *                  then data_len bytes of mark name when flags has MARK
 *     nr_sectors blocks of written data (none for a discard)
 *   sector and nr_sectors count blocks of the logged device.
 *
 * Order of a flush interval (--fua-last).  dm-log-writes logs a plain
 * write (or discard) only when the flush after it completes, but a FUA
 * write as soon as it completes.  A plain write that completed *before* a
 * FUA write to the same sectors, both between the same two flushes, is
 * therefore logged after it, although on the device the FUA write is the
 * newer one (a disk returns, and keeps, the last write it completed).
 * The log cannot tell that case from a plain write issued after the FUA
 * write completed.  --fua-last takes the first reading: a plain write or
 * discard logged in a flush batch does not overwrite the sectors of a FUA
 * write logged since the previous flush entry.  md never has two writes to
 * one sector in flight, and its internal writes (resync, recovery) that
 * follow a FUA write of a stripe before the next flush rewrite the values
 * the FUA write left; a caller that uses it checks the reading against
 * the device (the whole log replayed must equal the device as it ended).
 * The 2026-12-07 CI run met the case: a resync wrote parity P of a stripe
 * (plain), then a user O_SYNC write of the same stripe wrote new data and
 * P' (FUA); the log put P after P', and the replay showed a stale parity.
 *
 * Exit status: 0 success, 1 the requested end point is not in the log,
 * 2 usage, format or I/O error.
 *
 * Plain C, no dependencies:  gcc -O2 -Wall -Wextra -Werror -o logreplay logreplay.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define PROG "logreplay"
#define LW_MAGIC 0x6a736677736872ULL
#define LW_VERSION 1ULL
#define LW_FLUSH (1u << 0)
#define LW_FUA (1u << 1)
#define LW_DISCARD (1u << 2)
#define LW_MARK (1u << 3)
#define LW_META (1u << 4)
#define ENTRY_HDR 32u
#define MAX_BLOCK 65536u
#define IO_BYTES (1u << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum end_kind { END_ALL, END_ENTRY, END_FLUSH, END_MARK };

struct entry {
	uint64_t sector;
	uint64_t nr_sectors;
	uint64_t flags;
	uint64_t data_len;
	char mark[MAX_BLOCK];
};

static const char *log_path;
static int log_fd = -1;
static uint32_t blocksize;
static uint64_t nr_entries;
static uint64_t log_bytes;
static int discard_mode;		/* 0 zero, 1 skip */
static int fua_last;			/* --fua-last: see the header */

/* FUA writes logged since the last flush entry (blocks of the device) */
struct extent {
	uint64_t start;
	uint64_t end;
};

static struct extent *fua_ext;
static size_t fua_n, fua_cap;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* read exactly len bytes at off, or die: a short log is a broken log */
static void read_at(int fd, void *buf, size_t len, uint64_t off, const char *what)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("%s: read %s at byte %" PRIu64 ": %s", log_path, what,
			    off + done, strerror(errno));
		if (r == 0)
			die("%s: %s at byte %" PRIu64 " is past the end of the log",
			    log_path, what, off + done);
		done += (size_t)r;
	}
}

static void write_at(int fd, const char *name, const void *buf, size_t len,
		     uint64_t off)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = pwrite(fd, (const char *)buf + done, len - done,
			   (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("%s: write at byte %" PRIu64 ": %s", name, off + done,
			    r < 0 ? strerror(errno) : "short write");
		done += (size_t)r;
	}
}

static void open_log(void)
{
	unsigned char sb[ENTRY_HDR];
	struct stat st;
	uint64_t magic, version;

	log_fd = open(log_path, O_RDONLY);
	if (log_fd < 0)
		die("%s: %s", log_path, strerror(errno));
	if (fstat(log_fd, &st) < 0)
		die("%s: %s", log_path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(log_fd, BLKGETSIZE64, &log_bytes) < 0)
			die("%s: size: %s", log_path, strerror(errno));
	} else {
		log_bytes = (uint64_t)st.st_size;
	}
	read_at(log_fd, sb, sizeof(sb), 0, "super block");
	magic = get_le64(sb);
	version = get_le64(sb + 8);
	nr_entries = get_le64(sb + 16);
	blocksize = get_le32(sb + 24);
	if (magic != LW_MAGIC)
		die("%s: not a dm-log-writes log (magic %#" PRIx64 ")", log_path,
		    magic);
	if (version != LW_VERSION)
		die("%s: log version %" PRIu64 " is not supported", log_path,
		    version);
	if (blocksize < 512 || blocksize > MAX_BLOCK ||
	    (blocksize & (blocksize - 1)))
		die("%s: bad block size %u", log_path, blocksize);
}

/*
 * read_entry: the entry whose header block is at *pos; *pos moves past it
 * and its data.  The data itself is read by the caller (data_pos).
 */
static void read_entry(uint64_t idx, uint64_t *pos, struct entry *e,
		       uint64_t *data_pos)
{
	static unsigned char hdr[MAX_BLOCK];
	uint64_t dbytes = 0;

	if (*pos + blocksize > log_bytes)
		die("%s: entry %" PRIu64 " at byte %" PRIu64
		    " is past the end of the log", log_path, idx, *pos);
	read_at(log_fd, hdr, blocksize, *pos, "entry");
	e->sector = get_le64(hdr);
	e->nr_sectors = get_le64(hdr + 8);
	e->flags = get_le64(hdr + 16);
	e->data_len = get_le64(hdr + 24);
	e->mark[0] = '\0';
	if (e->flags & LW_MARK) {
		if (e->data_len > blocksize - ENTRY_HDR)
			die("%s: entry %" PRIu64 ": mark of %" PRIu64
			    " bytes does not fit its block", log_path, idx,
			    e->data_len);
		memcpy(e->mark, hdr + ENTRY_HDR, e->data_len);
		e->mark[e->data_len] = '\0';
	}
	*pos += blocksize;
	*data_pos = *pos;
	if (!(e->flags & LW_DISCARD)) {
		if (e->nr_sectors > (log_bytes - *pos) / blocksize)
			die("%s: entry %" PRIu64 ": %" PRIu64
			    " blocks of data run past the end of the log",
			    log_path, idx, e->nr_sectors);
		dbytes = e->nr_sectors * blocksize;
	}
	*pos += dbytes;
}

static const char *flag_names(uint64_t f, char *buf, size_t len)
{
	static const char *const names[] = {
		"FLUSH", "FUA", "DISCARD", "MARK", "META"
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(f & (1u << i)))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				      names[i]);
		if (n >= len)
			break;
	}
	if (f & ~(uint64_t)0x1f && n < len)
		snprintf(buf + n, len - n, "%s%#" PRIx64, n ? "|" : "",
			 f & ~(uint64_t)0x1f);
	if (!buf[0])
		snprintf(buf, len, "WRITE");
	return buf;
}

static void fua_remember(const struct entry *e)
{
	if (!e->nr_sectors)
		return;
	if (fua_n == fua_cap) {
		fua_cap = fua_cap ? 2 * fua_cap : 64;
		fua_ext = realloc(fua_ext, fua_cap * sizeof(*fua_ext));
		if (!fua_ext)
			die("out of memory");
	}
	fua_ext[fua_n].start = e->sector;
	fua_ext[fua_n].end = e->sector + e->nr_sectors;
	fua_n++;
}

/*
 * Blocks [b, b + n) of the device, written with the data of entry @e
 * (its block @b - e->sector at data_pos).
 */
static void copy_range(int dev_fd, const char *dev, const struct entry *e,
		       uint64_t data_pos, uint64_t b, uint64_t n)
{
	static unsigned char buf[IO_BYTES];
	uint64_t left = n * blocksize;
	uint64_t off = b * blocksize;
	size_t len;

	data_pos += (b - e->sector) * blocksize;
	while (left) {
		len = left < IO_BYTES ? (size_t)left : IO_BYTES;
		read_at(log_fd, buf, len, data_pos, "data");
		write_at(dev_fd, dev, buf, len, off);
		data_pos += len;
		off += len;
		left -= len;
	}
}

/*
 * A discard is replayed as zeros: that is what the loop devices of the rig
 * read after one (they punch a hole), and it is the value the array must
 * cope with if a member's discard lands.
 */
static void discard_range(int dev_fd, const char *dev, int is_blk,
			  uint64_t b, uint64_t nr)
{
	static const unsigned char zero[IO_BYTES];
	uint64_t off = b * blocksize;
	uint64_t len = nr * blocksize;
	uint64_t range[2] = { off, len };
	size_t n;

	if (discard_mode == 1 || !len)
		return;
	if (is_blk && ioctl(dev_fd, BLKZEROOUT, range) == 0)
		return;
	if (!is_blk && fallocate(dev_fd, FALLOC_FL_PUNCH_HOLE |
				 FALLOC_FL_KEEP_SIZE, (off_t)off,
				 (off_t)len) == 0)
		return;
	while (len) {
		n = len < IO_BYTES ? (size_t)len : IO_BYTES;
		write_at(dev_fd, dev, zero, n, off);
		off += n;
		len -= n;
	}
}

/*
 * Apply [b, e) of a batched entry, less what FUA extents from number @k
 * on cover; returns the number of blocks left out.
 */
static uint64_t apply_uncovered(int dev_fd, const char *dev, int is_blk,
				const struct entry *en, uint64_t data_pos,
				uint64_t b, uint64_t e, size_t k)
{
	uint64_t lo, hi, skipped;

	for (; k < fua_n; k++)
		if (fua_ext[k].start < e && fua_ext[k].end > b)
			break;
	if (k == fua_n) {
		if (dev_fd < 0)
			return 0;
		if (en->flags & LW_DISCARD)
			discard_range(dev_fd, dev, is_blk, b, e - b);
		else
			copy_range(dev_fd, dev, en, data_pos, b, e - b);
		return 0;
	}
	lo = fua_ext[k].start > b ? fua_ext[k].start : b;
	hi = fua_ext[k].end < e ? fua_ext[k].end : e;
	skipped = hi - lo;
	if (lo > b)
		skipped += apply_uncovered(dev_fd, dev, is_blk, en, data_pos,
					   b, lo, k + 1);
	if (hi < e)
		skipped += apply_uncovered(dev_fd, dev, is_blk, en, data_pos,
					   hi, e, k + 1);
	return skipped;
}

/*
 * Write entry @e onto the device (dev_fd < 0: only count); returns the
 * blocks that --fua-last left out.  Plain writes and discards are the
 * entries of a flush batch: they completed before the flush was issued,
 * so only they can be older than a FUA write logged before them.  The FUA
 * extents exist only under --fua-last; any other entry starts past them.
 */
static uint64_t apply_entry(int dev_fd, const char *dev, int is_blk,
			    const struct entry *e, uint64_t data_pos)
{
	int batched = !(e->flags & (LW_FUA | LW_FLUSH | LW_MARK));

	if (!e->nr_sectors)
		return 0;
	return apply_uncovered(dev_fd, dev, is_blk, e, data_pos, e->sector,
			       e->sector + e->nr_sectors, batched ? 0 : fua_n);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: " PROG " [options] LOG\n"
		"  --list             every entry: index, sector, blocks, flags, mark\n"
		"  --points           flush, FUA and mark entries only\n"
		"  --replay DEV       write the entries onto DEV (file or block device)\n"
		"  --start N          replay from entry N on (entries before it are\n"
		"                     taken as already on DEV)\n"
		"  --end N            stop after entry N\n"
		"  --end-flush K      stop after the K-th flush or FUA entry (from 1)\n"
		"  --end-mark NAME    stop after the first mark NAME\n"
		"  --discard zero|skip  replay discards as zeros (default) or not\n"
		"  --fua-last         a FUA write is newer than the plain writes that\n"
		"                     the next flush logs over it (--list: shadowed=N)\n"
		"Entries count from 0.  Exit: 0 done, 1 end point not in the log,\n"
		"2 usage, format or I/O error.\n");
	exit(2);
}

static uint64_t parse_u64(const char *s, const char *opt)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-')
		die("%s wants a number, not '%s'", opt, s);
	return v;
}

int main(int argc, char **argv)
{
	static struct entry e;
	const char *dev = NULL, *end_mark = NULL;
	enum end_kind end = END_ALL;
	uint64_t end_n = 0, start = 0, flushes = 0, i, pos, data_pos, shadowed;
	int list = 0, points = 0, dev_fd = -1, is_blk = 0, reached = 0;
	char fbuf[96];
	struct stat st;
	int a;

	for (a = 1; a < argc; a++) {
		const char *o = argv[a];

		if (!strcmp(o, "--list")) {
			list = 1;
		} else if (!strcmp(o, "--points")) {
			points = 1;
		} else if (!strcmp(o, "--fua-last")) {
			fua_last = 1;
		} else if (a + 1 >= argc) {
			if (o[0] == '-')
				usage();
			break;
		} else if (!strcmp(o, "--replay")) {
			dev = argv[++a];
		} else if (!strcmp(o, "--start")) {
			start = parse_u64(argv[++a], o);
		} else if (!strcmp(o, "--end")) {
			end = END_ENTRY;
			end_n = parse_u64(argv[++a], o);
		} else if (!strcmp(o, "--end-flush")) {
			end = END_FLUSH;
			end_n = parse_u64(argv[++a], o);
			if (!end_n)
				die("--end-flush counts from 1");
		} else if (!strcmp(o, "--end-mark")) {
			end = END_MARK;
			end_mark = argv[++a];
		} else if (!strcmp(o, "--discard")) {
			o = argv[++a];
			if (!strcmp(o, "zero"))
				discard_mode = 0;
			else if (!strcmp(o, "skip"))
				discard_mode = 1;
			else
				usage();
		} else {
			usage();
		}
	}
	if (a != argc - 1 || argv[a][0] == '-')
		usage();
	log_path = argv[a];
	if (!list && !points && !dev)
		usage();
	open_log();

	if (dev) {
		dev_fd = open(dev, O_WRONLY);
		if (dev_fd < 0)
			die("%s: %s", dev, strerror(errno));
		if (fstat(dev_fd, &st) < 0)
			die("%s: %s", dev, strerror(errno));
		is_blk = S_ISBLK(st.st_mode);
	}

	pos = blocksize;
	for (i = 0; i < nr_entries; i++) {
		read_entry(i, &pos, &e, &data_pos);
		if (e.flags & (LW_FLUSH | LW_FUA))
			flushes++;
		shadowed = apply_entry(dev_fd >= 0 && i >= start ? dev_fd : -1,
				       dev, is_blk, &e, data_pos);
		if (list || (points && (e.flags & (LW_FLUSH | LW_FUA | LW_MARK)))) {
			printf("%" PRIu64 " sector=%" PRIu64 " blocks=%" PRIu64
			       " flags=%s", i, e.sector, e.nr_sectors,
			       flag_names(e.flags, fbuf, sizeof(fbuf)));
			if (e.flags & LW_MARK)
				printf(" mark=%s", e.mark);
			if (e.flags & (LW_FLUSH | LW_FUA))
				printf(" flush=%" PRIu64, flushes);
			if (shadowed)
				printf(" shadowed=%" PRIu64, shadowed);
			putchar('\n');
		}
		/* a flush entry ends the interval whose FUA writes win */
		if (e.flags & LW_FLUSH)
			fua_n = 0;
		else if (fua_last && (e.flags & LW_FUA))
			fua_remember(&e);
		if ((end == END_ENTRY && i == end_n) ||
		    (end == END_FLUSH && (e.flags & (LW_FLUSH | LW_FUA)) &&
		     flushes == end_n) ||
		    (end == END_MARK && (e.flags & LW_MARK) &&
		     !strcmp(e.mark, end_mark))) {
			reached = 1;
			break;
		}
	}
	if (dev_fd >= 0) {
		if (fsync(dev_fd) < 0 && errno != EINVAL)
			die("%s: fsync: %s", dev, strerror(errno));
		close(dev_fd);
	}
	if (fflush(stdout))
		die("stdout: %s", strerror(errno));
	if (end != END_ALL && !reached) {
		fprintf(stderr, PROG ": %s: end point not found in %" PRIu64
			" entries\n", log_path, nr_entries);
		return 1;
	}
	return 0;
}
