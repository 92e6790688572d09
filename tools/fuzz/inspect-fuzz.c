// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for tools/llbitmap2-inspect.c: the input is a whole
 * member image; every run goes through the real parser and all outputs
 * (text or JSON, --map, --png to /dev/null).  Run with -close_fd_mask=3
 * (the tool's own output is closed, libFuzzer keeps its).  See run-fuzz.sh.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *         tools/fuzz/inspect-fuzz.c $(pkg-config --cflags --libs libpng)
 */
#define LLB_INSPECT_NO_MAIN
#include "../llbitmap2-inspect.c"

#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static struct ctx c;
	struct opts o = { .width = 64, .force_minor = -1 };

	if (fd < 0) {
		fd = memfd_create("llb-fuzz", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	o.dev = path;
	o.json = size & 1;
	o.map = (size >> 1) & 1;
	o.png = (size >> 2) & 1 ? "/dev/null" : NULL;
	if (inspect(&c, &o) > 2)
		abort();
	return 0;
}
