/* host.c: the host's side of custom functions (see wasmgrad.h). In wasm these are imports
 * that the JS binding provides; a native build has no host, so it gets weak stand-ins that a
 * C test may replace with its own definitions. */
#include "internal.h"

#ifdef __wasm__
__attribute__((import_module("env"), import_name("wg_host_vjp")))
int host_vjp_import(int32_t fn, T *g, int nin, T *const *inputs, const int32_t *needs, T **gin);
__attribute__((import_module("env"), import_name("wg_host_release")))
void host_release_import(int32_t fn);

int wg_host_vjp(int32_t fn, T *g, int nin, T *const *inputs, const int32_t *needs, T **gin) {
    return host_vjp_import(fn, g, nin, inputs, needs, gin);
}
void wg_host_release(int32_t fn) { host_release_import(fn); }
#else
__attribute__((weak)) int wg_host_vjp(int32_t fn, T *g, int nin, T *const *inputs, const int32_t *needs, T **gin) {
    (void)fn; (void)g; (void)nin; (void)inputs; (void)needs; (void)gin;
    wg_fail(WG_NOT_DIFFERENTIABLE, "custom function: this build has no host to run its backward");
    return WG_NOT_DIFFERENTIABLE;
}
__attribute__((weak)) void wg_host_release(int32_t fn) { (void)fn; }
#endif
