#ifndef SRO_VERSION_H
#define SRO_VERSION_H

#define SROTRACE_VERSION   "0.1.0"
#define SROTRACE_TRACE_ABI 1

#endif
