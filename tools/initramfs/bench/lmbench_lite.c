/* lmbench_lite: lmbench-style operating-system micro-benchmarks and the
 * generators and timer for two whole workloads, for Vireo's Linux
 * benchmark (bench/linux_bench.py; run by tools/initramfs/tests/bench.sh).
 *
 * Every figure is printed as one machine-readable line,
 *   bench: <name> <median> <unit> (min <x> max <y>, <reps>x<iterations>)
 * where the median is over <reps> repetitions of <iterations> operations,
 * each timed with clock_gettime(CLOCK_MONOTONIC).
 *
 * Usage:
 *   lmbench_lite micro [PERCENT]         the micro-benchmarks; PERCENT scales
 *                                        every iteration count (default 100)
 *   lmbench_lite gendata FILE MIB        MIB MiB of compressible pseudo-random text
 *   lmbench_lite gentree DIR FILES       a two-level tree of FILES small files
 *   lmbench_lite time NAME REPS COMMAND  runs /bin/sh -c COMMAND REPS times,
 *                                        prints the median wall time in seconds
 *   lmbench_lite clock                   prints CLOCK_MONOTONIC in seconds
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPS 5
#define MAX_REPS 64
#define PAGE 4096

static const char *exec_target = "/bin/true";

static void die(const char *what)
{
    fprintf(stderr, "lmbench_lite: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prints the median of v[0..n) (sorted in place) scaled by 'scale'. */
static void report(const char *name, double *v, int n, double scale, const char *unit, long iters)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("bench: %s %.4g %s (min %.4g max %.4g, %dx%ld)\n", name, med * scale, unit, v[0] * scale,
           v[n - 1] * scale, n, iters);
    fflush(stdout);
}

/* One benchmark: run(iters) does iters operations and returns the seconds
 * they took; the figure is the median over REPS runs, per operation. */
typedef double (*bench_fn)(long iters);

static void bench(const char *name, bench_fn run, long iters)
{
    double t[REPS];
    run(iters / 10 > 0 ? iters / 10 : 1); /* warm caches, page tables and TLBs */
    for (int r = 0; r < REPS; ++r)
        t[r] = run(iters) / (double)iters;
    report(name, t, REPS, 1e6, "us", iters);
}

static double null_syscall(long iters)
{
    double t0 = now();
    for (long i = 0; i < iters; ++i)
        syscall(SYS_getppid);
    return now() - t0;
}

static double fork_exit(long iters)
{
    double t0 = now();
    for (long i = 0; i < iters; ++i) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0)
            _exit(0);
        if (waitpid(pid, NULL, 0) != pid)
            die("waitpid");
    }
    return now() - t0;
}

static double fork_exec(long iters)
{
    double t0 = now();
    for (long i = 0; i < iters; ++i) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            execl(exec_target, exec_target, (char *)NULL);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid)
            die("waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "lmbench_lite: %s failed (status %#x)\n", exec_target, status);
            exit(1);
        }
    }
    return now() - t0;
}

/* Two processes pass one byte back and forth over two pipes; one round
 * trip is two context switches (one CPU), two writes and two reads. */
static double pipe_roundtrip(long iters)
{
    int ping[2], pong[2];
    char c = 'x';
    if (pipe(ping) || pipe(pong))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(ping[1]); /* so that the parent's close ends the loop */
        close(pong[0]);
        for (;;) {
            if (read(ping[0], &c, 1) != 1)
                _exit(0);
            if (write(pong[1], &c, 1) != 1)
                _exit(1);
        }
    }
    close(ping[0]);
    close(pong[1]);
    double t0 = now();
    for (long i = 0; i < iters; ++i) {
        if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
            die("pipe ping-pong");
    }
    double t = now() - t0;
    close(ping[1]);
    close(pong[0]);
    waitpid(pid, NULL, 0);
    return t;
}

/* Touches each page of a fresh anonymous mapping: one fault (and one zeroed
 * page) per page. 'iters' is the number of pages; mmap and munmap are not
 * timed. */
static double page_fault(long iters)
{
    size_t len = (size_t)iters * PAGE;
    volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap");
    double t0 = now();
    for (size_t off = 0; off < len; off += PAGE)
        p[off] = 1;
    double t = now() - t0;
    munmap((void *)p, len);
    return t;
}

/* As lmbench's lat_mmap: map 1 MiB of a (tmpfs) file shared, write a byte
 * every 16 KiB in its first tenth, unmap. The pages stay in the page cache,
 * so this times mapping, PTE set-up and tear-down, not zeroing. */
#define MMAP_LEN (1 << 20)
static int mmap_fd = -1;

static double mmap_munmap(long iters)
{
    double t0 = now();
    for (long i = 0; i < iters; ++i) {
        char *p = mmap(NULL, MMAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mmap_fd, 0);
        if (p == MAP_FAILED)
            die("mmap");
        for (char *q = p; q < p + MMAP_LEN / 10; q += 16 << 10)
            *q = (char)i;
        if (munmap(p, MMAP_LEN))
            die("munmap");
    }
    return now() - t0;
}

static int micro(int percent)
{
    struct {
        const char *name;
        bench_fn run;
        long iters;
    } const list[] = {
        {"null_syscall", null_syscall, 20000},
        {"fork_exit", fork_exit, 200},
        {"fork_exec", fork_exec, 100},
        {"pipe_roundtrip", pipe_roundtrip, 5000},
        {"page_fault", page_fault, 4096},
        {"mmap_munmap_1M", mmap_munmap, 500},
    };
    char path[] = "/tmp/lmbench_lite.XXXXXX";
    mmap_fd = mkstemp(path);
    if (mmap_fd < 0)
        die("mkstemp");
    unlink(path);
    if (ftruncate(mmap_fd, MMAP_LEN))
        die("ftruncate");
    for (size_t i = 0; i < sizeof list / sizeof list[0]; ++i) {
        long iters = list[i].iters * percent / 100;
        bench(list[i].name, list[i].run, iters > 0 ? iters : 1);
    }
    close(mmap_fd);
    return 0;
}

/* xorshift64*: fast, deterministic, the same data on every machine. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* Text made of words from a random 4096-word vocabulary, picked with a
 * skew (short indices far likelier), so it compresses about as well as
 * prose (gzip -1: roughly 3:1) without being a repeated block. */
#define VOCAB 4096
static char vocab[VOCAB][12];
static unsigned char vocab_len[VOCAB];

static void make_vocab(void)
{
    for (int i = 0; i < VOCAB; ++i) {
        int n = 2 + (int)(rng() % 9);
        for (int j = 0; j < n; ++j)
            vocab[i][j] = (char)('a' + rng() % 26);
        vocab[i][n] = ' ';
        vocab_len[i] = (unsigned char)(n + 1);
    }
}

static size_t fill_text(char *buf, size_t len)
{
    size_t n = 0;
    while (n + 16 < len) {
        uint64_t r = rng();
        unsigned w = (unsigned)(r & (VOCAB - 1)) >> ((r >> 12) % 8); /* skewed */
        memcpy(buf + n, vocab[w], 12);
        n += vocab_len[w];
        if (((r >> 20) & 15) == 0)
            buf[n - 1] = '\n';
    }
    return n;
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0)
            die("write");
        buf += w;
        len -= (size_t)w;
    }
}

static int gendata(const char *file, long mib)
{
    static char buf[1 << 20];
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die(file);
    make_vocab();
    long long left = (long long)mib << 20;
    while (left > 0) {
        size_t chunk = left < (long long)sizeof buf ? (size_t)left : sizeof buf;
        size_t n = fill_text(buf, sizeof buf);
        while (n < chunk) /* pad the tail of the chunk */
            buf[n++] = '\n';
        write_all(fd, buf, chunk);
        left -= (long long)chunk;
    }
    if (close(fd))
        die("close");
    return 0;
}

/* DIR/dNN/fNNNNN: 'files' files spread over 50 directories, 256 B to
 * 8 KiB each (mean about 4 KiB). */
static int gentree(const char *dir, long files)
{
    static char buf[8192];
    char path[4096];
    make_vocab();
    if (mkdir(dir, 0755) && errno != EEXIST)
        die(dir);
    for (int d = 0; d < 50; ++d) {
        snprintf(path, sizeof path, "%s/d%02d", dir, d);
        if (mkdir(path, 0755) && errno != EEXIST)
            die(path);
    }
    for (long f = 0; f < files; ++f) {
        snprintf(path, sizeof path, "%s/d%02ld/f%05ld", dir, f % 50, f);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            die(path);
        size_t len = 256 + (size_t)(rng() % (sizeof buf - 256));
        fill_text(buf, sizeof buf);
        write_all(fd, buf, len);
        close(fd);
    }
    return 0;
}

static int time_command(const char *name, int reps, const char *command)
{
    double t[MAX_REPS];
    if (reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "lmbench_lite: reps must be 1 to %d\n", MAX_REPS);
        return 2;
    }
    for (int r = 0; r < reps; ++r) {
        double t0 = now();
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            execl("/bin/sh", "sh", "-c", command, (char *)NULL);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid)
            die("waitpid");
        t[r] = now() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "lmbench_lite: '%s' failed (status %#x)\n", command, status);
            return 1;
        }
    }
    report(name, t, reps, 1, "s", 1);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && !strcmp(argv[1], "micro"))
        return micro(argc >= 3 ? atoi(argv[2]) : 100);
    if (argc == 4 && !strcmp(argv[1], "gendata"))
        return gendata(argv[2], atol(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "gentree"))
        return gentree(argv[2], atol(argv[3]));
    if (argc == 5 && !strcmp(argv[1], "time"))
        return time_command(argv[2], atoi(argv[3]), argv[4]);
    if (argc == 2 && !strcmp(argv[1], "clock")) {
        printf("%.6f\n", now());
        return 0;
    }
    fprintf(stderr, "usage: lmbench_lite micro [PERCENT] | gendata FILE MIB | gentree DIR FILES |\n"
                    "       time NAME REPS COMMAND | clock\n");
    return 2;
}
