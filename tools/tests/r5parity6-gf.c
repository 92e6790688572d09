// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of r5parity's RAID-6 arithmetic and row solver: built with
 * tools/r5parity.c included (its main renamed), run by r5parity6-selftest.sh.
 *
 * Field properties are checked exhaustively; the known products below were
 * worked out by hand from x^8 = x^4 + x^3 + x^2 + 1 (mod 0x11d):
 *   {02}*{80} = x^8            = {1d}
 *   {10}*{10} = x^8            = {1d}
 *   {20}*{10} = x^9 = x*x^8    = x^5+x^4+x^3+x               = {3a}
 *   {80}*{80} = x^14 = x^6*x^8 = x^10+x^9+x^8+x^6 = x^4+x+1  = {13}
 *   {03}*{03} = x^2 + 1                                       = {05}
 *   {ff}*{02} = {1fe} + {11d}                                 = {e3}
 *   1/{02}: x*(x^7+x^3+x^2+x) = x^8+x^4+x^3+x^2 = 1          = {8e}
 */
#define main r5parity_main
#include "../r5parity.c"
#undef main

static int fails;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fails++;						\
		printf("FAIL: " __VA_ARGS__);				\
		printf("\n");						\
	}								\
} while (0)

static void known_products(void)
{
	static const uint8_t v[][3] = {
		{ 0x02, 0x80, 0x1d }, { 0x10, 0x10, 0x1d }, { 0x20, 0x10, 0x3a },
		{ 0x80, 0x80, 0x13 }, { 0x03, 0x03, 0x05 }, { 0xff, 0x02, 0xe3 },
		{ 0x01, 0xa7, 0xa7 }, { 0x00, 0x5c, 0x00 },
	};
	unsigned i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(gf_mul(v[i][0], v[i][1]) == v[i][2], "gf_mul(%02x,%02x)=%02x, want %02x",
		      v[i][0], v[i][1], gf_mul(v[i][0], v[i][1]), v[i][2]);
		CHECK(gf_mul_slow(v[i][0], v[i][1]) == v[i][2], "gf_mul_slow(%02x,%02x)",
		      v[i][0], v[i][1]);
	}
	CHECK(gf_inv(0x02) == 0x8e, "1/{02} = %02x, want 8e", gf_inv(0x02));
	CHECK(gf_pow2(8) == 0x1d, "{02}^8 = %02x", gf_pow2(8));
	CHECK(gf_pow2(255) == 1 && gf_pow2(0) == 1, "{02}^255, {02}^0");
}

static void field_properties(void)
{
	int seen[256] = { 0 };
	unsigned a, b, c, bad;

	/* {02} generates: its powers 0..254 are the 255 non-zero bytes */
	for (a = 0; a < 255; a++)
		seen[gf_pow2((int)a)]++;
	for (a = 1, bad = 0; a < 256; a++)
		bad += seen[a] != 1;
	CHECK(!seen[0] && !bad, "{02} does not generate the multiplicative group");

	for (a = 0, bad = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			uint8_t ab = gf_mul((uint8_t)a, (uint8_t)b);

			bad += ab != gf_mul_slow((uint8_t)a, (uint8_t)b);
			bad += ab != gf_mul((uint8_t)b, (uint8_t)a);
			bad += (ab == 0) != (a == 0 || b == 0);	/* no zero divisors */
		}
	CHECK(!bad, "table multiply vs definition / commutativity: %u", bad);

	for (a = 0, bad = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c++) {
				uint8_t x = (uint8_t)a, y = (uint8_t)b, z = (uint8_t)c;

				bad += gf_mul(gf_mul(x, y), z) != gf_mul(x, gf_mul(y, z));
				bad += gf_mul(x, y ^ z) != (gf_mul(x, y) ^ gf_mul(x, z));
			}
	CHECK(!bad, "associativity / distributivity: %u", bad);

	for (a = 1, bad = 0; a < 256; a++)
		bad += gf_mul((uint8_t)a, gf_inv((uint8_t)a)) != 1;
	CHECK(!bad, "a * 1/a != 1 for %u values", bad);

	/* the 8-bytes-at-once doubling equals the byte multiply */
	for (a = 0, bad = 0; a < 256; a += 8) {
		uint64_t w = 0, d;

		for (b = 0; b < 8; b++)
			w |= (uint64_t)(a + b) << (8 * b);
		d = gf_mul2_x8(w);
		for (b = 0; b < 8; b++)
			bad += (uint8_t)(d >> (8 * b)) != gf_mul((uint8_t)(a + b), 2);
	}
	CHECK(!bad, "gf_mul2_x8 differs from gf_mul(., 2) on %u bytes", bad);
}

static void syndrome_vectors(void)
{
	static uint8_t blk[4][8] __attribute__((aligned(8)));
	uint8_t *bp[4] = { blk[0], blk[1], blk[2], blk[3] };
	uint8_t q[8] __attribute__((aligned(8)));
	int coef[4] = { 0, 1, 2, -1 };

	/* 1 + {02} + {04} = {07} */
	memset(blk, 0, sizeof(blk));
	blk[0][0] = blk[1][0] = blk[2][0] = 1;
	gf_syndrome(q, bp, coef, 4, 8);
	CHECK(q[0] == 0x07 && !q[1], "Q of 1,1,1 = %02x, want 07", q[0]);
	/* {80} at exponent 1 is {1d}; a block at coef -1 (P or Q) is ignored */
	memset(blk, 0, sizeof(blk));
	blk[1][3] = 0x80;
	blk[3][3] = 0xff;
	gf_syndrome(q, bp, coef, 4, 8);
	CHECK(q[3] == 0x1d, "Q of {80} at exponent 1 = %02x, want 1d", q[3]);
	/* DDF-style gaps: exponents 0 and 3 -> 1 + {08} = {09}; exponent 8 -> {1d} */
	memset(blk, 0, sizeof(blk));
	coef[0] = 0; coef[1] = 3; coef[2] = 8; coef[3] = -1;
	blk[0][5] = 1;
	blk[1][5] = 1;
	blk[2][6] = 1;
	gf_syndrome(q, bp, coef, 4, 8);
	CHECK(q[5] == 0x09 && q[6] == 0x1d, "Q with gaps = %02x %02x, want 09 1d", q[5], q[6]);
	/* a NULL block counts as zeros */
	bp[1] = NULL;
	gf_syndrome(q, bp, coef, 4, 8);
	CHECK(q[5] == 0x01, "Q with a NULL block = %02x, want 01", q[5]);
}

/* every one and two absent blocks of random rows, for every layout */
static void solver_roundtrip(void)
{
	static const int layouts[] = { 0, 1, 2, 3, 4, 5, 8, 9, 10, 16, 17, 18, 19, 20 };
	const size_t bytes = 64;
	unsigned li, seed = 1;
	int n, x, y, i, st, bad = 0;

	for (li = 0; li < sizeof(layouts) / sizeof(layouts[0]); li++) {
		for (n = 4; n <= 9; n++) {
			struct geom g = { .level = 6, .layout = layouts[li], .chunk = 8,
					  .raid_disks = n, .data_disks = n - 2 };
			struct row6 r;
			struct buf6 b, ref;

			row6_init(&g, &r);
			buf6_init(&g, &b, bytes);
			buf6_init(&g, &ref, bytes);
			for (st = 0; st < 2 * n; st++) {
				row6_compute(&g, (uint64_t)st, &r);
				/* every slot once: P, Q and each data slot */
				for (i = 0, x = 0; i < n; i++)
					x += (r.pd == i) + (r.qd == i) + (r.coef[i] >= 0);
				if (x != n || r.pd == r.qd) {
					bad++;
					continue;
				}
				for (i = 0; i < n; i++) {
					size_t k;

					for (k = 0; k < bytes; k++) {
						seed = seed * 1103515245u + 12345u;
						ref.mem[i][k] = (uint8_t)(seed >> 16);
					}
					ref.blk[i] = ref.mem[i];
				}
				ref.blk[r.pd] = ref.blk[r.qd] = NULL;
				solve_row6(&g, &r, &ref, bytes);	/* P and Q from data */
				for (x = 0; x < n; x++)
					for (y = x; y < n; y++) {
						for (i = 0; i < n; i++) {
							memcpy(b.mem[i], ref.mem[i], bytes);
							b.blk[i] = i == x || i == y ? NULL : b.mem[i];
							if (b.blk[i] == NULL)
								memset(b.mem[i], 0xee, bytes);
						}
						solve_row6(&g, &r, &b, bytes);
						for (i = 0; i < n; i++)
							if (!b.blk[i] ||
							    memcmp(b.blk[i], ref.mem[i], bytes))
								bad++;
					}
			}
			row6_free(&r);
			buf6_free(&g, &b);
			buf6_free(&g, &ref);
		}
	}
	CHECK(!bad, "solve_row6 did not restore %d blocks", bad);
}

int main(void)
{
	gf_init();
	known_products();
	field_properties();
	syndrome_vectors();
	solver_roundtrip();
	printf("gf: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
