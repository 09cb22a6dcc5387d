/*
 * model.h - what a Xen release does with a write fault: the model ABI.
 *
 * A model is a pure function from (fault, decoded instruction, page
 * protection) to a prediction: the device-level writes Xen would attempt
 * with their results, and how the fault ends, in the ABI's own codes. The
 * built-in models (core/models/) follow named Xen releases; a plugin is a
 * shared object exporting sro_model_plugin() that returns the same struct,
 * so that a developer who changed Xen's emulation can replay traces
 * through their change (see examples/plugin/).
 *
 * This header, with abi.h, types.h, prot.h's struct sro_page_prot and
 * decode.h's struct sro_insn, is the whole plugin ABI. Bump
 * SRO_MODEL_ABI_VERSION on any change to these structs.
 */
#ifndef SRO_MODEL_H
#define SRO_MODEL_H

#include "abi.h"
#include "decode.h"
#include "prot.h"
#include "types.h"

#define SRO_MODEL_ABI_VERSION 1

struct sro_model_input {
    const struct sro_fault     *fault;   /* what SRO_FAULT/SRO_INSN said */
    const struct sro_insn      *insn;    /* decoded; insn->valid may be
                                            false (fetch or decode failed) */
    const struct sro_page_prot *page;    /* protection of fault->mfn now */
    unsigned int                reps;    /* iterations of a rep string
                                            store to model (0 = 1) */
};

struct sro_model {
    unsigned int abi_version;   /* SRO_MODEL_ABI_VERSION it was built for */
    const char  *name;          /* "xen-4.21" */
    const char  *summary;       /* one line: what it follows */
    /* Fill *out (zeroed by the caller). Returns 0, or -1 if the model
     * cannot say (the replayer reports the group as not predicted). */
    int (*predict)(const struct sro_model *m,
                   const struct sro_model_input *in,
                   struct sro_prediction *out);
    void *priv;                 /* the model's own */
};

/* A plugin exports this; it returns NULL if it cannot serve abi_version. */
typedef const struct sro_model *sro_model_plugin_fn(unsigned int abi_version);
#define SRO_MODEL_PLUGIN_SYMBOL "sro_model_plugin"

/* The built-in models, NULL-terminated. */
extern const struct sro_model *const sro_builtin_models[];

/*
 * Find a model by built-in name, or load it from a path containing '/'
 * (dlopen() with RTLD_NOW, kept loaded for the life of the process; the
 * plugin's SRO_MODEL_PLUGIN_SYMBOL is called with SRO_MODEL_ABI_VERSION and
 * must return a model with that abi_version, a name and a predict
 * function). On failure returns NULL and writes a one-line message naming
 * the name or path to err (errlen bytes, NUL-terminated; err may be NULL).
 */
const struct sro_model *sro_model_find(const char *name_or_path,
                                       char *err, size_t errlen);

/*
 * Helper for models: append one write to a prediction (false if full,
 * nothing appended). offset and dev_offset are page offsets (12 bits kept),
 * len at most 255; data_len stays 0. Inline so that a plugin needs no
 * srotrace library.
 */
static inline bool sro_pred_add_write(struct sro_prediction *p, uint64_t mfn,
                                      unsigned int offset, unsigned int len,
                                      unsigned int result,
                                      unsigned int dev_offset)
{
    struct sro_write *w;

    if ( p->nwrites >= SRO_PRED_MAX_WRITES )
        return false;
    w = &p->writes[p->nwrites++];
    w->mfn = mfn;
    w->offset = (uint16_t)(offset & (SRO_PAGE_SIZE - 1));
    w->dev_offset = (uint16_t)(dev_offset & (SRO_PAGE_SIZE - 1));
    w->len = (uint8_t)len;
    w->result = (uint8_t)result;
    w->data_len = 0;
    return true;
}

#endif /* SRO_MODEL_H */
