/*
 * model.c - find a Xen model: a built-in one by name, or a plugin by path.
 *
 * The built-in models are listed in sro_builtin_models[] (core/models/
 * registry.c). Anything whose name contains a '/' is a plugin: a shared
 * object built against core/model.h alone (see examples/plugin/README.md),
 * loaded with dlopen() and asked for its model through
 * SRO_MODEL_PLUGIN_SYMBOL. A plugin stays loaded until the process ends:
 * models are used for a whole replay and are cheap to keep.
 *
 * Every failure says which file and what went wrong, in one line, so that
 * `--model ./x.so` mistakes are easy to fix.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "model.h"

/* printf into err (may be NULL); always returns NULL. */
static const struct sro_model *fail(char *err, size_t errlen,
                                    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static const struct sro_model *fail(char *err, size_t errlen,
                                    const char *fmt, ...)
{
    va_list ap;

    if ( err && errlen )
    {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return NULL;
}

/*
 * Load the plugin at `path` and return its model, or NULL with a message.
 * The handle is closed again on every failure after dlopen().
 */
static const struct sro_model *load_plugin(const char *path, char *err,
                                           size_t errlen)
{
    struct stat st;
    void *h;
    sro_model_plugin_fn *fn;
    const struct sro_model *m;
    const char *why;

    if ( stat(path, &st) )
        return fail(err, errlen, "%s: cannot load model plugin: %s", path,
                    strerror(errno));
    if ( !S_ISREG(st.st_mode) )
        return fail(err, errlen, "%s: cannot load model plugin: not a "
                    "regular file", path);

    dlerror();
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if ( !h )
    {
        why = dlerror();
        return fail(err, errlen, "%s: not a loadable shared object: %s",
                    path, why ? why : "dlopen failed");
    }

    dlerror();
    /* POSIX's way from a data pointer to a function pointer. */
    *(void **)&fn = dlsym(h, SRO_MODEL_PLUGIN_SYMBOL);
    if ( !fn )
    {
        dlclose(h);
        return fail(err, errlen, "%s: no symbol %s(): not a srotrace "
                    "model plugin", path, SRO_MODEL_PLUGIN_SYMBOL);
    }

    m = fn(SRO_MODEL_ABI_VERSION);
    if ( !m )
    {
        dlclose(h);
        return fail(err, errlen, "%s: %s() returned no model for model "
                    "ABI version %d", path, SRO_MODEL_PLUGIN_SYMBOL,
                    SRO_MODEL_ABI_VERSION);
    }
    if ( m->abi_version != SRO_MODEL_ABI_VERSION )
    {
        unsigned int v = m->abi_version;

        dlclose(h);
        return fail(err, errlen, "%s: built for model ABI version %u, this "
                    "srotrace speaks version %d: rebuild it against this "
                    "srotrace's core/model.h", path, v,
                    SRO_MODEL_ABI_VERSION);
    }
    if ( !m->name || !m->name[0] || !m->predict )
    {
        /* Read m before dlclose() unmaps it. */
        why = !m->predict ? "predict function" : "name";
        dlclose(h);
        return fail(err, errlen, "%s: its model has no %s", path, why);
    }
    return m;
}

const struct sro_model *sro_model_find(const char *name_or_path,
                                       char *err, size_t errlen)
{
    size_t n;

    if ( !name_or_path || !name_or_path[0] )
        return fail(err, errlen, "no model name given");
    if ( strchr(name_or_path, '/') )
        return load_plugin(name_or_path, err, errlen);

    for ( unsigned int i = 0; sro_builtin_models[i]; i++ )
        if ( strcmp(sro_builtin_models[i]->name, name_or_path) == 0 )
            return sro_builtin_models[i];
    n = strlen(name_or_path);
    if ( n > 3 && strcmp(name_or_path + n - 3, ".so") == 0 )
        return fail(err, errlen, "no built-in model named '%s': a plugin's "
                    "path must contain a '/', as in ./%s", name_or_path,
                    name_or_path);
    return fail(err, errlen, "no built-in model named '%s' (`srotrace "
                "models` lists them)", name_or_path);
}
