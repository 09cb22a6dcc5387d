/*
 * test-sha256.c - util/sha256 against the FIPS 180-4 example vectors
 * (NIST's "SHA256.pdf" / "SHA2_Additional.pdf": "abc", the 448- and
 * 896-bit messages, one million 'a', the empty message) and messages of
 * lengths around the padding boundaries, for every compression function
 * the CPU has; fed whole, byte by byte and in uneven pieces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/sha256.h"

struct vector {
    const char *msg;            /* NULL: `repeat` times 'a' */
    size_t      repeat;
    const char *digest;
};

static const struct vector vectors[] = {
    { "", 0,
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", 0,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0,
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
      "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 0,
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
    { NULL, 1000000,
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
    /* Lengths around the 56-byte padding limit and block boundaries. */
    { NULL, 55,
      "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
    { NULL, 56,
      "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
    { NULL, 63,
      "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
    { NULL, 64,
      "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
    { NULL, 65,
      "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
    { NULL, 119,
      "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
    { NULL, 120,
      "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
    { NULL, 128,
      "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
};

/* The message of v, malloc'd; *len its length. */
static char *message(const struct vector *v, size_t *len)
{
    char *m;

    if ( v->msg )
    {
        *len = strlen(v->msg);
        m = strdup(v->msg);
    }
    else
    {
        *len = v->repeat;
        m = malloc(v->repeat + 1);
        memset(m, 'a', v->repeat);
    }
    assert_non_null(m);
    return m;
}

/* Hash in pieces of `step` bytes (0: all at once; -1: uneven pieces). */
static void hash_pieces(const char *m, size_t len, long step, char hex[65])
{
    struct sha256_ctx c;
    uint8_t md[SHA256_DIGEST_LEN];
    size_t done = 0;
    unsigned int k = 0;

    sha256_init(&c);
    while ( done < len )
    {
        size_t n = step > 0 ? (size_t)step
                 : step == 0 ? len : (size_t)(1 + (k++ * 37) % 150);

        if ( n > len - done )
            n = len - done;
        sha256_update(&c, m + done, n);
        done += n;
    }
    sha256_final(&c, md);
    sha256_to_hex(md, hex);
}

static void check_all_vectors(void)
{
    for ( size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++ )
    {
        size_t len;
        char *m = message(&vectors[i], &len);
        char hex[65];

        hash_pieces(m, len, 0, hex);
        assert_string_equal(hex, vectors[i].digest);
        hash_pieces(m, len, -1, hex);
        assert_string_equal(hex, vectors[i].digest);
        if ( len <= 1000 )
        {
            hash_pieces(m, len, 1, hex);
            assert_string_equal(hex, vectors[i].digest);
        }
        free(m);
    }
}

static void test_portable(void **state)
{
    (void)state;
    assert_int_equal(sha256_select(SHA256_IMPL_PORTABLE), 0);
    assert_int_equal(sha256_current(), SHA256_IMPL_PORTABLE);
    check_all_vectors();
    sha256_select(SHA256_IMPL_AUTO);
}

static void test_shani(void **state)
{
    (void)state;
    if ( sha256_select(SHA256_IMPL_SHANI) != 0 )
    {
        /* No SHA extensions here: nothing changed, portable in use. */
        assert_int_equal(sha256_current(), SHA256_IMPL_PORTABLE);
        skip();
    }
    assert_int_equal(sha256_current(), SHA256_IMPL_SHANI);
    check_all_vectors();
    sha256_select(SHA256_IMPL_AUTO);
}

/* Both compression functions agree on pseudo-random data of every length
 * up to 300 bytes. */
static void test_implementations_agree(void **state)
{
    uint8_t data[300];
    uint32_t x = 12345;

    (void)state;
    if ( sha256_select(SHA256_IMPL_SHANI) != 0 )
        skip();
    for ( size_t i = 0; i < sizeof(data); i++ )
    {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 16);
    }
    for ( size_t len = 0; len <= sizeof(data); len++ )
    {
        char a[65], b[65];

        sha256_select(SHA256_IMPL_SHANI);
        hash_pieces((const char *)data, len, 0, a);
        sha256_select(SHA256_IMPL_PORTABLE);
        hash_pieces((const char *)data, len, -1, b);
        assert_string_equal(a, b);
    }
    sha256_select(SHA256_IMPL_AUTO);
}

/* sha256_hex_now() gives the digest so far and leaves the context alone. */
static void test_hex_now(void **state)
{
    struct sha256_ctx c;
    char hex[65];
    uint8_t md[SHA256_DIGEST_LEN];

    (void)state;
    sha256_init(&c);
    sha256_hex_now(&c, hex);
    assert_string_equal(hex, vectors[0].digest);
    sha256_update(&c, "ab", 2);
    sha256_hex_now(&c, hex);
    assert_string_equal(hex,
        "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603");
    sha256_update(&c, "c", 1);
    sha256_hex_now(&c, hex);
    assert_string_equal(hex, vectors[1].digest);
    sha256_final(&c, md);
    sha256_to_hex(md, hex);
    assert_string_equal(hex, vectors[1].digest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portable),
        cmocka_unit_test(test_shani),
        cmocka_unit_test(test_implementations_agree),
        cmocka_unit_test(test_hex_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
