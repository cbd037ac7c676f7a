/*
 * reexec: execv(2) for the CLI (src/heap.ts). V8 sizes the young generation only when the
 * isolate is created, so `--max-semi-space-size` has to be on node's command line; the CLI
 * replaces its own process with the same node, the same arguments and that flag. Same PID,
 * environment and stdio (execv(2)); on success it does not return. Node marks stdin, stdout and
 * stderr close-on-exec at start-up, so that mark is taken off them first (and put back if
 * execv fails).
 */
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 256

/* execv(file: string, argv: string[]): returns only on failure, throwing an Error with the errno text. */
static napi_value js_execv(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t n = 0;
  bool is_array = false;
  if (argc < 2 || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[1], &n) != napi_ok || n == 0 || n >= MAX_ARGS) {
    napi_throw_type_error(env, NULL, "execv(file, argv): argv must be a non-empty array of strings");
    return NULL;
  }
  char *strings[MAX_ARGS + 1];
  memset(strings, 0, sizeof strings);
  char *file = NULL;
  size_t len = 0;
  int ok = napi_get_value_string_utf8(env, argv[0], NULL, 0, &len) == napi_ok && (file = malloc(len + 1)) != NULL &&
           napi_get_value_string_utf8(env, argv[0], file, len + 1, &len) == napi_ok;
  for (uint32_t i = 0; ok && i < n; i++) {
    napi_value v;
    ok = napi_get_element(env, argv[1], i, &v) == napi_ok && napi_get_value_string_utf8(env, v, NULL, 0, &len) == napi_ok &&
         (strings[i] = malloc(len + 1)) != NULL && napi_get_value_string_utf8(env, v, strings[i], len + 1, &len) == napi_ok;
  }
  int err = EINVAL;
  if (ok) {
    int fdflags[3];
    for (int fd = 0; fd < 3; fd++) {
      fdflags[fd] = fcntl(fd, F_GETFD);
      if (fdflags[fd] >= 0) fcntl(fd, F_SETFD, fdflags[fd] & ~FD_CLOEXEC);
    }
    execv(file, strings);
    err = errno;
    for (int fd = 0; fd < 3; fd++) if (fdflags[fd] >= 0) fcntl(fd, F_SETFD, fdflags[fd]);
  }
  free(file);
  for (uint32_t i = 0; i < n; i++) free(strings[i]);
  napi_throw_error(env, NULL, strerror(err));
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "execv", NAPI_AUTO_LENGTH, js_execv, NULL, &fn);
  napi_set_named_property(env, exports, "execv", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
