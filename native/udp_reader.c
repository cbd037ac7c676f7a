/*
 * udp_reader: the native UDP reader of the UDP front-end (src/transports/udp-native.ts).
 *
 * Why: Node's dgram costs ~6 us of main-thread CPU per datagram (one recvmsg syscall, one
 * Buffer, one rinfo object and one event each), more than rsyslog's whole imudp pipeline, and
 * the socket is only drained while the event loop is free, so bursts overflow the kernel's
 * receive buffer. rsyslog's imudp reads with recvmmsg(2) on a thread of its own; so does this.
 *
 * Shape: one socket, bound here (so bind errors are thrown synchronously with their errno
 * code), read by one pthread with recvmmsg(2) into a scratch area, and packed into "slabs" of
 * a JS-owned arena: datagram bytes back to back in `data`, and per datagram three int32 in
 * `meta` (start offset in the slab, length in bytes, index of its sender in the slab's source
 * list). A filled slab goes to JS through a thread-safe function; JS reads it synchronously
 * and the slab is free again when the callback returns.
 *
 * Batching adapts to load: once the socket is drained and no slab waits for JS, the thread
 * hands the current slab over if it holds MIN_HANDOVER datagrams or is HOLD_MS old; while JS is
 * busy it keeps filling the same slab (up to its bytes or datagram limit). A busy receiver gets
 * large batches, a trickle at most HOLD_MS of delay.
 * When every slab waits for JS the thread stops reading and the kernel buffer absorbs the
 * burst; what the kernel then drops is read with SO_MEMINFO (sock_diag) and reported.
 *
 * Linux only (recvmmsg, SO_MEMINFO, eventfd). The JS side falls back to dgram elsewhere.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sock_diag.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* datagrams per recvmmsg call */
#define VLEN 64
/* scratch bytes per datagram: larger than any UDP payload over IPv4 (65507) or IPv6 (65527) */
#define SCRATCH_BYTES 65536
/* distinct senders per slab (consecutive datagrams of one sender share an entry) */
#define MAX_SOURCES 64
/* a slab goes to JS, when JS is idle, once it holds this many datagrams ... */
#define MIN_HANDOVER 64
/* ... or its first datagram is this old, ms (also the re-check interval while JS is busy) */
#define HOLD_MS 1

enum { SLAB_FREE = 0, SLAB_FILLING = 1, SLAB_QUEUED = 2 };

typedef struct {
  int state;
  int count;  /* datagrams */
  int used;   /* bytes of data */
  int nsrc;
  uint32_t kernel_drops; /* datagrams the kernel dropped, first reported with this slab */
  int64_t first_ns;      /* CLOCK_MONOTONIC time of its first datagram */
  struct sockaddr_storage src[MAX_SOURCES];
  socklen_t srclen[MAX_SOURCES];
} slab_t;

typedef struct {
  int fd;
  int wakefd;
  pthread_t thread;
  atomic_int stop;
  napi_threadsafe_function tsfn;
  napi_ref data_ref;
  napi_ref meta_ref;
  uint8_t *data;
  int32_t *meta;
  int nslabs;
  int slab_bytes;
  int slab_datagrams;
  slab_t *slabs;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  atomic_int queued; /* slabs handed to JS and not yet returned */
  uint32_t last_drops; /* SK_MEMINFO_DROPS at the last look */
  uint8_t *scratch;
  struct mmsghdr msgs[VLEN];
  struct iovec iov[VLEN];
  struct sockaddr_storage names[VLEN];
} reader_t;

/* What the JS handle points at: outlives the reader, so a second close() is harmless. */
typedef struct {
  reader_t *r;
} handle_t;

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *code = "EIO";
  switch (err) {
    case EADDRINUSE: code = "EADDRINUSE"; break;
    case EADDRNOTAVAIL: code = "EADDRNOTAVAIL"; break;
    case EACCES: code = "EACCES"; break;
    case EINVAL: code = "EINVAL"; break;
    case EAFNOSUPPORT: code = "EAFNOSUPPORT"; break;
    case EMFILE: code = "EMFILE"; break;
    case ENOMEM: code = "ENOMEM"; break;
    default: break;
  }
  napi_throw_error(env, code, msg);
  return NULL;
}

/* --- reader thread ------------------------------------------------------------------ */

/* A free slab for the thread to fill, waiting while all are with JS; -1 once stopping. */
static int acquire_slab(reader_t *r) {
  pthread_mutex_lock(&r->mu);
  for (;;) {
    if (atomic_load(&r->stop)) {
      pthread_mutex_unlock(&r->mu);
      return -1;
    }
    for (int i = 0; i < r->nslabs; i++) {
      if (r->slabs[i].state == SLAB_FREE) {
        slab_t *s = &r->slabs[i];
        s->state = SLAB_FILLING;
        s->count = 0;
        s->used = 0;
        s->nsrc = 0;
        s->kernel_drops = 0;
        pthread_mutex_unlock(&r->mu);
        return i;
      }
    }
    pthread_cond_wait(&r->cv, &r->mu);
  }
}

static void hand_over(reader_t *r, int i) {
  pthread_mutex_lock(&r->mu);
  r->slabs[i].state = SLAB_QUEUED;
  pthread_mutex_unlock(&r->mu);
  atomic_fetch_add(&r->queued, 1);
  if (napi_call_threadsafe_function(r->tsfn, (void *)(intptr_t)i, napi_tsfn_blocking) != napi_ok) {
    /* closing: the slab is not delivered */
    pthread_mutex_lock(&r->mu);
    r->slabs[i].state = SLAB_FREE;
    pthread_mutex_unlock(&r->mu);
    atomic_fetch_sub(&r->queued, 1);
  }
}

static void release_slab(reader_t *r, int i) {
  pthread_mutex_lock(&r->mu);
  r->slabs[i].state = SLAB_FREE;
  pthread_cond_signal(&r->cv);
  pthread_mutex_unlock(&r->mu);
}

/*
 * Adds to the slab what the kernel dropped on the socket since the last look: SO_MEMINFO's
 * SK_MEMINFO_DROPS is the socket's cumulative drop count (sk_drops; Linux >= 4.6). Read after
 * each drain, it also covers drops after the last datagram queued (which SO_RXQ_OVFL, attached
 * to the next datagram received, would leave unreported).
 */
static void note_drops(reader_t *r, slab_t *s) {
  uint32_t mem[SK_MEMINFO_VARS];
  socklen_t len = sizeof mem;
  if (getsockopt(r->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0 || len <= SK_MEMINFO_DROPS * sizeof(uint32_t)) return;
  s->kernel_drops += mem[SK_MEMINFO_DROPS] - r->last_drops;
  r->last_drops = mem[SK_MEMINFO_DROPS];
}

/* Index of the sender in the slab's list: the last entry when it is the same sender, else a new one (-1: list full). */
static int source_index(slab_t *s, const struct sockaddr_storage *name, socklen_t len) {
  if (s->nsrc > 0) {
    int last = s->nsrc - 1;
    if (s->srclen[last] == len && memcmp(&s->src[last], name, len) == 0) return last;
  }
  if (s->nsrc == MAX_SOURCES) return -1;
  memcpy(&s->src[s->nsrc], name, len);
  s->srclen[s->nsrc] = len;
  return s->nsrc++;
}

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* How long to wait for the socket: forever with an empty slab, else until the slab is HOLD_MS old. */
static int poll_timeout_ms(const slab_t *s) {
  if (s->count == 0) return -1;
  int64_t left = (int64_t)HOLD_MS * 1000000 - (now_ns() - s->first_ns);
  return left > 0 ? (int)((left + 999999) / 1000000) : HOLD_MS;
}

static void *reader_main(void *arg) {
  reader_t *r = arg;
  int cur = acquire_slab(r);
  while (cur >= 0) {
    slab_t *s = &r->slabs[cur];
    struct pollfd pfd[2] = { { r->fd, POLLIN, 0 }, { r->wakefd, POLLIN, 0 } };
    int ready = poll(pfd, 2, poll_timeout_ms(s));
    if (atomic_load(&r->stop)) break;
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0 && (pfd[0].revents & POLLIN)) {
      for (;;) {
        for (int j = 0; j < VLEN; j++) {
          r->msgs[j].msg_hdr.msg_namelen = sizeof r->names[j];
          r->msgs[j].msg_hdr.msg_flags = 0;
        }
        int n = recvmmsg(r->fd, r->msgs, VLEN, MSG_DONTWAIT, NULL);
        if (n < 0) {
          if (errno == EINTR) continue;
          break; /* EAGAIN: drained; other errors (ICMP-reported, ENOMEM) are retried at the next poll */
        }
        for (int j = 0; j < n && cur >= 0; j++) {
          struct msghdr *h = &r->msgs[j].msg_hdr;
          int len = (int)r->msgs[j].msg_len;
          int si = source_index(s, &r->names[j], h->msg_namelen);
          if (si < 0 || s->count == r->slab_datagrams || s->used + len > r->slab_bytes) {
            hand_over(r, cur);
            cur = acquire_slab(r);
            if (cur < 0) break;
            s = &r->slabs[cur];
            si = source_index(s, &r->names[j], h->msg_namelen);
          }
          if (s->count == 0) s->first_ns = now_ns();
          memcpy(r->data + (size_t)cur * r->slab_bytes + s->used, r->scratch + (size_t)j * SCRATCH_BYTES, (size_t)len);
          int32_t *m = r->meta + ((size_t)cur * r->slab_datagrams + s->count) * 3;
          m[0] = s->used;
          m[1] = len;
          m[2] = si;
          s->used += len;
          s->count++;
        }
        if (cur < 0 || n < VLEN) break;
      }
      if (cur >= 0) note_drops(r, s);
    }
    if (cur >= 0 && atomic_load(&r->queued) == 0 && (s->count > 0 ? s->count >= MIN_HANDOVER || now_ns() - s->first_ns >= (int64_t)HOLD_MS * 1000000 : s->kernel_drops > 0)) {
      hand_over(r, cur);
      cur = acquire_slab(r);
    }
  }
  if (cur >= 0) {
    if (r->slabs[cur].count > 0) hand_over(r, cur);
    else release_slab(r, cur);
  }
  return NULL;
}

/* --- main thread -------------------------------------------------------------------- */

/* Delivers slab i to the JS callback: (slab, count, usedBytes, sources, kernelDrops). */
static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  reader_t *r = context;
  int i = (int)(intptr_t)data;
  slab_t *s = &r->slabs[i];
  if (env != NULL && cb != NULL) {
    napi_value argv[5], global, sources;
    napi_create_int32(env, i, &argv[0]);
    napi_create_int32(env, s->count, &argv[1]);
    napi_create_int32(env, s->used, &argv[2]);
    napi_create_array_with_length(env, (size_t)s->nsrc * 2, &sources);
    for (int k = 0; k < s->nsrc; k++) {
      char text[INET6_ADDRSTRLEN];
      int port = 0;
      text[0] = 0;
      if (s->src[k].ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&s->src[k];
        inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        port = ntohs(a->sin_port);
      } else if (s->src[k].ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->src[k];
        inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
        port = ntohs(a->sin6_port);
      }
      napi_value str, num;
      napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &str);
      napi_create_int32(env, port, &num);
      napi_set_element(env, sources, (uint32_t)k * 2, str);
      napi_set_element(env, sources, (uint32_t)k * 2 + 1, num);
    }
    argv[3] = sources;
    napi_create_uint32(env, s->kernel_drops, &argv[4]);
    napi_get_global(env, &global);
    napi_call_function(env, global, cb, 5, argv, NULL);
  }
  atomic_fetch_sub(&r->queued, 1);
  release_slab(r, i);
}

/* After close() and the last queued slab: frees the reader. */
static void finalize_tsfn(napi_env env, void *data, void *hint) {
  (void)hint;
  reader_t *r = data;
  napi_delete_reference(env, r->data_ref);
  napi_delete_reference(env, r->meta_ref);
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->cv);
  free(r->scratch);
  free(r->slabs);
  free(r);
}

static void stop_reader(reader_t *r) {
  atomic_store(&r->stop, 1);
  uint64_t one = 1;
  ssize_t w = write(r->wakefd, &one, sizeof one);
  (void)w;
  pthread_mutex_lock(&r->mu);
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
  pthread_join(r->thread, NULL);
  close(r->fd);
  close(r->wakefd);
  napi_release_threadsafe_function(r->tsfn, napi_tsfn_release);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static int get_int(napi_env env, napi_value v, int *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/*
 * open(address: string, port: number, recvBufferBytes: number, data: Buffer, meta: Buffer,
 *      slabBytes: number, slabDatagrams: number, onSlab: Function)
 *   → { handle, address, family, port, recvBufferBytes, recvBufferError }
 * Binds address:port (IPv6 sockets are dual-stack, as Node's dgram), asks for recvBufferBytes
 * of SO_RCVBUF (0: kernel default) and starts the reader thread. `data` holds
 * data.length / slabBytes slabs; `meta` 3 int32 per datagram of each slab.
 * Throws an Error with `code` (EADDRINUSE, EACCES, EINVAL …) when the socket cannot be bound.
 */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "open: 8 arguments expected");
    return NULL;
  }
  char address[INET6_ADDRSTRLEN + 1];
  size_t alen = 0;
  if (napi_get_value_string_utf8(env, argv[0], address, sizeof address, &alen) != napi_ok) {
    napi_throw_type_error(env, NULL, "open: address must be a string");
    return NULL;
  }
  int port, rcvbuf, slab_bytes, slab_datagrams;
  if (!get_int(env, argv[1], &port) || !get_int(env, argv[2], &rcvbuf) || !get_int(env, argv[5], &slab_bytes) || !get_int(env, argv[6], &slab_datagrams)) {
    napi_throw_type_error(env, NULL, "open: port, recvBufferBytes, slabBytes and slabDatagrams must be numbers");
    return NULL;
  }
  void *data = NULL, *meta = NULL;
  size_t data_len = 0, meta_len = 0;
  if (napi_get_buffer_info(env, argv[3], &data, &data_len) != napi_ok || napi_get_buffer_info(env, argv[4], &meta, &meta_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "open: data and meta must be Buffers");
    return NULL;
  }
  if (slab_bytes < SCRATCH_BYTES || slab_datagrams < 1 || data_len < (size_t)slab_bytes || ((uintptr_t)meta & 3) != 0) {
    napi_throw_range_error(env, NULL, "open: slabBytes must be at least 65536, data hold at least one slab, meta be 4-byte aligned");
    return NULL;
  }
  int nslabs = (int)(data_len / (size_t)slab_bytes);
  if (meta_len < (size_t)nslabs * (size_t)slab_datagrams * 3 * sizeof(int32_t)) {
    napi_throw_range_error(env, NULL, "open: meta too small for the slabs");
    return NULL;
  }

  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof ss);
  int family;
  if (inet_pton(AF_INET, address, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    sslen = sizeof *a;
    family = AF_INET;
  } else if (inet_pton(AF_INET6, address, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    sslen = sizeof *a;
    family = AF_INET6;
  } else {
    return throw_errno(env, EINVAL, "udp address is not an IPv4 or IPv6 literal");
  }

  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "udp socket");
  int off = 0;
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  int rcvbuf_err = 0;
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) rcvbuf_err = errno;
  if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
    int e = errno;
    close(fd);
    char what[128];
    snprintf(what, sizeof what, "bind %s:%d", address, port);
    return throw_errno(env, e, what);
  }
  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &blen);
  int bound_port = family == AF_INET ? ntohs(((struct sockaddr_in *)&bound)->sin_port) : ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
  int granted = -1;
  socklen_t glen = sizeof granted;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &glen) != 0) granted = -1;

  reader_t *r = calloc(1, sizeof *r);
  uint8_t *scratch = malloc((size_t)VLEN * SCRATCH_BYTES);
  slab_t *slabs = calloc((size_t)nslabs, sizeof *slabs);
  int wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (r == NULL || scratch == NULL || slabs == NULL || wakefd < 0) {
    int e = wakefd < 0 ? errno : ENOMEM;
    free(r);
    free(scratch);
    free(slabs);
    if (wakefd >= 0) close(wakefd);
    close(fd);
    return throw_errno(env, e, "udp reader");
  }
  r->fd = fd;
  r->wakefd = wakefd;
  r->data = data;
  r->meta = meta;
  r->nslabs = nslabs;
  r->slab_bytes = slab_bytes;
  r->slab_datagrams = slab_datagrams;
  r->slabs = slabs;
  r->scratch = scratch;
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cv, NULL);
  for (int j = 0; j < VLEN; j++) {
    r->iov[j].iov_base = scratch + (size_t)j * SCRATCH_BYTES;
    r->iov[j].iov_len = SCRATCH_BYTES;
    r->msgs[j].msg_hdr.msg_iov = &r->iov[j];
    r->msgs[j].msg_hdr.msg_iovlen = 1;
    r->msgs[j].msg_hdr.msg_name = &r->names[j];
  }
  napi_create_reference(env, argv[3], 1, &r->data_ref);
  napi_create_reference(env, argv[4], 1, &r->meta_ref);
  napi_value name;
  napi_create_string_utf8(env, "udp_reader", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[7], NULL, name, 0, 1, r, finalize_tsfn, r, call_js, &r->tsfn) != napi_ok) {
    close(fd);
    close(wakefd);
    finalize_tsfn(env, NULL, r);
    napi_throw_error(env, "EIO", "udp reader: could not create the thread-safe function");
    return NULL;
  }
  /* the thread takes no signals: they stay with Node's own handling */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int te = pthread_create(&r->thread, NULL, reader_main, r);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (te != 0) {
    close(fd);
    close(wakefd);
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
    return throw_errno(env, te, "udp reader thread");
  }

  handle_t *h = malloc(sizeof *h);
  h->r = r;
  napi_value result, handle, v;
  napi_create_object(env, &result);
  napi_create_external(env, h, finalize_handle, NULL, &handle);
  napi_set_named_property(env, result, "handle", handle);
  napi_create_string_utf8(env, address, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, result, "address", v);
  napi_create_string_utf8(env, family == AF_INET ? "IPv4" : "IPv6", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, result, "family", v);
  napi_create_int32(env, bound_port, &v);
  napi_set_named_property(env, result, "port", v);
  napi_create_int32(env, granted, &v);
  napi_set_named_property(env, result, "recvBufferBytes", v);
  if (rcvbuf_err != 0) {
    napi_create_string_utf8(env, strerror(rcvbuf_err), NAPI_AUTO_LENGTH, &v);
  } else {
    napi_get_null(env, &v);
  }
  napi_set_named_property(env, result, "recvBufferError", v);
  return result;
}

/* close(handle): stops the thread and closes the socket; slabs already queued are still delivered. Idempotent. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *p = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], &p) != napi_ok) {
    napi_throw_type_error(env, NULL, "close: a handle from open() expected");
    return NULL;
  }
  handle_t *h = p;
  if (h->r != NULL) {
    reader_t *r = h->r;
    h->r = NULL;
    stop_reader(r);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "open", NAPI_AUTO_LENGTH, js_open, NULL, &fn);
  napi_set_named_property(env, exports, "open", fn);
  napi_create_function(env, "close", NAPI_AUTO_LENGTH, js_close, NULL, &fn);
  napi_set_named_property(env, exports, "close", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
