/* History persistence: the writer streams the rings through stdio with a running CRC (no copy
 * of the whole history in memory: one series' window at a time), the loader reads the whole
 * file (bounded by what the format can describe) and hands it to the pure parser. */
#include "io/persist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "parse/history_file.h"
#include "store/store.h"
#include "core/banned.h"

/* The largest file this build writes: every series full, plus names and headers. */
#define PERSIST_MAX_FILE ((size_t)HS_COUNT * (RING_CAP_MAX * 16u + 256u) + 64u)

struct persist_out {
    FILE *f;
    uint32_t crc;
    int err;
};

static void po_put(struct persist_out *o, const void *p, size_t n)
{
    if (o->err != 0)
        return;
    if (fwrite(p, 1, n, o->f) != n) {
        o->err = errno ? -errno : -EIO;
        return;
    }
    o->crc = history_file_crc32(o->crc, p, n);
}

static void po_u16(struct persist_out *o, uint16_t v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    po_put(o, b, 2);
}

static void po_u32(struct persist_out *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    po_put(o, b, 4);
}

static void po_u64(struct persist_out *o, uint64_t v)
{
    po_u32(o, (uint32_t)v);
    po_u32(o, (uint32_t)(v >> 32));
}

static int persist_sync_dir(const char *path)
{
    char *dir = xstrdup(strchr(path, '/') != NULL ? path : "./x");
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

long persist_save(const struct store *s, const struct persist_names *names, const char *path,
                  int64_t now_wall_ms)
{
    size_t cap = (size_t)store_capacity(s);
    struct ring_sample *buf = xcalloc(cap, sizeof(*buf));
    size_t plen = strlen(path);
    char *tmp = xmalloc(plen + 5);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    long total = 0;
    int rc = 0;
    struct persist_out o = {.f = fopen(tmp, "wbe")};
    if (o.f == NULL) {
        rc = -errno;
        goto out;
    }
    po_put(&o, HISTORY_FILE_MAGIC, 8);
    po_u32(&o, HISTORY_FILE_VERSION);
    po_u64(&o, (uint64_t)now_wall_ms);
    po_u32(&o, HS_COUNT);
    for (int id = 0; id < HS_COUNT; id++) {
        char nbuf[HISTORY_FILE_MAX_NAME + 1];
        const char *name = names->name((enum hist_series)id, nbuf, sizeof(nbuf));
        int n = store_copy_window(s, (enum hist_series)id, now_wall_ms, now_wall_ms, buf, cap);
        if (n < 0)
            n = 0; /* a read that kept losing to the writer: this series starts empty */
        po_u16(&o, (uint16_t)strlen(name));
        po_put(&o, name, strlen(name));
        po_u32(&o, (uint32_t)n);
        for (int i = 0; i < n; i++) {
            uint64_t bits;
            memcpy(&bits, &buf[i].v, sizeof(bits));
            po_u64(&o, (uint64_t)buf[i].t_ms);
            po_u64(&o, bits);
        }
        total += n;
    }
    uint32_t crc = o.crc;
    po_u32(&o, crc);
    rc = o.err;
    if (rc == 0 && fflush(o.f) != 0)
        rc = -errno;
    if (rc == 0 && fsync(fileno(o.f)) != 0)
        rc = -errno;
    if (fclose(o.f) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc == 0)
        rc = persist_sync_dir(path);
    if (rc < 0)
        unlink(tmp);
out:
    free(tmp);
    free(buf);
    return rc < 0 ? rc : total;
}

/* The file is read into anonymous pages of its own (not the heap) so that persist_load can give
 * them back while it restores: read_buf_release drops whole pages before an offset. The file
 * (16 bytes a sample: 1.9 MB for the default hour) is then never resident whole beside the full
 * rings it fills: the peak RSS of a start restoring a full hour went from 8.9 to 6.7 MiB
 * (run.sh's "at start" row). */
struct read_buf {
    unsigned char *p;
    size_t len;      /* bytes read */
    size_t map_len;  /* bytes mapped (len rounded up to pages, at least one page) */
    size_t released; /* pages before this offset were given back */
};

static void read_buf_release(struct read_buf *b, size_t upto)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t end = upto / page * page;
    if (end > b->released) {
        (void)madvise(b->p + b->released, end - b->released, MADV_DONTNEED);
        b->released = end;
    }
}

static void read_buf_free(struct read_buf *b)
{
    if (b->p != NULL)
        munmap(b->p, b->map_len);
    b->p = NULL;
}

static int persist_read(const char *path, struct read_buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = -EPROTO;
        goto out;
    }
    if ((size_t)st.st_size > PERSIST_MAX_FILE) {
        rc = -E2BIG;
        goto out;
    }
    size_t n = (size_t)st.st_size, got = 0;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    struct read_buf b = {.map_len = n > 0 ? (n + page - 1) / page * page : page};
    void *m = mmap(NULL, b.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        rc = -ENOMEM;
        goto out;
    }
    b.p = m;
    /* 4 KiB pages, so that read_buf_release gives memory back (a transparent huge page would
     * stay charged until the kernel split it) */
    (void)madvise(m, b.map_len, MADV_NOHUGEPAGE);
    while (got < n) {
        ssize_t r = read(fd, b.p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    b.len = got;
    *out = b;
out:
    close(fd);
    return rc;
}

long persist_load(struct store *s, const struct persist_names *names, const char *path,
                  int64_t now_wall_ms, int64_t retention_ms, const char **why)
{
    struct read_buf b = {0};
    *why = NULL;
    int rc = persist_read(path, &b);
    if (rc == -EPROTO)
        *why = "not a regular file";
    if (rc == -E2BIG) {
        *why = "larger than any history file";
        rc = -EPROTO;
    }
    if (rc < 0)
        return rc;
    struct history_file *hf = xcalloc(1, sizeof(*hf));
    struct parse_err err = {0};
    long total = 0;
    rc = parse_history_file(b.p, b.len, hf, &err);
    if (rc < 0) {
        *why = err.what;
        goto out;
    }
    for (uint32_t i = 0; i < hf->nseries; i++) {
        const struct history_file_series *fs = &hf->series[i];
        char name[HISTORY_FILE_MAX_NAME + 1];
        memcpy(name, fs->name, fs->name_len);
        name[fs->name_len] = '\0';
        int id = names->lookup(name);
        /* series lie one after the other: what is before this one's end is done with */
        size_t end = (size_t)(fs->samples - b.p) + (size_t)fs->nsamples * HISTORY_FILE_SAMPLE_BYTES;
        if (id < 0 || store_count(s, (enum hist_series)id) > 0) {
            read_buf_release(&b, end);
            continue; /* unknown to this build, or a duplicate: keep the first */
        }
        for (uint32_t j = 0; j < fs->nsamples; j++) {
            int64_t t;
            double v;
            history_file_sample(fs, j, &t, &v);
            /* older than the retention, or from the future (the clock stepped back): the rings
             * need time to go forwards from here */
            if (t <= now_wall_ms - retention_ms || t >= now_wall_ms)
                continue;
            if (store_append(s, (enum hist_series)id, t, v) == 0)
                total++;
        }
        read_buf_release(&b, end);
    }
out:
    free(hf);
    read_buf_free(&b);
    return rc < 0 ? rc : total;
}
