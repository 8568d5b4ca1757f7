/* Duration histogram: fixed classic DefBuckets plus a native histogram kept as two sorted
 * arrays of (index, count), one per sign, which are also the exported form. Inserting a new
 * index is a memmove over at most DHIST_MAX_BUCKETS entries: new buckets are rare next to
 * increments of existing ones, and the arrays stay small and contiguous. */
#include "store/dhist.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

/* 2^(j/256 - 1) for j = 0..255, each the correctly rounded double (computed with 60 decimal
 * digits): the lower bounds of the frexp fraction for schema 8. Schema s > 0 uses every
 * 2^(8-s)-th entry, which are exactly client_golang's nativeHistogramBounds[s]. A literal table,
 * not exp2() at run time, so the bucket of a value does not depend on the libm. */
static const double dhist_frac_bounds[256] = {
    0.5,
    0.5013556375251013,
    0.5027149505564014,
    0.5040779490592088,
    0.5054446430258502,
    0.5068150424757447,
    0.5081891574554765,
    0.509566998038869,
    0.5109485743270583,
    0.5123338964485679,
    0.5137229745593819,
    0.5151158188430205,
    0.5165124395106142,
    0.5179128468009786,
    0.5193170509806894,
    0.520725062344158,
    0.5221368912137069,
    0.5235525479396449,
    0.5249720429003436,
    0.5263953865023132,
    0.5278225891802786,
    0.5292536613972564,
    0.530688613644631,
    0.5321274564422322,
    0.5335702003384118,
    0.5350168559101209,
    0.5364674337629878,
    0.5379219445313955,
    0.5393803988785599,
    0.5408428074966076,
    0.5423091811066546,
    0.5437795304588848,
    0.5452538663326288,
    0.5467321995364429,
    0.5482145409081884,
    0.549700901315111,
    0.5511912916539204,
    0.5526857228508706,
    0.5541842058618394,
    0.5556867516724088,
    0.5571933712979462,
    0.5587040757836846,
    0.5602188762048034,
    0.56173778366651,
    0.5632608093041209,
    0.564787964283144,
    0.5663192597993596,
    0.5678547070789027,
    0.5693943173783458,
    0.5709381019847808,
    0.5724860722159021,
    0.5740382394200895,
    0.5755946149764913,
    0.577155210295108,
    0.5787200368168756,
    0.5802891060137494,
    0.5818624293887887,
    0.5834400184762408,
    0.5850218848416251,
    0.5866080400818187,
    0.5881984958251406,
    0.5897932637314379,
    0.5913923554921705,
    0.5929957828304969,
    0.5946035575013605,
    0.5962156912915756,
    0.5978321960199137,
    0.5994530835371903,
    0.6010783657263515,
    0.6027080545025619,
    0.6043421618132908,
    0.6059806996384006,
    0.6076236799902345,
    0.6092711149137042,
    0.6109230164863788,
    0.6125793968185728,
    0.614240268053435,
    0.6159056423670379,
    0.6175755319684667,
    0.6192499490999083,
    0.620928906036742,
    0.622612415087629,
    0.6243004885946024,
    0.6259931389331581,
    0.6276903785123455,
    0.6293922197748583,
    0.6310986751971254,
    0.6328097572894031,
    0.6345254785958666,
    0.6362458516947014,
    0.637970889198196,
    0.6397006037528347,
    0.6414350080393891,
    0.6431741147730128,
    0.6449179367033329,
    0.6466664866145447,
    0.6484197773255048,
    0.6501778216898253,
    0.6519406325959679,
    0.6537082229673387,
    0.6554806057623822,
    0.6572577939746773,
    0.659039800633032,
    0.6608266388015788,
    0.6626183215798707,
    0.6644148621029772,
    0.6662162735415808,
    0.6680225691020729,
    0.6698337620266515,
    0.6716498655934177,
    0.6734708931164729,
    0.6752968579460172,
    0.6771277734684463,
    0.6789636531064506,
    0.6808045103191124,
    0.682650358602006,
    0.6845012114872953,
    0.6863570825438342,
    0.6882179853772651,
    0.690083933630119,
    0.691954940981916,
    0.6938310211492645,
    0.6957121878859631,
    0.6975984549831001,
    0.6994898362691556,
    0.7013863456101024,
    0.7032879969095077,
    0.7051948041086353,
    0.7071067811865476,
    0.7090239421602076,
    0.7109463010845828,
    0.7128738720527471,
    0.714806669195985,
    0.7167447066838945,
    0.7186879987244912,
    0.7206365595643128,
    0.7225904034885233,
    0.7245495448210175,
    0.7265139979245263,
    0.7284837772007219,
    0.7304588970903235,
    0.7324393720732029,
    0.7344252166684909,
    0.7364164454346838,
    0.7384130729697497,
    0.7404151139112359,
    0.7424225829363762,
    0.7444354947621985,
    0.7464538641456324,
    0.7484777058836177,
    0.7505070348132128,
    0.7525418658117032,
    0.7545822137967114,
    0.7566280937263049,
    0.7586795205991074,
    0.7607365094544073,
    0.7627990753722692,
    0.7648672334736435,
    0.766940998920478,
    0.7690203869158284,
    0.7711054127039704,
    0.7731960915705107,
    0.7752924388425,
    0.7773944698885443,
    0.7795022001189185,
    0.7816156449856788,
    0.7837348199827765,
    0.7858597406461707,
    0.7879904225539432,
    0.7901268813264123,
    0.7922691326262469,
    0.794417192158582,
    0.7965710756711335,
    0.7987307989543135,
    0.8008963778413467,
    0.8030678282083855,
    0.8052451659746271,
    0.8074284071024304,
    0.8096175675974319,
    0.8118126635086644,
    0.8140137109286739,
    0.8162207259936375,
    0.8184337248834822,
    0.8206527238220032,
    0.8228777390769825,
    0.8251087869603089,
    0.8273458838280972,
    0.8295890460808081,
    0.8318382901633682,
    0.8340936325652912,
    0.8363550898207983,
    0.8386226785089392,
    0.8408964152537145,
    0.8431763167241967,
    0.8454623996346526,
    0.8477546807446663,
    0.8500531768592617,
    0.8523579048290256,
    0.8546688815502315,
    0.856986123964963,
    0.859309649061239,
    0.861639473873137,
    0.8639756154809188,
    0.8663180910111555,
    0.8686669176368531,
    0.8710221125775782,
    0.8733836930995845,
    0.8757516765159391,
    0.8781260801866497,
    0.880506921518792,
    0.8828942179666364,
    0.8852879870317774,
    0.8876882462632606,
    0.8900950132577122,
    0.8925083056594675,
    0.8949281411607005,
    0.8973545375015536,
    0.8997875124702676,
    0.902227083903312,
    0.904673269685516,
    0.9071260877501994,
    0.9095855560793042,
    0.9120516927035267,
    0.9145245157024486,
    0.9170040432046712,
    0.9194902933879469,
    0.921983284479313,
    0.9244830347552254,
    0.9269895625416927,
    0.9295028862144102,
    0.9320230241988945,
    0.9345499949706193,
    0.93708381705515,
    0.9396245090282801,
    0.9421720895161673,
    0.9447265771954696,
    0.9472879907934828,
    0.9498563490882777,
    0.9524316709088371,
    0.9550139751351949,
    0.9576032806985737,
    0.9601996065815237,
    0.9628029718180625,
    0.9654133954938136,
    0.9680308967461472,
    0.9706554947643202,
    0.9732872087896166,
    0.9759260581154892,
    0.9785720620877001,
    0.9812252401044637,
    0.9838856116165879,
    0.9865531961276172,
    0.9892280131939755,
    0.9919100824251097,
    0.9945994234836332,
    0.9972960560854701,
};

struct dhist_side {
    struct native_bucket *b; /* ascending index, every count > 0 */
    size_t n;
    size_t cap;
};

struct dhist {
    double *bounds; /* DHIST_NBOUNDS classic upper bounds (heap: exported as double *) */
    uint64_t *cum;  /* cumulative classic counts */
    uint64_t count;
    double sum;
    int32_t schema;
    size_t max_buckets;
    uint64_t zero_count;
    struct dhist_side pos;
    struct dhist_side neg;
    bool classic_only; /* set by dhist_add_buckets: the native part is no longer exported */
};

/* ceil(k / 2^s) for s >= 0, written without shifting a negative number (implementation-defined
 * in C) and without '/', which truncates toward zero: the bug client_golang <= 1.15 had. */
static int64_t dhist_ceil_shift(int64_t k, int s)
{
    if (k >= 0)
        return (k + ((int64_t)1 << s) - 1) >> s;
    return -((-k) >> s);
}

int32_t dhist_index(int32_t schema, double v)
{
    RIZK_ASSERT(schema >= HISTOGRAM_SCHEMA_MIN && schema <= HISTOGRAM_SCHEMA_MAX);
    double a = fabs(v);
    bool inf = isinf(a);
    if (inf)
        a = DBL_MAX;
    RIZK_ASSERT(a > 0);
    int e = 0;
    double f = frexp(a, &e); /* a = f * 2^e, f in [0.5, 1) */
    int64_t key;
    if (schema > 0) {
        size_t n = (size_t)1 << schema;
        size_t stride = 256 >> schema;
        size_t lo = 0, hi = n; /* smallest j with bound_j >= f, n when f is above them all */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (dhist_frac_bounds[mid * stride] >= f)
                hi = mid;
            else
                lo = mid + 1;
        }
        key = (int64_t)(e - 1) * (int64_t)n + (int64_t)lo;
    } else {
        int64_t k = f == 0.5 ? e - 1 : e; /* ceil(log2 a) */
        key = dhist_ceil_shift(k, -schema);
    }
    if (inf)
        key++;
    return (int32_t)key;
}

int dhist_new_schema(int32_t schema, size_t max_buckets, struct dhist **out)
{
    if (schema < HISTOGRAM_SCHEMA_MIN || schema > HISTOGRAM_SCHEMA_MAX || max_buckets < 1)
        return -EINVAL;
    static const double def_bounds[DHIST_NBOUNDS] = DHIST_BOUNDS;
    struct dhist *h = xcalloc(1, sizeof(*h));
    h->bounds = xmalloc(sizeof(def_bounds));
    memcpy(h->bounds, def_bounds, sizeof(def_bounds));
    h->cum = xcalloc(DHIST_NBOUNDS, sizeof(*h->cum));
    h->schema = schema;
    h->max_buckets = max_buckets;
    *out = h;
    return 0;
}

int dhist_new(struct dhist **out)
{
    return dhist_new_schema(DHIST_SCHEMA, DHIST_MAX_BUCKETS, out);
}

static void dhist_side_fini(struct dhist_side *s)
{
    free(s->b);
    memset(s, 0, sizeof(*s));
}

void dhist_free(struct dhist *h)
{
    if (h == NULL)
        return;
    dhist_side_fini(&h->pos);
    dhist_side_fini(&h->neg);
    free(h->cum);
    free(h->bounds);
    free(h);
}

/* dhist_side_add adds n to bucket key, creating it in order when absent. */
static void dhist_side_add(struct dhist_side *s, int32_t key, uint64_t n)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->b[mid].index < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n && s->b[lo].index == key) {
        s->b[lo].count += n;
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->b = xreallocarray(s->b, s->cap, sizeof(*s->b));
    }
    memmove(&s->b[lo + 1], &s->b[lo], (s->n - lo) * sizeof(*s->b));
    s->b[lo].index = key;
    s->b[lo].count = n;
    s->n++;
}

/* dhist_side_halve re-indexes a side for schema - 1: bucket i becomes ceil(i / 2), so buckets
 * 2j-1 and 2j merge into j; order is kept, so merging is one in-place pass. */
static void dhist_side_halve(struct dhist_side *s)
{
    size_t w = 0;
    for (size_t r = 0; r < s->n; r++) {
        int32_t key = (int32_t)dhist_ceil_shift(s->b[r].index, 1);
        if (w > 0 && s->b[w - 1].index == key) {
            s->b[w - 1].count += s->b[r].count;
        } else {
            s->b[w].index = key;
            s->b[w].count = s->b[r].count;
            w++;
        }
    }
    s->n = w;
}

static void dhist_limit(struct dhist *h)
{
    while ((h->pos.n > h->max_buckets || h->neg.n > h->max_buckets) &&
           h->schema > HISTOGRAM_SCHEMA_MIN) {
        dhist_side_halve(&h->pos);
        dhist_side_halve(&h->neg);
        h->schema--;
    }
}

void dhist_observe(struct dhist *h, double v, uint64_t n)
{
    if (n == 0)
        return;
    h->count += n;
    h->sum += v * (double)n;
    if (isnan(v))
        return; /* in count and sum only, as client_golang does */
    for (size_t i = 0; i < DHIST_NBOUNDS; i++)
        if (v <= h->bounds[i])
            h->cum[i] += n;
    if (h->classic_only)
        return;
    if (fabs(v) <= DHIST_ZERO_THRESHOLD) {
        h->zero_count += n;
        return;
    }
    int32_t key = dhist_index(h->schema, v);
    dhist_side_add(v > 0 ? &h->pos : &h->neg, key, n);
    dhist_limit(h);
}

/* dhist_map_bounds sets, for each of our bounds B, mapped = the given cumulative count at the
 * largest given bound <= B (0 when there is none): each given bucket lands in the smallest of
 * ours that contains it. Both lists ascend, so one merge pass. Returns whether every one of our
 * bounds was among the given ones (then the mapping is exact). */
static bool dhist_map_bounds(const struct dhist *h, const double *bounds, const uint64_t *cum,
                             size_t nb, uint64_t mapped[DHIST_NBOUNDS])
{
    bool exact = true;
    size_t j = 0; /* given bounds [0, j) are <= the current bound of ours */
    for (size_t k = 0; k < DHIST_NBOUNDS; k++) {
        while (j < nb && bounds[j] <= h->bounds[k])
            j++;
        mapped[k] = j > 0 ? cum[j - 1] : 0;
        if (j == 0 || bounds[j - 1] != h->bounds[k])
            exact = false;
    }
    return exact;
}

static bool dhist_buckets_valid(const double *bounds, const uint64_t *cum, size_t nb,
                                uint64_t count)
{
    if (nb > 0 && (bounds == NULL || cum == NULL))
        return false;
    for (size_t i = 0; i < nb; i++) {
        if (isnan(bounds[i]) || cum[i] > count)
            return false;
        if (isinf(bounds[i]) && (bounds[i] < 0 || i != nb - 1 || cum[i] != count))
            return false;
        if (i > 0 && (!(bounds[i] > bounds[i - 1]) || cum[i] < cum[i - 1]))
            return false;
    }
    return true;
}

int dhist_add_buckets(struct dhist *h, const double *bounds, const uint64_t *cum_counts, size_t nb,
                      uint64_t count, double sum)
{
    uint64_t mapped[DHIST_NBOUNDS];
    if (!dhist_buckets_valid(bounds, cum_counts, nb, count))
        return -EINVAL;
    if (count == 0)
        return 0; /* nothing observed: the native part stays truthful */
    bool exact = dhist_map_bounds(h, bounds, cum_counts, nb, mapped);
    for (size_t k = 0; k < DHIST_NBOUNDS; k++)
        h->cum[k] += mapped[k];
    h->count += count;
    h->sum += sum;
    h->classic_only = true;
    h->zero_count = 0;
    dhist_side_fini(&h->pos);
    dhist_side_fini(&h->neg);
    return exact ? 0 : DHIST_FOLDED;
}

void dhist_export(const struct dhist *h, struct histogram *out)
{
    memset(out, 0, sizeof(*out));
    out->nbuckets = DHIST_NBOUNDS;
    out->bounds = h->bounds;
    out->counts = h->cum;
    out->count = h->count;
    out->sum = h->sum;
    if (h->classic_only)
        return;
    out->has_native = true;
    out->schema = h->schema;
    out->zero_threshold = DHIST_ZERO_THRESHOLD;
    out->zero_count = h->zero_count;
    out->npositive = h->pos.n;
    out->positive = h->pos.b;
    out->nnegative = h->neg.n;
    out->negative = h->neg.b;
}

uint64_t dhist_count(const struct dhist *h)
{
    return h->count;
}

double dhist_sum(const struct dhist *h)
{
    return h->sum;
}

int32_t dhist_schema(const struct dhist *h)
{
    return h->schema;
}
