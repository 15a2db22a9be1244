// Every construct of the BTF-to-C converter, as clang writes its BTF: the
// object's .BTF is dumped with `--format c` and compared with bpftool's
// (test/driver/dump-c-vs-bpftool.test). Nothing here runs; the globals only
// make clang emit the types.
#define SEC(n) __attribute__((section(n), used))
#define __user __attribute__((btf_type_tag("user")))
#define __tag(x) __attribute__((btf_decl_tag(x)))

typedef unsigned long long u64;
typedef int (*handler_t)(void *ctx, const char *fmt, ...);
typedef void fn_t(void);

struct node;
typedef struct node node_t;

struct node { // self reference through a typedef: forward declaration
  node_t *next;
  struct node *prev;
  long key __tag("key");
};

struct a;
struct b {
  struct a *a; // cycle through a pointer
  int x;
};
struct a {
  struct b b;
  volatile int v;
  const char *const name;
  int *restrict r;
};

enum color { RED, GREEN = 5, BLUE = -1 };
enum big { SMALL = 1, HUGE = 0x1234567890ULL }; // ENUM64
enum { TOP_LEVEL_CONSTANT = 42 };                // anonymous, unreferenced

struct bits {
  unsigned int a : 3;
  unsigned int b : 5;
  unsigned int : 0;
  int c : 12;
  unsigned char d;
  u64 e : 40;
  enum color f : 8;
};

struct __attribute__((packed)) packed {
  char c;
  int i;
  short s;
};

struct __attribute__((aligned(16))) aligned {
  int x;
};

struct gaps {
  char c;
  long l;
  char tail;
};

union value {
  u64 u;
  double d;
  float f;
  struct {
    int lo, hi;
  } parts;
  char bytes[8];
};

struct nest {
  int kind;
  union { // anonymous member union
    struct {
      int x, y;
    } point;
    enum { NEST_A, NEST_B } tag;
    int (*cb[2])(int);
  };
  int matrix[2][3];
  int (*row)[3];
  void (*(*get)(int))(void);
  handler_t h;
  fn_t *f;
  char __user *uptr;
  struct {
    int inner;
  } named_anon[2];
};

struct flex {
  int n;
  int data[];
};

struct empty {};

struct node g_node;
struct a g_a;
enum big g_big;
struct bits g_bits;
struct packed g_packed;
struct aligned g_aligned;
struct gaps g_gaps;
union value g_value;
struct nest g_nest;
struct flex *g_flex;
struct empty g_empty;
int TOP = TOP_LEVEL_CONSTANT;

static int helper(struct nest *n __tag("arg"), ...) __tag("fn");
static int helper(struct nest *n, ...) { return n->kind; }

SEC("tp/x")
int prog(void *ctx) { return helper(&g_nest) + g_bits.c; }
