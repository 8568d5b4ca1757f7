/* fuzz_replay: feeds every file of a corpus directory (recursively) to the same
 * LLVMFuzzerTestOneInput the fuzzer uses, so the corpus runs as a regression test under ctest
 * with any compiler. Exits non-zero when the directory is missing or empty. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 1 << 16, n = 0, r;
    uint8_t *p = malloc(cap);
    while (p != NULL && (r = fread(p + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            uint8_t *q = realloc(p, cap);
            if (q == NULL)
                break;
            p = q;
        }
    }
    fclose(f);
    if (p == NULL)
        return -1;
    LLVMFuzzerTestOneInput(p, n);
    free(p);
    return 0;
}

static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    long count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            long sub = replay_dir(path);
            if (sub > 0)
                count += sub;
        } else if (replay_file(path) == 0) {
            count++;
        }
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;
    for (int i = 1; i < argc; i++) {
        long n = replay_dir(argv[i]);
        if (n < 0) {
            fprintf(stderr, "cannot read corpus directory %s\n", argv[i]);
            return 1;
        }
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "empty corpus\n");
        return 1;
    }
    printf("replayed %ld inputs\n", total);
    return 0;
}
