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
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	__typeof__(ERR_get_error) *err_get;
	__typeof__(ERR_error_string_n) *err_string;
} evp;

static void *sym(void *lib, const char *name)
{
	void *f = dlsym(lib, name);
	if (!f)
		warn("dlsym %s in " LIBCRYPTO ": %s", name, dlerror());
	return f;
}

/* libcrypto, opened once. 0, or -1 (printed): mini-docker then goes on
 * without digests, and every command that needs one fails. */
static int evp_load(void)
{
	if (evp.final)
		return 0;
	void *lib = dlopen(LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return warn("dlopen " LIBCRYPTO ": %s (install OpenSSL's libcrypto: make deps)", dlerror());
	if (!(evp.ctx_new = sym(lib, "EVP_MD_CTX_new")) || !(evp.ctx_free = sym(lib, "EVP_MD_CTX_free")) ||
	    !(evp.sha256 = sym(lib, "EVP_sha256")) || !(evp.init = sym(lib, "EVP_DigestInit_ex")) ||
	    !(evp.update = sym(lib, "EVP_DigestUpdate")) || !(evp.err_get = sym(lib, "ERR_get_error")) ||
	    !(evp.err_string = sym(lib, "ERR_error_string_n")) || !(evp.final = sym(lib, "EVP_DigestFinal_ex"))) {
		evp.final = NULL; /* loaded last: set only when all are */
		return -1;
	}
	return 0;
}

/* "call: reason", the reason from libcrypto's error queue (it does not
 * set errno). -1. */
static int evp_failed(const char *call)
{
	unsigned long e = evp.err_get();
	char reason[256] = "no reason given by libcrypto";
	if (e)
		evp.err_string(e, reason, sizeof(reason));
	return warn("%s(sha256): %s", call, reason);
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

int sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256 *h = sha256_new();
	if (!h)
		return -1;
	sha256_add(h, data, len);
	return sha256_end(h, out);
}

int chain_id(const char *parent, const char *diff, char out[65])
{
	if (!parent) {
		memcpy(out, diff, 64);
		out[64] = '\0';
		return 0;
	}
	/* exactly what the notes pipe into sha256sum with echo -n */
	char text[160];
	int n = snprintf(text, sizeof(text), "sha256:%.64s sha256:%.64s", parent, diff);
	return sha256_hex(text, (size_t)n, out);
}

/* libcrypto's context, and whether an add failed: sha256_add has nowhere
 * to return it (it runs inside libarchive's read callbacks), so end does. */
struct sha256 {
	EVP_MD_CTX *ctx;
	int failed;
};

struct sha256 *sha256_new(void)
{
	if (evp_load() < 0)
		return NULL;
	struct sha256 *h = calloc(1, sizeof(*h));
	if (!h) {
		warn_errno("sha256: allocate a context");
		return NULL;
	}
	h->ctx = evp.ctx_new();
	if (!h->ctx || !evp.init(h->ctx, evp.sha256(), NULL)) {
		evp_failed(h->ctx ? "EVP_DigestInit_ex" : "EVP_MD_CTX_new");
		if (h->ctx)
			evp.ctx_free(h->ctx);
		free(h);
		return NULL;
	}
	return h;
}

void sha256_add(struct sha256 *h, const void *data, size_t len)
{
	if (len > 0 && !h->failed && !evp.update(h->ctx, data, len)) {
		evp_failed("EVP_DigestUpdate");
		h->failed = 1;
	}
}

int sha256_end(struct sha256 *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc = h->failed ? -1 : 0;
	if (rc == 0 && (!evp.final(h->ctx, md, &mdlen) || mdlen != 32))
		rc = evp_failed("EVP_DigestFinal_ex");
	evp.ctx_free(h->ctx);
	free(h);
	if (rc == 0)
		to_hex(md, out);
	return rc;
}
