/* system collector: node-level CPU, memory, load, pressure, network and TCP state metrics from
 * --path.procfs (the node's /proc, or a fixture tree), plus the standard process_* metrics of
 * this daemon. Reads go through io/fsroot, parsing through parse/, output through the sink.
 * DESIGN: a missing optional file (PSI, tcp6) is absence, not failure; a file that exists but
 * cannot be read or parsed fails the tick after everything else has been emitted, so one bad
 * file never hides the other metrics. */
#include "collect/collectors.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/sink.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/xalloc.h"
#include "io/fsroot.h"
#include "parse/proc_loadavg.h"
#include "parse/proc_meminfo.h"
#include "parse/proc_netdev.h"
#include "io/sockdiag.h"
#include "parse/proc_nettcp.h"
#include "parse/proc_pid.h"
#include "parse/proc_pressure.h"
#include "parse/proc_stat.h"
#include "core/banned.h"

#define SYS_BUF_CAP (256u * 1024)
/* /proc/net/tcp lines are 150 bytes: 4 MiB is ~28k sockets, plenty for one pod's netns. */
#define SYS_TCP_BUF_CAP (4u * 1024 * 1024)

struct col_system {
    struct fsroot *proc; /* --path.procfs: the node as seen from the pod */
    struct fsroot *self; /* the real /proc: this process (see sys_process) */
    struct buf buf;
    struct buf tcp;
    unsigned app_port; /* --app.port: ESTABLISHED sockets on it feed HS_APP_PORT_CONNECTIONS */
    double clk_tck;
    double page_size;
    double self_btime; /* boot time from the real /proc/stat, 0 if unknown */
    bool proc_is_self; /* --path.procfs is this process's /proc: netlink may replace files */
    /* TCP sockets are counted every tcp_every_ms (--system.tcp-interval, capped at half the
     * signals window); the ticks in between serve tcp_last. tcp_slack_ms (half a tick) keeps a
     * tick that comes a little early from pushing the count a whole tick later. */
    int64_t tcp_every_ms;
    int64_t tcp_slack_ms;
    int64_t tcp_at_ms; /* monotonic time of tcp_last; valid when tcp_have */
    bool tcp_have;
    struct proc_nettcp tcp_last;
    /* Parse results live here rather than on the sampler's stack: they are large. */
    struct proc_stat stat;
    struct proc_meminfo meminfo;
    struct proc_netdev netdev;
};

/* sys_first keeps the first error of a tick. */
static void sys_first(int *rc, int r)
{
    if (*rc == 0 && r < 0)
        *rc = r;
}

static int sys_read(const struct fsroot *root, const char *rel, struct buf *b)
{
    buf_reset(b);
    return fsroot_read(root, rel, b);
}

/* Emitters: the sink counts what it refuses (limit, invalid name), so the result is not a
 * reason to stop the tick. */
static void sys_gauge(struct sample_sink *out, const char *name, const char *help, double v)
{
    (void)sink_gauge(out, name, help, NULL, 0, v);
}

static void sys_counter(struct sample_sink *out, const char *name, const char *help, double v)
{
    (void)sink_counter(out, name, help, NULL, 0, v);
}

static int sys_stat(struct col_system *c, struct sample_sink *out)
{
    int rc = sys_read(c->proc, "stat", &c->buf);
    if (rc == 0)
        rc = parse_proc_stat(buf_ptr(&c->buf), &c->stat, NULL);
    if (rc < 0)
        return rc;
    const struct proc_cpu_times *t = &c->stat.total;
    /* Sums in integer ticks: busy as total - idle in floating point can step back by a rounding
     * error, which a rate() reads as a counter reset. */
    uint64_t total = 0, idle = 0;
    /* guest and guest_nice are already counted in user and nice (kernel account_guest_time). */
    for (unsigned m = 0; m < t->nmodes && m < PROC_CPU_GUEST; m++) {
        double s = (double)t->ticks[m] / c->clk_tck;
        struct label l = {"mode", proc_cpu_mode_name(m)};
        (void)sink_counter(out, "rizk_system_cpu_seconds_total",
                           "Seconds the CPUs spent in each mode, summed over all CPUs.", &l, 1, s);
        total += t->ticks[m];
        if (m == PROC_CPU_IDLE || m == PROC_CPU_IOWAIT)
            idle += t->ticks[m];
    }
    sys_gauge(out, "rizk_system_cpus", "Number of CPUs listed in /proc/stat.",
              (double)c->stat.ncpus);
    if (c->stat.has_btime)
        sys_gauge(out, "rizk_system_boot_time_seconds", "Node boot time, seconds since epoch.",
                  (double)c->stat.btime);
    sink_history(out, HS_NODE_CPU_TOTAL_SECONDS, (double)total / c->clk_tck);
    sink_history(out, HS_NODE_CPU_BUSY_SECONDS, (double)(total - idle) / c->clk_tck);
    return 0;
}

static int sys_meminfo(struct col_system *c, struct sample_sink *out)
{
    int rc = sys_read(c->proc, "meminfo", &c->buf);
    if (rc == 0)
        rc = parse_proc_meminfo(buf_ptr(&c->buf), &c->meminfo, NULL);
    if (rc < 0)
        return rc;
    const struct proc_meminfo *m = &c->meminfo;
    sys_gauge(out, "rizk_system_memory_total_bytes", "Total usable memory (MemTotal).",
              (double)m->mem_total);
    sink_history(out, HS_NODE_MEMORY_TOTAL_BYTES, (double)m->mem_total);
    /* MemAvailable exists since Linux 3.14; without it the memory signal has no input. */
    if (m->has_mem_available) {
        sys_gauge(out, "rizk_system_memory_available_bytes",
                  "Memory available for new work without swapping (MemAvailable).",
                  (double)m->mem_available);
        sink_history(out, HS_NODE_MEMORY_AVAILABLE_BYTES, (double)m->mem_available);
    }
    if (m->has_mem_free)
        sys_gauge(out, "rizk_system_memory_free_bytes", "Unused memory (MemFree).",
                  (double)m->mem_free);
    if (m->has_buffers)
        sys_gauge(out, "rizk_system_memory_buffers_bytes", "Block device buffers (Buffers).",
                  (double)m->buffers);
    if (m->has_cached)
        sys_gauge(out, "rizk_system_memory_cached_bytes", "Page cache (Cached).",
                  (double)m->cached);
    if (m->has_swap_total)
        sys_gauge(out, "rizk_system_swap_total_bytes", "Total swap space (SwapTotal).",
                  (double)m->swap_total);
    if (m->has_swap_free)
        sys_gauge(out, "rizk_system_swap_free_bytes", "Unused swap space (SwapFree).",
                  (double)m->swap_free);
    return 0;
}

static int sys_loadavg(struct col_system *c, struct sample_sink *out)
{
    struct proc_loadavg l;
    int rc = sys_read(c->proc, "loadavg", &c->buf);
    if (rc == 0)
        rc = parse_proc_loadavg(buf_ptr(&c->buf), &l, NULL);
    if (rc < 0)
        return rc;
    sys_gauge(out, "rizk_system_load1", "1-minute load average.", l.load1);
    sys_gauge(out, "rizk_system_load5", "5-minute load average.", l.load5);
    sys_gauge(out, "rizk_system_load15", "15-minute load average.", l.load15);
    return 0;
}

/* is_absent: the file does not exist, or PSI is compiled in but disabled (psi=0), in which case
 * reading it fails with EOPNOTSUPP. */
static bool sys_is_absent(int rc)
{
    return rc == -ENOENT || rc == -EOPNOTSUPP;
}

static int sys_pressure(struct col_system *c, struct sample_sink *out)
{
    static const struct {
        const char *file, *waiting, *stalled;
    } res[] = {
        {"pressure/cpu", "rizk_system_pressure_cpu_waiting_seconds_total",
         "rizk_system_pressure_cpu_stalled_seconds_total"},
        {"pressure/memory", "rizk_system_pressure_memory_waiting_seconds_total",
         "rizk_system_pressure_memory_stalled_seconds_total"},
        {"pressure/io", "rizk_system_pressure_io_waiting_seconds_total",
         "rizk_system_pressure_io_stalled_seconds_total"},
    };
    int first = 0;
    for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
        struct proc_pressure p;
        int rc = sys_read(c->proc, res[i].file, &c->buf);
        if (sys_is_absent(rc))
            continue;
        if (rc == 0)
            rc = parse_proc_pressure(buf_ptr(&c->buf), &p, NULL);
        if (rc < 0) {
            sys_first(&first, rc);
            continue;
        }
        sys_counter(out, res[i].waiting,
                    "Seconds during which at least one task waited for this resource (PSI some).",
                    (double)p.some.total / 1e6);
        if (p.has_full)
            sys_counter(out, res[i].stalled,
                        "Seconds during which all non-idle tasks stalled on this resource "
                        "(PSI full).",
                        (double)p.full.total / 1e6);
    }
    return first;
}

static int sys_netdev(struct col_system *c, struct sample_sink *out)
{
    static const struct {
        enum proc_netdev_col col;
        const char *name, *help;
    } cols[] = {
        {NETDEV_RX_BYTES, "rizk_system_network_receive_bytes_total", "Bytes received."},
        {NETDEV_RX_PACKETS, "rizk_system_network_receive_packets_total", "Packets received."},
        {NETDEV_RX_ERRS, "rizk_system_network_receive_errors_total", "Receive errors."},
        {NETDEV_RX_DROP, "rizk_system_network_receive_drops_total", "Received packets dropped."},
        {NETDEV_TX_BYTES, "rizk_system_network_transmit_bytes_total", "Bytes transmitted."},
        {NETDEV_TX_PACKETS, "rizk_system_network_transmit_packets_total", "Packets transmitted."},
        {NETDEV_TX_ERRS, "rizk_system_network_transmit_errors_total", "Transmit errors."},
        {NETDEV_TX_DROP, "rizk_system_network_transmit_drops_total",
         "Transmitted packets dropped."},
    };
    int rc = sys_read(c->proc, "net/dev", &c->buf);
    if (rc == 0)
        rc = parse_proc_netdev(buf_ptr(&c->buf), &c->netdev, NULL);
    if (rc < 0)
        return rc;
    /* Family by family, so each family's samples are contiguous in the set. */
    for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
        for (unsigned i = 0; i < c->netdev.nifs; i++) {
            const struct proc_netdev_if *ifc = &c->netdev.ifs[i];
            struct label l = {"device", ifc->name};
            (void)sink_counter(out, cols[k].name, cols[k].help, &l, 1, (double)ifc->v[cols[k].col]);
        }
    }
    return 0;
}

static void sys_tcp_states(struct sample_sink *out, const struct proc_nettcp *sum)
{
    /* Emit every state, zeros included, so a dashboard's series do not come and go. */
    for (unsigned st = PROC_TCP_ESTABLISHED; st < PROC_TCP_STATES; st++) {
        struct label l = {"state", proc_tcp_state_name(st)};
        (void)sink_gauge(out, "rizk_system_tcp_connections",
                         "TCP sockets by state, IPv4 and IPv6 (counted every "
                         "--system.tcp-interval).",
                         &l, 1, (double)sum->by_state[st]);
    }
}

/* sys_tcp_count counts the sockets into *sum and says in *counted whether it could (IPv4 at
 * least: a tcp6 failure after tcp worked is reported but keeps the IPv4 count). On the real
 * /proc it asks the kernel over netlink: /proc/net/tcp walks the whole hash table and formats
 * every socket (milliseconds per read on big nodes). Fixture or host roots are read as files. */
static int sys_tcp_count(struct col_system *c, struct proc_nettcp *sum, bool *counted)
{
    struct proc_nettcp one;
    *sum = (struct proc_nettcp){0};
    *counted = false;
    if (c->proc_is_self && sockdiag_tcp_count(c->app_port, sum) == 0) {
        *counted = true;
        return 0;
    }
    *sum = (struct proc_nettcp){0};
    int rc = sys_read(c->proc, "net/tcp", &c->tcp);
    if (rc == 0)
        rc = parse_proc_nettcp(buf_ptr(&c->tcp), c->app_port, sum, NULL);
    if (rc < 0)
        return rc;
    *counted = true;
    /* tcp6 is absent when IPv6 is disabled. */
    int rc6 = sys_read(c->proc, "net/tcp6", &c->tcp);
    if (rc6 == 0)
        rc6 = parse_proc_nettcp(buf_ptr(&c->tcp), c->app_port, &one, NULL);
    if (rc6 == 0)
        proc_nettcp_add(sum, &one);
    return rc6 == -ENOENT ? 0 : rc6;
}

static int sys_tcp(struct col_system *c, struct sample_sink *out)
{
    int64_t now = clock_mono_ms();
    int rc = 0;
    if (!c->tcp_have || now - c->tcp_at_ms >= c->tcp_every_ms - c->tcp_slack_ms) {
        struct proc_nettcp sum;
        bool counted;
        rc = sys_tcp_count(c, &sum, &counted);
        if (counted) {
            c->tcp_last = sum;
            c->tcp_at_ms = now;
            c->tcp_have = true;
            /* The active-connections fallback reuses this count rather than reading the
             * sockets twice; it gets a sample only when counted, so its history is true. */
            if (c->app_port != 0)
                sink_history(out, HS_APP_PORT_CONNECTIONS, (double)sum.established_on_port);
        } else {
            c->tcp_have = false;
        }
    }
    if (c->tcp_have)
        sys_tcp_states(out, &c->tcp_last);
    return rc;
}

/* sys_process emits the standard process_* metrics of this daemon. They describe THIS process,
 * so they are read from the real /proc/self, never from --path.procfs: that root may be the
 * host's /proc (whose "self" is still us only by accident of the mount) or a fixture tree. The
 * boot time they need is likewise the real one, read once in init. */
static int sys_process(struct col_system *c, struct sample_sink *out)
{
    struct proc_pid_stat ps;
    struct proc_pid_limits lim;
    long fds;
    int rc = sys_read(c->self, "self/stat", &c->buf);
    if (rc == 0)
        rc = parse_proc_pid_stat(buf_ptr(&c->buf), &ps, NULL);
    if (rc < 0)
        return rc;
    sys_counter(out, "process_cpu_seconds_total",
                "Total user and system CPU time spent in seconds.",
                (double)(ps.utime + ps.stime) / c->clk_tck);
    sys_gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
              (double)ps.rss * c->page_size);
    sys_gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
              (double)ps.vsize);
    if (c->self_btime > 0)
        sys_gauge(out, "process_start_time_seconds",
                  "Start time of the process since unix epoch in seconds.",
                  c->self_btime + (double)ps.starttime / c->clk_tck);
    sys_gauge(out, "process_threads", "Number of OS threads in the process.",
              (double)ps.num_threads);

    rc = fsroot_count_entries(c->self, "self/fd", &fds);
    if (rc == 0)
        sys_gauge(out, "process_open_fds", "Number of open file descriptors.", (double)fds);
    int rc2 = sys_read(c->self, "self/limits", &c->buf);
    if (rc2 == 0)
        rc2 = parse_proc_pid_limits(buf_ptr(&c->buf), &lim, NULL);
    if (rc2 == 0 && lim.has_open_files)
        sys_gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
                  (double)lim.open_files_soft);
    /* "unlimited" is 2^64-1, as client_golang exports it. */
    if (rc2 == 0 && lim.has_address_space)
        sys_gauge(out, "process_virtual_memory_max_bytes",
                  "Maximum amount of virtual memory available in bytes.",
                  (double)lim.address_space_soft);
    return rc < 0 ? rc : rc2;
}

static int col_system_collect(void *ctx, struct sample_sink *out)
{
    struct col_system *c = ctx;
    int rc = 0;
    int rc_stat = sys_stat(c, out);
    int rc_mem = sys_meminfo(c, out);
    sys_first(&rc, rc_stat);
    sys_first(&rc, rc_mem);
    sys_first(&rc, sys_loadavg(c, out));
    sys_first(&rc, sys_pressure(c, out));
    sys_first(&rc, sys_netdev(c, out));
    sys_first(&rc, sys_tcp(c, out));
    sys_first(&rc, sys_process(c, out));
    /* The node signals need /proc/stat and /proc/meminfo; the rest is detail. */
    sink_source(out, "system", rc_stat == 0 && rc_mem == 0);
    return rc;
}

static void col_system_destroy(void *ctx)
{
    struct col_system *c = ctx;
    if (c == NULL)
        return;
    buf_fini(&c->tcp);
    buf_fini(&c->buf);
    fsroot_free(c->self);
    fsroot_free(c->proc);
    free(c);
}

/* sys_self_btime reads btime from the real /proc/stat. It only moves when the wall clock is
 * stepped, and process_start_time_seconds should not jump with it, so once is enough. */
static double sys_self_btime(struct col_system *c)
{
    int rc = sys_read(c->self, "stat", &c->buf);
    if (rc == 0)
        rc = parse_proc_stat(buf_ptr(&c->buf), &c->stat, NULL);
    return (rc == 0 && c->stat.has_btime) ? (double)c->stat.btime : 0;
}

/* sys_same_dir tells whether two paths name the same directory (same device and inode). */
static bool sys_same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static int col_system_init(const struct config *cfg, void **ctx)
{
    struct col_system *c = xcalloc(1, sizeof(*c));
    buf_init(&c->buf, SYS_BUF_CAP);
    buf_init(&c->tcp, SYS_TCP_BUF_CAP);
    const char *procfs = (cfg != NULL && cfg->path_procfs != NULL) ? cfg->path_procfs : "/proc";
    int rc = fsroot_open(procfs, &c->proc);
    if (rc < 0)
        goto fail;
    rc = fsroot_open("/proc", &c->self);
    if (rc < 0)
        goto fail;
    long tck = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    c->clk_tck = tck > 0 ? (double)tck : 100.0;
    c->page_size = page > 0 ? (double)page : 4096.0;
    c->self_btime = sys_self_btime(c);
    c->proc_is_self = sys_same_dir(procfs, "/proc");
    c->app_port = cfg != NULL ? (unsigned)cfg->app_port : 0;
    c->tcp_every_ms = cfg != NULL ? cfg->system_tcp_interval_ms : 0;
    if (cfg != NULL && c->tcp_every_ms > cfg->signals_window_ms / 2)
        c->tcp_every_ms = cfg->signals_window_ms / 2;
    c->tcp_slack_ms = cfg != NULL ? cfg->history_interval_ms / 2 : 0;
    *ctx = c;
    return 0;
fail:
    col_system_destroy(c);
    return rc;
}

const struct collector_type col_system_type = {
    .name = "system",
    .help = "Node CPU, memory, load, pressure, network and TCP metrics from /proc, and process_*",
    .default_enabled = true,
    .init = col_system_init,
    .collect = col_system_collect,
    .destroy = col_system_destroy,
};
