/* 08-mini-docker/digest.c — see digest.h.
 *
 * sha256 is libcrypto's EVP interface (the low-level SHA256_* calls are
 * deprecated since OpenSSL 3), but mini-docker does not link libcrypto: it
 * opens it with dlopen on the first digest. Linked, the library is mapped
 * at every start and copied into every clone, and `run` of a one-layer
 * image, which hashes nothing, paid ~1 ms for it (docs/benchmarks.md).
 * systemd opens its optional libraries the same way. */
#define _GNU_SOURCE
#include "digest.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* The soname of the libcrypto whose headers we compiled against. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define LIBCRYPTO "libcrypto.so." STR(OPENSSL_VERSION_MAJOR)

/* __typeof__ keeps the header's prototypes: a wrong call still fails to
 * compile, as it would with the library linked. */
static struct {
	__typeof__(EVP_MD_CTX_new) *ctx_new;
	__typeof__(EVP_MD_CTX_free) *ctx_free;
	__typeof__(EVP_sha256) *sha256;
	__typeof__(EVP_DigestInit_ex) *init;
	__typeof__(EVP_DigestUpdate) *update;
	__typeof__(EVP_DigestFinal_ex) *final;
} evp;

static void *sym(void *lib, const char *name)
{
	void *f = dlsym(lib, name);
	if (!f)
		die("dlsym %s in " LIBCRYPTO ": %s", name, dlerror());
	return f;
}

static void evp_load(void)
{
	if (evp.final)
		return;
	void *lib = dlopen(LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		die("dlopen " LIBCRYPTO ": %s (install OpenSSL's libcrypto: make deps)", dlerror());
	evp.ctx_new = sym(lib, "EVP_MD_CTX_new");
	evp.ctx_free = sym(lib, "EVP_MD_CTX_free");
	evp.sha256 = sym(lib, "EVP_sha256");
	evp.init = sym(lib, "EVP_DigestInit_ex");
	evp.update = sym(lib, "EVP_DigestUpdate");
	evp.final = sym(lib, "EVP_DigestFinal_ex");
}

static void to_hex(const unsigned char *md, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

struct mem_src {
	const void *data;
	size_t len;
};

static int mem_next(void *arg, const void **buf, size_t *len)
{
	struct mem_src *m = arg;
	*buf = m->data;
	*len = m->len;
	m->len = 0;
	return 0;
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	struct mem_src m = { data, len };
	sha256_stream(mem_next, &m, out);
}

void chain_id(const char *parent, const char *diff, char out[65])
{
	if (!parent) {
		memcpy(out, diff, 64);
		out[64] = '\0';
		return;
	}
	/* exactly what the notes pipe into sha256sum with echo -n */
	char text[160];
	int n = snprintf(text, sizeof(text), "sha256:%.64s sha256:%.64s", parent, diff);
	sha256_hex(text, (size_t)n, out);
}

int sha256_stream(int (*next)(void *arg, const void **buf, size_t *len), void *arg, char out[65])
{
	evp_load();
	EVP_MD_CTX *ctx = evp.ctx_new();
	if (!ctx || !evp.init(ctx, evp.sha256(), NULL))
		die("EVP_DigestInit_ex(sha256) failed");
	const void *buf;
	size_t len;
	int r;
	while ((r = next(arg, &buf, &len)) == 0 && len > 0)
		if (!evp.update(ctx, buf, len))
			die("EVP_DigestUpdate failed");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!evp.final(ctx, md, &mdlen) || mdlen != 32)
		die("EVP_DigestFinal_ex(sha256) failed");
	evp.ctx_free(ctx);
	if (r < 0)
		return -1;
	to_hex(md, out);
	return 0;
}

struct file_src {
	int fd;
	char buf[1 << 16];
};

static int file_next(void *arg, const void **buf, size_t *len)
{
	struct file_src *f = arg;
	ssize_t n;
	do
		n = read(f->fd, f->buf, sizeof(f->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	*buf = f->buf;
	*len = (size_t)n;
	return 0;
}

int file_sha256(const char *path, char out[65])
{
	struct file_src f;
	f.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0)
		return -1;
	int rc = sha256_stream(file_next, &f, out);
	int err = errno;
	close(f.fd);
	errno = err;
	return rc;
}

/* The context is libcrypto's own; the struct only gives it a type here. */
struct sha256 *sha256_new(void)
{
	evp_load();
	EVP_MD_CTX *ctx = evp.ctx_new();
	if (!ctx || !evp.init(ctx, evp.sha256(), NULL))
		die("EVP_DigestInit_ex(sha256) failed");
	return (struct sha256 *)ctx;
}

void sha256_add(struct sha256 *h, const void *data, size_t len)
{
	if (len > 0 && !evp.update((EVP_MD_CTX *)h, data, len))
		die("EVP_DigestUpdate failed");
}

void sha256_end(struct sha256 *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!evp.final((EVP_MD_CTX *)h, md, &mdlen) || mdlen != 32)
		die("EVP_DigestFinal_ex(sha256) failed");
	evp.ctx_free((EVP_MD_CTX *)h);
	to_hex(md, out);
}
