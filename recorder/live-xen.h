/*
 * live-xen.h - the Xen half of a live capture (recorder/live-xen.c), for
 * recorder/live.c only.
 *
 * Everything that talks to the hypervisor is here: the host checks (plain
 * files, so that a machine without Xen gets a precise message before any
 * library call), then, through libxenctrl and libxenevtchn, turning
 * tracing on with the requested buffer size and masks, mapping t_info and
 * every CPU's buffer into a struct sro_tbuf_ring, asking the patched Xen
 * for its configuration (debug key), binding VIRQ_TBUF, and undoing all
 * of it. live.c's capture thread sees only the ring, a file descriptor to
 * wait on, and the disable call.
 */
#ifndef SRO_RECORDER_LIVE_XEN_H
#define SRO_RECORDER_LIVE_XEN_H

#include <stddef.h>

#include "live.h"
#include "tbuf-ring.h"

struct sro_live_xen;

/*
 * 0 if the files under root ("" for /) look like a Xen dom0 this process
 * may drive; else -1 with err naming the first thing missing.
 */
int sro_live_xen_probe(const char *root, char *err, size_t errlen);

/*
 * Turn tracing on and map the buffers. On success returns the handle,
 * with *ring the ring over the mapped buffers (owned by the handle),
 * *evt_fd the descriptor to poll for VIRQ_TBUF (-1 if none: poll on a
 * timer) and *info filled. On failure returns NULL with err set, and
 * tracing disabled again unless o->keep_tracing. Built without
 * libxenctrl, always fails and says so.
 */
struct sro_live_xen *sro_live_xen_open(const struct sro_live_opts *o,
                                       struct sro_live_info *info,
                                       struct sro_tbuf_ring **ring,
                                       int *evt_fd, char *err,
                                       size_t errlen);

/* Acknowledge a VIRQ_TBUF notification (evt_fd was readable). */
void sro_live_xen_ack(struct sro_live_xen *x);

/* Disable tracing: 0, or -1 with err set. */
int sro_live_xen_disable(struct sro_live_xen *x, char *err, size_t errlen);

/* Unmap, unbind and close everything; frees the ring and x. */
void sro_live_xen_close(struct sro_live_xen *x);

#endif /* SRO_RECORDER_LIVE_XEN_H */
