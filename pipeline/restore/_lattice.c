/* The decoder's hot loop in C: trigram look-ups, the beam search and the local posteriors.
 *
 * `decoder.Decoder._search_python` is the reference: this module computes the same scores
 * with the same additions in the same order (doubles throughout), keeps the same states
 * (stable sort, same floor) and so returns the same path.  It is optional: setup.py builds
 * it when a C compiler is present, and the decoder falls back to Python without it.
 *
 * A trigram key packs three 21-bit word ids as (a << 42) | (b << 21) | c, as lm.py does.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BITS 21
#define MASK ((UINT64_C(1) << BITS) - 1)
#define EMPTY UINT64_MAX /* packed keys use at most 63 bits */
#define BOS 0
#define EOS 1

/* ---- open-addressing hash table: packed key -> double ------------------------------- */

typedef struct {
    uint64_t *keys;
    double *vals;
    uint64_t mask;
    int shift;
} Table;

static inline uint64_t slot_of(const Table *t, uint64_t key)
{
    return (key * UINT64_C(0x9E3779B97F4A7C15)) >> t->shift;
}

static int table_build(Table *t, const int64_t *keys, const double *vals, Py_ssize_t n)
{
    int bits = 4;
    while (((Py_ssize_t)1 << bits) < n + n / 2 + 16) /* load at most 2/3 */
        bits++;
    uint64_t size = UINT64_C(1) << bits;
    t->keys = malloc(size * sizeof(uint64_t));
    t->vals = malloc(size * sizeof(double));
    if (!t->keys || !t->vals)
        return -1;
    memset(t->keys, 0xFF, size * sizeof(uint64_t));
    t->mask = size - 1;
    t->shift = 64 - bits;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t key = (uint64_t)keys[i];
        uint64_t s = slot_of(t, key);
        while (t->keys[s] != EMPTY && t->keys[s] != key)
            s = (s + 1) & t->mask;
        t->keys[s] = key;
        t->vals[s] = vals[i];
    }
    return 0;
}

static inline int table_get(const Table *t, uint64_t key, double *out)
{
    uint64_t s = slot_of(t, key);
    for (;;) {
        uint64_t k = t->keys[s];
        if (k == key) {
            *out = t->vals[s];
            return 1;
        }
        if (k == EMPTY)
            return 0;
        s = (s + 1) & t->mask;
    }
}

static void table_free(Table *t)
{
    free(t->keys);
    free(t->vals);
    t->keys = NULL;
    t->vals = NULL;
}

/* ---- the language model ------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    Py_ssize_t vocab_size;
    double *uni;
    double *uni_bow;
    Table bi, tri, tribow;
    double unseen_bow;
} Lattice;

/* ln P(c | a b) exactly as TrigramLM.logp: the trigram, else the context's back-off
 * weight (or the unseen one) plus the bigram, else the bigram back-off plus the unigram. */
static inline double lm_logp(const Lattice *m, uint64_t a, uint64_t b, uint64_t c)
{
    double v, w, bow;
    uint64_t ab = (a << BITS) | b;
    if (table_get(&m->tri, (ab << BITS) | c, &v))
        return v;
    if (!table_get(&m->bi, (b << BITS) | c, &w))
        w = m->uni_bow[b] + m->uni[c];
    if (!table_get(&m->tribow, ab, &bow))
        bow = m->unseen_bow;
    return bow + w;
}

static int get_array(PyObject *obj, Py_buffer *view, char kind, Py_ssize_t *n)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    const char *fmt = view->format ? view->format : "B";
    if (*fmt == '<' || *fmt == '=' || *fmt == '@')
        fmt++;
    int ok = view->itemsize == 8 &&
             (kind == 'd' ? *fmt == 'd' : (*fmt == 'q' || *fmt == 'l'));
    if (!ok) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "expected a contiguous array of %s",
                     kind == 'd' ? "float64" : "int64");
        return -1;
    }
    *n = view->len / 8;
    return 0;
}

static void Lattice_clear(Lattice *self)
{
    free(self->uni);
    free(self->uni_bow);
    self->uni = self->uni_bow = NULL;
    table_free(&self->bi);
    table_free(&self->tri);
    table_free(&self->tribow);
}

static void Lattice_dealloc(Lattice *self)
{
    Lattice_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int ready(const Lattice *self)
{
    if (self->uni == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Lattice used before __init__");
        return 0;
    }
    return 1;
}

static int Lattice_init(Lattice *self, PyObject *args, PyObject *kwds)
{
    PyObject *objs[8];
    double unseen;
    static char *names[] = {"uni", "uni_bow", "bi_keys", "bi_logp", "tri_keys", "tri_logp",
                            "tribow_keys", "tribow", "unseen_bow", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOOd", names, &objs[0], &objs[1],
                                     &objs[2], &objs[3], &objs[4], &objs[5], &objs[6],
                                     &objs[7], &unseen))
        return -1;
    Py_buffer views[8];
    Py_ssize_t lens[8];
    const char kinds[8] = {'d', 'd', 'q', 'd', 'q', 'd', 'q', 'd'};
    int got = 0, rc = -1;
    Lattice_clear(self);
    for (; got < 8; got++)
        if (get_array(objs[got], &views[got], kinds[got], &lens[got]) < 0)
            goto done;
    if (lens[0] != lens[1] || lens[2] != lens[3] || lens[4] != lens[5] || lens[6] != lens[7]) {
        PyErr_SetString(PyExc_ValueError, "keys and values differ in length");
        goto done;
    }
    if (lens[0] < 2 || lens[0] > (Py_ssize_t)MASK) {
        PyErr_SetString(PyExc_ValueError, "vocabulary size out of range");
        goto done;
    }
    self->vocab_size = lens[0];
    self->uni = malloc(lens[0] * sizeof(double));
    self->uni_bow = malloc(lens[0] * sizeof(double));
    if (!self->uni || !self->uni_bow ||
        table_build(&self->bi, views[2].buf, views[3].buf, lens[2]) < 0 ||
        table_build(&self->tri, views[4].buf, views[5].buf, lens[4]) < 0 ||
        table_build(&self->tribow, views[6].buf, views[7].buf, lens[6]) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(self->uni, views[0].buf, lens[0] * sizeof(double));
    memcpy(self->uni_bow, views[1].buf, lens[0] * sizeof(double));
    self->unseen_bow = unseen;
    rc = 0;
done:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&views[i]);
    return rc;
}

static PyObject *Lattice_logp(Lattice *self, PyObject *args)
{
    unsigned long long a, b, c;
    if (!ready(self) || !PyArg_ParseTuple(args, "KKK", &a, &b, &c))
        return NULL;
    if (a >= (uint64_t)self->vocab_size || b >= (uint64_t)self->vocab_size ||
        c >= (uint64_t)self->vocab_size) {
        PyErr_SetString(PyExc_IndexError, "word id out of range");
        return NULL;
    }
    return PyFloat_FromDouble(lm_logp(self, a, b, c));
}

/* ---- beam search --------------------------------------------------------------------- */

typedef struct {
    uint64_t state; /* (a << 21) | b: the last two word ids */
    double score;
    int back;       /* index of the previous state in the previous beam */
    int k;          /* candidate picked at this position */
    int order;      /* insertion order, for a stable sort */
} Entry;

static int by_score(const void *x, const void *y)
{
    const Entry *p = x, *q = y;
    if (p->score > q->score)
        return -1;
    if (p->score < q->score)
        return 1;
    return p->order - q->order;
}

typedef struct {
    Py_ssize_t positions;
    Py_ssize_t *offsets; /* candidates of position t: offsets[t] .. offsets[t+1]-1 */
    uint64_t *ids;
    double *chans;
} Lattices;

static void lattices_free(Lattices *l)
{
    free(l->offsets);
    free(l->ids);
    free(l->chans);
}

/* Flatten `cands` (a list of sequences of word ids) and `chans` (the same shape, floats). */
static int lattices_read(Lattices *l, PyObject *cands, PyObject *chans, Py_ssize_t vocab)
{
    memset(l, 0, sizeof(*l));
    PyObject *cs = PySequence_Fast(cands, "candidates must be a sequence");
    if (!cs)
        return -1;
    PyObject *hs = PySequence_Fast(chans, "channel scores must be a sequence");
    if (!hs) {
        Py_DECREF(cs);
        return -1;
    }
    int rc = -1;
    Py_ssize_t T = PySequence_Fast_GET_SIZE(cs);
    if (PySequence_Fast_GET_SIZE(hs) != T) {
        PyErr_SetString(PyExc_ValueError, "candidates and channel scores differ in length");
        goto done;
    }
    l->positions = T;
    l->offsets = malloc((T + 1) * sizeof(Py_ssize_t));
    if (!l->offsets) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t t = 0; t < T; t++) {
        Py_ssize_t n = PySequence_Size(PySequence_Fast_GET_ITEM(cs, t));
        if (n < 1) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "a position without candidates");
            goto done;
        }
        l->offsets[t] = total;
        total += n;
    }
    l->offsets[T] = total;
    l->ids = malloc((total + 1) * sizeof(uint64_t));
    l->chans = malloc((total + 1) * sizeof(double));
    if (!l->ids || !l->chans) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < T; t++) {
        PyObject *ci = PySequence_Fast(PySequence_Fast_GET_ITEM(cs, t), "candidates");
        if (!ci)
            goto done;
        PyObject *hi = PySequence_Fast(PySequence_Fast_GET_ITEM(hs, t), "channel scores");
        if (!hi) {
            Py_DECREF(ci);
            goto done;
        }
        Py_ssize_t n = l->offsets[t + 1] - l->offsets[t];
        int bad = PySequence_Fast_GET_SIZE(ci) != n || PySequence_Fast_GET_SIZE(hi) != n;
        for (Py_ssize_t k = 0; k < n && !bad; k++) {
            long long id = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(ci, k));
            double ch = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(hi, k));
            if (PyErr_Occurred() || id < 0 || id >= vocab)
                bad = 1;
            l->ids[l->offsets[t] + k] = (uint64_t)id;
            l->chans[l->offsets[t] + k] = ch;
        }
        Py_DECREF(ci);
        Py_DECREF(hi);
        if (bad) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "bad candidate id or channel score");
            goto done;
        }
    }
    rc = 0;
done:
    Py_DECREF(cs);
    Py_DECREF(hs);
    return rc;
}

/* The next beam's entries, deduplicated by state through a small hash of indices. */
typedef struct {
    Entry *items;
    int count, capacity;
    int *slots;
    uint64_t mask;
} Frontier;

static int frontier_reset(Frontier *f, int needed)
{
    if (needed > f->capacity) {
        int cap = 64;
        while (cap < needed)
            cap *= 2;
        free(f->items);
        free(f->slots);
        f->items = malloc(cap * sizeof(Entry));
        f->slots = malloc(2 * cap * sizeof(int));
        if (!f->items || !f->slots)
            return -1;
        f->capacity = cap;
        f->mask = (uint64_t)(2 * cap - 1);
    }
    memset(f->slots, 0xFF, (f->mask + 1) * sizeof(int));
    f->count = 0;
    return 0;
}

static PyObject *Lattice_search(Lattice *self, PyObject *args)
{
    PyObject *cands, *chans;
    int width;
    double delta;
    if (!ready(self) || !PyArg_ParseTuple(args, "OOid", &cands, &chans, &width, &delta))
        return NULL;
    if (width < 1) {
        PyErr_SetString(PyExc_ValueError, "width must be at least 1");
        return NULL;
    }
    Lattices l;
    if (lattices_read(&l, cands, chans, self->vocab_size) < 0) {
        lattices_free(&l);
        return NULL;
    }
    Py_ssize_t T = l.positions;
    PyObject *result = NULL;
    Frontier f = {0};
    /* beams[t * width + i]: the states kept after position t */
    Entry *beams = malloc((T + 1) * (size_t)width * sizeof(Entry));
    uint64_t *path_ids = malloc((T + 4) * sizeof(uint64_t));
    int *picks = malloc((T + 1) * sizeof(int));
    double *scores = NULL;
    if (!beams || !path_ids || !picks) {
        PyErr_NoMemory();
        goto done;
    }
    Entry start = {((uint64_t)BOS << BITS) | BOS, 0.0, -1, -1, 0};
    const Entry *beam = &start;
    int nbeam = 1;
    Py_ssize_t most = 1;
    for (Py_ssize_t t = 0; t < T; t++) {
        Py_ssize_t off = l.offsets[t], nc = l.offsets[t + 1] - off;
        if (nc > most)
            most = nc;
        if (frontier_reset(&f, nbeam * (int)nc) < 0) {
            PyErr_NoMemory();
            goto done;
        }
        for (int i = 0; i < nbeam; i++) {
            uint64_t a = beam[i].state >> BITS, b = beam[i].state & MASK;
            for (Py_ssize_t k = 0; k < nc; k++) {
                uint64_t c = l.ids[off + k];
                double s = beam[i].score + lm_logp(self, a, b, c) + l.chans[off + k];
                uint64_t key = (b << BITS) | c;
                uint64_t h = (key * UINT64_C(0x9E3779B97F4A7C15)) >> 40 & f.mask;
                while (f.slots[h] >= 0 && f.items[f.slots[h]].state != key)
                    h = (h + 1) & f.mask;
                if (f.slots[h] < 0) {
                    Entry e = {key, s, i, (int)k, f.count};
                    f.slots[h] = f.count;
                    f.items[f.count++] = e;
                } else {
                    Entry *e = &f.items[f.slots[h]];
                    if (s > e->score) {
                        e->score = s;
                        e->back = i;
                        e->k = (int)k;
                    }
                }
            }
        }
        int n = f.count;
        if (n > width) {
            qsort(f.items, n, sizeof(Entry), by_score);
            n = width;
        }
        Entry *out = &beams[t * width];
        int m = 0;
        if (n > 1) {
            double top = f.items[0].score;
            for (int i = 1; i < n; i++)
                if (f.items[i].score > top)
                    top = f.items[i].score;
            double floor = top - delta;
            for (int i = 0; i < n; i++)
                if (f.items[i].score >= floor)
                    out[m++] = f.items[i];
        } else {
            out[m++] = f.items[0];
        }
        beam = out;
        nbeam = m;
    }
    /* the best end state, sentence end included (the first of equals, as `max` does) */
    int best = 0;
    double best_score = -INFINITY;
    for (int i = 0; i < nbeam; i++) {
        uint64_t a = beam[i].state >> BITS, b = beam[i].state & MASK;
        double s = beam[i].score + lm_logp(self, a, b, EOS);
        if (i == 0 || s > best_score) {
            best = i;
            best_score = s;
        }
    }
    for (Py_ssize_t t = T - 1; t >= 0; t--) {
        const Entry *e = &beams[t * width + best];
        picks[t] = e->k;
        best = e->back;
    }
    /* local posteriors: each position's candidates with the decoded neighbours fixed */
    path_ids[0] = path_ids[1] = BOS;
    for (Py_ssize_t t = 0; t < T; t++)
        path_ids[t + 2] = l.ids[l.offsets[t] + picks[t]];
    path_ids[T + 2] = path_ids[T + 3] = EOS;
    scores = malloc(most * sizeof(double));
    PyObject *path = PyTuple_New(T);
    PyObject *confs = PyList_New(T);
    if (!scores || !path || !confs) {
        Py_XDECREF(path);
        Py_XDECREF(confs);
        if (!scores)
            PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < T; t++) {
        Py_ssize_t off = l.offsets[t], nc = l.offsets[t + 1] - off;
        double conf = 1.0;
        if (nc > 1) {
            uint64_t p2 = path_ids[t], p1 = path_ids[t + 1];
            uint64_t n1 = path_ids[t + 3], n2 = path_ids[t + 4];
            double top = -INFINITY;
            for (Py_ssize_t k = 0; k < nc; k++) {
                uint64_t c = l.ids[off + k];
                double s = lm_logp(self, p2, p1, c) + lm_logp(self, p1, c, n1);
                s = s + lm_logp(self, c, n1, n2);
                s = s + l.chans[off + k];
                scores[k] = s;
                if (k == 0 || s > top)
                    top = s;
            }
            double total = 0.0;
            for (Py_ssize_t k = 0; k < nc; k++)
                total += exp(scores[k] - top);
            conf = exp(scores[picks[t]] - top) / total;
        }
        PyTuple_SET_ITEM(path, t, PyLong_FromLong(picks[t]));
        PyList_SET_ITEM(confs, t, PyFloat_FromDouble(conf));
    }
    result = Py_BuildValue("(NN)", path, confs);
done:
    lattices_free(&l);
    free(f.items);
    free(f.slots);
    free(beams);
    free(path_ids);
    free(picks);
    free(scores);
    return result;
}

/* ---- the OCR channel: best alignments of true syllables to one reading ----------------- */

#define NEG (-1e18) /* channel.py's _NEG: an unreachable cell absorbs any log-probability */
#define SLACK 1e-9  /* channel.py's _SLACK */
#define MAX_LEN 64

typedef struct {
    double key; /* bound + bonus: the order candidates are tried in */
    Py_ssize_t index;
} Trial;

static int by_key(const void *x, const void *y)
{
    const Trial *p = x, *q = y;
    if (p->key > q->key)
        return -1;
    if (p->key < q->key)
        return 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

typedef struct {
    double score; /* score + bonus */
    double raw;   /* the alignment's own log-probability */
    Py_ssize_t index;
} Found;

/* Whether `a` ranks before `b`: higher score, then the earlier index (as top_k's heap). */
static inline int before(const Found *a, const Found *b)
{
    return a->score > b->score || (a->score == b->score && a->index < b->index);
}

/* One true syllable's letters as rows of the emission table; -1 when a letter has none,
 * -2 when the syllable is longer than MAX_LEN. */
static int letter_rows(PyObject *true_str, const Py_UCS4 *codes, Py_ssize_t ncodes, int *rows,
                       Py_ssize_t *n)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(true_str);
    if (len > MAX_LEN)
        return -2;
    int kind = PyUnicode_KIND(true_str);
    const void *data = PyUnicode_DATA(true_str);
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        int row = -1;
        for (Py_ssize_t r = 0; r < ncodes; r++)
            if (codes[r] == ch) {
                row = (int)r;
                break;
            }
        if (row < 0)
            return -1;
        rows[i] = row;
    }
    *n = len;
    return 0;
}

/* The alignment DP of channel._bounded, abandoned (returns 0) once the score is sure to
 * be below `floor`; `bound` is the sum of the letters' best emissions. */
static int align(const double *em, Py_ssize_t m, const int *rows, Py_ssize_t n, double bound,
                 int has_floor, double floor, double *score)
{
    double a[MAX_LEN + 1], b[MAX_LEN + 1];
    double *row = a, *nxt = b;
    Py_ssize_t width = 2 * m + 4; /* drop, one[0..m], two[0..m], best */
    row[0] = 0.0;
    for (Py_ssize_t j = 1; j <= m; j++)
        row[j] = NEG;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double *e = em + rows[i] * width;
        double drop = e[0];
        const double *one = e + 1, *two = e + 2 + m;
        double p2 = NEG, p1 = NEG;
        for (Py_ssize_t j = 0; j <= m; j++) {
            double r = row[j];
            double v = r + drop, x = p1 + one[j];
            if (x > v)
                v = x;
            x = p2 + two[j];
            if (x > v)
                v = x;
            nxt[j] = v;
            p2 = p1;
            p1 = r;
        }
        double *tmp = row;
        row = nxt;
        nxt = tmp;
        Py_ssize_t left = n - i - 1;
        if (has_floor && left) {
            bound -= e[width - 1];
            Py_ssize_t lo = m - 2 * left;
            if (lo < 0)
                lo = 0;
            double top = row[lo];
            for (Py_ssize_t j = lo + 1; j <= m; j++)
                if (row[j] > top)
                    top = row[j];
            if (top + bound < floor)
                return 0;
        }
    }
    if (has_floor && row[m] < floor)
        return 0;
    *score = row[m];
    return 1;
}

static PyObject *align_top_k(PyObject *module, PyObject *args)
{
    PyObject *codes_obj, *em_obj, *trues_obj, *bonus_obj;
    Py_ssize_t m, k;
    PyObject *floor_obj;
    if (!PyArg_ParseTuple(args, "UOnOOnO", &codes_obj, &em_obj, &m, &trues_obj, &bonus_obj, &k,
                          &floor_obj))
        return NULL;
    if (m < 0 || k < 0)
        return PyErr_Format(PyExc_ValueError, "negative reading length or k");
    if (m > MAX_LEN)
        return Py_NewRef(Py_None);
    int has_min = floor_obj != Py_None;
    double min_score = has_min ? PyFloat_AsDouble(floor_obj) - SLACK : 0.0;
    if (has_min && PyErr_Occurred())
        return NULL;
    Py_ssize_t ncodes = PyUnicode_GET_LENGTH(codes_obj);
    Py_UCS4 *codes = PyUnicode_AsUCS4Copy(codes_obj);
    if (!codes)
        return NULL;
    Py_buffer em;
    if (PyObject_GetBuffer(em_obj, &em, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyMem_Free(codes);
        return NULL;
    }
    PyObject *result = NULL, *trues = NULL, *bonus = NULL;
    Trial *trials = NULL;
    double *bounds = NULL, *bonuses = NULL;
    int *rows = NULL;
    Py_ssize_t *lens = NULL;
    Found *heap = NULL;
    if (em.itemsize != 8 || !em.format || strchr(em.format, 'd') == NULL ||
        em.len / 8 != ncodes * (2 * m + 4)) {
        PyErr_SetString(PyExc_ValueError, "emission table does not match the reading");
        goto done;
    }
    const double *table = em.buf;
    trues = PySequence_Fast(trues_obj, "trues must be a sequence");
    bonus = trues ? PySequence_Fast(bonus_obj, "bonus must be a sequence") : NULL;
    if (!bonus)
        goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(trues);
    if (PySequence_Fast_GET_SIZE(bonus) != n) {
        PyErr_SetString(PyExc_ValueError, "trues and bonus differ in length");
        goto done;
    }
    trials = malloc((n + 1) * sizeof(Trial));
    bounds = malloc((n + 1) * sizeof(double));
    bonuses = malloc((n + 1) * sizeof(double));
    rows = malloc((n + 1) * MAX_LEN * sizeof(int));
    lens = malloc((n + 1) * sizeof(Py_ssize_t));
    heap = malloc((k + 1) * sizeof(Found));
    if (!trials || !bounds || !bonuses || !rows || !lens || !heap) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t width = 2 * m + 4;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PySequence_Fast_GET_ITEM(trues, i);
        if (!PyUnicode_Check(t)) {
            PyErr_SetString(PyExc_TypeError, "true strings must be str");
            goto done;
        }
        int got = letter_rows(t, codes, ncodes, rows + i * MAX_LEN, &lens[i]);
        if (got == -2) {
            result = Py_NewRef(Py_None); /* too long for the C core: the caller aligns */
            goto done;
        }
        if (got < 0) {
            if (PyErr_Occurred())
                goto done;
            result = Py_NewRef(Py_None); /* a letter without emissions: the caller aligns */
            goto done;
        }
        double bound = 0.0;
        for (Py_ssize_t j = 0; j < lens[i]; j++)
            bound += table[rows[i * MAX_LEN + j] * width + width - 1];
        bonuses[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(bonus, i));
        if (PyErr_Occurred())
            goto done;
        bounds[i] = bound;
        trials[i].key = bound + bonuses[i];
        trials[i].index = i;
    }
    qsort(trials, n, sizeof(Trial), by_key);
    Py_ssize_t found = 0;
    for (Py_ssize_t t = 0; t < n && k > 0; t++) {
        Py_ssize_t i = trials[t].index;
        int has_floor = has_min;
        double floor = min_score;
        if (found == k) {
            /* heap[found - 1] is the worst of the k best so far */
            double f = heap[found - 1].score - SLACK - bonuses[i];
            if (bounds[i] < f)
                break;
            if (!has_floor || f > floor)
                floor = f;
            has_floor = 1;
        } else if (has_min && bounds[i] < min_score) {
            continue; /* not `break`: the trials are ordered by bound + bonus */
        }
        double score;
        if (!align(table, m, rows + i * MAX_LEN, lens[i], bounds[i], has_floor, floor, &score))
            continue;
        Found item = {score + bonuses[i], score, i};
        if (found == k) {
            if (!before(&item, &heap[found - 1]))
                continue;
            found--;
        }
        Py_ssize_t at = found++;
        while (at > 0 && before(&item, &heap[at - 1])) {
            heap[at] = heap[at - 1];
            at--;
        }
        heap[at] = item;
    }
    result = PyList_New(found);
    for (Py_ssize_t j = 0; result && j < found; j++) {
        PyObject *pair = Py_BuildValue("(nd)", heap[j].index, heap[j].raw);
        if (!pair) {
            Py_CLEAR(result);
            break;
        }
        PyList_SET_ITEM(result, j, pair);
    }
done:
    PyBuffer_Release(&em);
    PyMem_Free(codes);
    Py_XDECREF(trues);
    Py_XDECREF(bonus);
    free(trials);
    free(bounds);
    free(bonuses);
    free(rows);
    free(lens);
    free(heap);
    return result;
}

/* Emission rows of a reading for some true letters: for each letter's piece table (a dict,
 * a channel._Pieces whose __missing__ fills in floors), the row drop, one[0..m], two[0..m],
 * best that channel._emissions computes, as float64 bytes. */
static PyObject *emission_rows(PyObject *module, PyObject *args)
{
    PyObject *chars_obj, *pairs_obj, *tables_obj, *empty;
    if (!PyArg_ParseTuple(args, "OOO", &chars_obj, &pairs_obj, &tables_obj))
        return NULL;
    PyObject *chars = PySequence_Fast(chars_obj, "chars must be a sequence");
    PyObject *pairs = chars ? PySequence_Fast(pairs_obj, "pairs must be a sequence") : NULL;
    PyObject *tables = pairs ? PySequence_Fast(tables_obj, "tables must be a sequence") : NULL;
    PyObject *out = NULL;
    empty = PyUnicode_FromStringAndSize("", 0);
    if (!tables || !empty)
        goto done;
    Py_ssize_t m = PySequence_Fast_GET_SIZE(chars), n = PySequence_Fast_GET_SIZE(tables);
    if (PySequence_Fast_GET_SIZE(pairs) != (m > 0 ? m - 1 : 0)) {
        PyErr_SetString(PyExc_ValueError, "a reading of m characters has m - 1 pairs");
        goto done;
    }
    Py_ssize_t width = 2 * m + 4;
    out = PyBytes_FromStringAndSize(NULL, n * width * (Py_ssize_t)sizeof(double));
    if (!out)
        goto done;
    double *row = (double *)PyBytes_AS_STRING(out);
    for (Py_ssize_t t = 0; t < n; t++, row += width) {
        PyObject *table = PySequence_Fast_GET_ITEM(tables, t);
        /* columns: drop; one[0] unreachable, one[j] = read[j-1]; two[0..1] unreachable,
         * two[j] = read[j-2:j] */
        for (Py_ssize_t c = 0; c < width - 1; c++) {
            PyObject *piece;
            if (c == 0)
                piece = empty;
            else if (c == 1 || c == m + 2 || c == m + 3) {
                row[c] = NEG;
                continue;
            } else if (c <= m + 1)
                piece = PySequence_Fast_GET_ITEM(chars, c - 2);
            else
                piece = PySequence_Fast_GET_ITEM(pairs, c - m - 4);
            PyObject *value = PyObject_GetItem(table, piece);
            if (!value) {
                Py_CLEAR(out);
                goto done;
            }
            row[c] = PyFloat_AsDouble(value);
            Py_DECREF(value);
            if (row[c] == -1.0 && PyErr_Occurred()) {
                Py_CLEAR(out);
                goto done;
            }
        }
        double best = row[0];
        for (Py_ssize_t c = 1; c < width - 1; c++)
            if (row[c] > best)
                best = row[c];
        row[width - 1] = best;
    }
done:
    Py_XDECREF(chars);
    Py_XDECREF(pairs);
    Py_XDECREF(tables);
    Py_XDECREF(empty);
    return out;
}

static PyMethodDef module_methods[] = {
    {"align_top_k", align_top_k, METH_VARARGS,
     "align_top_k(codes, emissions, m, trues, bonus, k, floor) -> [(index, logp), ...]\n\n"
     "The k trues whose best alignment to a reading of m characters scores highest with\n"
     "their bonus, best first (ties: the earlier index), as Channel.top_k.  `codes` names\n"
     "the letters of `emissions` (float64 rows: drop, one[0..m], two[0..m], best); with a\n"
     "`floor`, only alignments scoring at least that are returned.  None when a reading or\n"
     "a true string is longer than the core's limit (64 characters) or has a letter\n"
     "without emissions."},
    {"emission_rows", emission_rows, METH_VARARGS,
     "emission_rows(chars, pairs, tables) -> bytes\n\n"
     "The emission rows (float64: drop, one[0..m], two[0..m], best) of a reading whose\n"
     "characters are `chars` and character pairs `pairs`, one row per piece table, as\n"
     "channel._emissions computes them."},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef Lattice_methods[] = {
    {"logp", (PyCFunction)Lattice_logp, METH_VARARGS,
     "logp(a, b, c) -> ln P(c | a b), as TrigramLM.logp."},
    {"search", (PyCFunction)Lattice_search, METH_VARARGS,
     "search(cands, chans, width, delta) -> (path, confidences)\n\n"
     "Beam search over a lattice: cands[t] are the word ids of position t, chans[t] their\n"
     "weighted channel log-probabilities.  Returns the index of the chosen candidate per\n"
     "position and its local posterior, as Decoder._search_python does."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LatticeType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pipeline.restore._lattice.Lattice",
    .tp_doc = "Trigram tables in C hash tables, with the decoder's beam search.",
    .tp_basicsize = sizeof(Lattice),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Lattice_init,
    .tp_dealloc = (destructor)Lattice_dealloc,
    .tp_methods = Lattice_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_lattice",
    "The restoration decoder's beam search and OCR-channel alignments in C (optional; see\n"
    "decoder.py and channel.py).",
    -1, module_methods,
};

PyMODINIT_FUNC PyInit__lattice(void)
{
    if (PyType_Ready(&LatticeType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    Py_INCREF(&LatticeType);
    if (PyModule_AddObject(m, "Lattice", (PyObject *)&LatticeType) < 0) {
        Py_DECREF(&LatticeType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
