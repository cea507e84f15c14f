/* SPDX-License-Identifier: LGPL-2.1-or-later */
// oneDNN contender of the gst-rnn benchmark: the same configurations, the
// same weights (read from the same safetensors files) and the same input as
// bench_core, run with oneDNN's RNN primitives (vanilla_rnn with tanh,
// vanilla_lstm, lbr_gru), forward inference, f32, one primitive per layer.
//
// Each call runs n frames (the plan's frames per call) of all B streams
// with the state carried over: src_iter of a call is dst_iter of the
// previous one (two state buffers used in turn).  n = 1 is "one frame per
// call", n = 160 "whole block per call".  Weights are reordered once to the
// primitive's preferred (packed) format, outside the timed loop.
//
// PyTorch -> oneDNN mapping (see shared FACTS):
//   weight (G*H, C), blocks in PyTorch gate order -> dims {1,1,C,G,H},
//   tag ldgoi, blocks in oneDNN gate order;
//   RNN, LSTM: gate order identical (LSTM i f g o), bias = b_ih + b_hh;
//   GRU: PyTorch r z n -> oneDNN lbr_gru u(=z) r o(=n), bias has 4 blocks
//   [b_iz + b_hz, b_ir + b_hr, b_in, b_hn].
//
// Run with OMP_NUM_THREADS=1 for a single thread.  Prints JSON lines (see
// bench_common.h).
//
// --pair ROUNDS (built with the core, BENCH_HAVE_CORE): per configuration,
// the core (rnn_state_process on the same file) and oneDNN alternately in
// this one process, ROUNDS rounds of one repetition each, in turn first
// and second, and the FMA peak between rounds; one "pair" line per round
// (core us, oneDNN us, peak), so that bench.py can take the median of the
// per-round ratios and their spread: a load that comes and goes hits both
// contenders of a round alike.
#include <oneapi/dnnl/dnnl.hpp>

#include "bench_common.h"
#include "bench_peak.h"
#ifdef BENCH_HAVE_CORE
#include "rnn.h"
#endif

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static const char *CONTENDER = "dnnl";

// ------------------------------------------------------------ safetensors

namespace {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

// Just enough JSON for a safetensors header.
struct Json {
  enum Kind { NUL, NUM, STR, ARR, OBJ, BOOL } kind = NUL;
  double num = 0;
  std::string str;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;
  const Json *get(const std::string &k) const {
    for (auto &kv : obj)
      if (kv.first == k) return &kv.second;
    return nullptr;
  }
};

struct JsonParser {
  const std::string &s;
  size_t i = 0;
  explicit JsonParser(const std::string &t) : s(t) {}
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' ||
                            s[i] == '\r'))
      i++;
  }
  [[noreturn]] void fail() { throw std::runtime_error("bad JSON header"); }
  std::string string() {
    if (s[i] != '"') fail();
    std::string r;
    for (i++; i < s.size() && s[i] != '"'; i++) {
      if (s[i] == '\\') {
        if (++i >= s.size()) fail();
        char e = s[i];
        if (e == 'u') {  // keep it simple: \uXXXX as '?'
          i += 4;
          r += '?';
          continue;
        }
        r += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        r += s[i];
      }
    }
    if (i >= s.size()) fail();
    i++;
    return r;
  }
  Json value() {
    ws();
    if (i >= s.size()) fail();
    Json v;
    char c = s[i];
    if (c == '{') {
      v.kind = Json::OBJ;
      i++;
      ws();
      if (s[i] == '}') { i++; return v; }
      for (;;) {
        ws();
        std::string k = string();
        ws();
        if (s[i++] != ':') fail();
        v.obj.emplace_back(k, value());
        ws();
        if (s[i] == ',') { i++; continue; }
        if (s[i] == '}') { i++; return v; }
        fail();
      }
    } else if (c == '[') {
      v.kind = Json::ARR;
      i++;
      ws();
      if (s[i] == ']') { i++; return v; }
      for (;;) {
        v.arr.push_back(value());
        ws();
        if (s[i] == ',') { i++; continue; }
        if (s[i] == ']') { i++; return v; }
        fail();
      }
    } else if (c == '"') {
      v.kind = Json::STR;
      v.str = string();
    } else if (s.compare(i, 4, "true") == 0 || s.compare(i, 5, "false") == 0) {
      v.kind = Json::BOOL;
      i += s[i] == 't' ? 4 : 5;
    } else if (s.compare(i, 4, "null") == 0) {
      i += 4;
    } else {
      v.kind = Json::NUM;
      size_t used = 0;
      v.num = std::stod(s.substr(i, 32), &used);
      i += used;
    }
    return v;
  }
};

std::map<std::string, Tensor> load_safetensors(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string buf = ss.str();
  if (buf.size() < 8) throw std::runtime_error(path + ": too short");
  uint64_t n = 0;
  for (int k = 7; k >= 0; k--) n = (n << 8) | (uint8_t)buf[k];
  if (n > buf.size() - 8) throw std::runtime_error(path + ": bad header");
  std::string header = buf.substr(8, n);
  JsonParser p(header);
  Json h = p.value();
  if (h.kind != Json::OBJ) throw std::runtime_error(path + ": bad header");
  std::map<std::string, Tensor> out;
  size_t base = 8 + n;
  for (auto &kv : h.obj) {
    if (kv.first == "__metadata__") continue;
    const Json *dtype = kv.second.get("dtype");
    const Json *shape = kv.second.get("shape");
    const Json *off = kv.second.get("data_offsets");
    if (!dtype || !shape || !off || off->arr.size() != 2)
      throw std::runtime_error(path + ": bad entry " + kv.first);
    if (dtype->str != "F32")
      throw std::runtime_error(path + ": " + kv.first + " is not F32");
    Tensor t;
    size_t numel = 1;
    for (auto &d : shape->arr) {
      t.shape.push_back((int64_t)d.num);
      numel *= (size_t)d.num;
    }
    size_t b = (size_t)off->arr[0].num, e = (size_t)off->arr[1].num;
    if (e - b != numel * 4 || base + e > buf.size())
      throw std::runtime_error(path + ": bad offsets for " + kv.first);
    t.data.resize(numel);
    memcpy(t.data.data(), buf.data() + base + b, numel * 4);  // little-endian host
    out[kv.first] = std::move(t);
  }
  return out;
}

const Tensor &need(const std::map<std::string, Tensor> &m,
                   const std::string &k) {
  auto it = m.find(k);
  if (it == m.end()) throw std::runtime_error("tensor " + k + " missing");
  return it->second;
}

// ------------------------------------------------------------------ model

struct Layer {
  primitive prim;
  memory src_layer, dst_layer;  // user (tnc); handles set per call
  memory iter[2], iter_c[2];    // state, used in turn (ldnc)
  memory w_layer, w_iter, bias;
  std::unordered_map<int, memory> args[2];
};

struct Net {
  engine eng{engine::kind::cpu, 0};
  stream strm{eng};
  std::vector<Layer> layers;
  std::vector<float *> mid;  // outputs of layers 0..L-2, (n, B, H)
  int parity = 0;
  int n = 0, B = 0, F = 0, H = 0;
  std::string cell;

  ~Net() {
    for (float *p : mid) free(p);
  }
};

// Rows of a (G*H, C) PyTorch matrix reordered to oneDNN's gate order.
std::vector<float> gate_order(const std::vector<float> &w, int G, int H,
                              size_t cols, const int *perm) {
  std::vector<float> r(w.size());
  size_t blk = (size_t)H * cols;
  for (int g = 0; g < G; g++)
    memcpy(r.data() + g * blk, w.data() + perm[g] * blk, blk * sizeof(float));
  return r;
}

memory reorder_to(Net &net, const memory::desc &want,
                  const memory::desc &have_md, std::vector<float> &have) {
  memory user(have_md, net.eng, have.data());
  memory dst(want, net.eng);
  reorder(user, dst).execute(net.strm, user, dst);
  net.strm.wait();
  return dst;
}

void build(Net &net, const BenchConfig *c) {
  auto t = load_safetensors(c->model);
  const int B = c->B, H = c->H, n = c->n;
  net.n = n;
  net.B = B;
  net.F = c->F;
  net.H = H;
  net.cell = c->cell;
  const bool lstm = net.cell == "lstm", gru = net.cell == "gru";
  if (!lstm && !gru && net.cell != "rnn_tanh")
    throw std::runtime_error("unsupported cell " + net.cell);
  const int G = lstm ? 4 : gru ? 3 : 1;
  static const int ident[4] = {0, 1, 2, 3}, gru_perm[3] = {1, 0, 2};
  const int *perm = gru ? gru_perm : ident;

  for (int l = 0; l < c->layers; l++) {
    const int C = l == 0 ? c->F : H;
    std::string sfx = "_l" + std::to_string(l);
    const Tensor &wih = need(t, "weight_ih" + sfx);
    const Tensor &whh = need(t, "weight_hh" + sfx);
    const Tensor &bih = need(t, "bias_ih" + sfx);
    const Tensor &bhh = need(t, "bias_hh" + sfx);
    if (wih.data.size() != (size_t)G * H * C ||
        whh.data.size() != (size_t)G * H * H)
      throw std::runtime_error("weight shapes do not match the plan");

    memory::desc src_layer_md({n, B, C}, dt::f32, tag::tnc);
    memory::desc dst_layer_md({n, B, H}, dt::f32, tag::tnc);
    memory::desc iter_md({1, 1, B, H}, dt::f32, tag::ldnc);
    memory::desc wl_any({1, 1, C, G, H}, dt::f32, tag::any);
    memory::desc wi_any({1, 1, H, G, H}, dt::f32, tag::any);
    const int NB = gru ? 4 : G;
    memory::desc bias_md({1, 1, NB, H}, dt::f32, tag::ldgo);

    Layer L;
    memory::desc wl_md, wi_md, b_md;
    if (lstm) {
      lstm_forward::desc d(prop_kind::forward_inference,
                           rnn_direction::unidirectional_left2right,
                           src_layer_md, iter_md, iter_md, wl_any, wi_any,
                           bias_md, dst_layer_md, iter_md, iter_md);
      lstm_forward::primitive_desc pd(d, net.eng);
      L.prim = lstm_forward(pd);
      wl_md = pd.weights_layer_desc();
      wi_md = pd.weights_iter_desc();
      b_md = pd.bias_desc();
    } else if (gru) {
      lbr_gru_forward::desc d(prop_kind::forward_inference,
                              rnn_direction::unidirectional_left2right,
                              src_layer_md, iter_md, wl_any, wi_any, bias_md,
                              dst_layer_md, iter_md);
      lbr_gru_forward::primitive_desc pd(d, net.eng);
      L.prim = lbr_gru_forward(pd);
      wl_md = pd.weights_layer_desc();
      wi_md = pd.weights_iter_desc();
      b_md = pd.bias_desc();
    } else {
      vanilla_rnn_forward::desc d(prop_kind::forward_inference,
                                  algorithm::eltwise_tanh,
                                  rnn_direction::unidirectional_left2right,
                                  src_layer_md, iter_md, wl_any, wi_any,
                                  bias_md, dst_layer_md, iter_md);
      vanilla_rnn_forward::primitive_desc pd(d, net.eng);
      L.prim = vanilla_rnn_forward(pd);
      wl_md = pd.weights_layer_desc();
      wi_md = pd.weights_iter_desc();
      b_md = pd.bias_desc();
    }

    std::vector<float> wl = gate_order(wih.data, G, H, C, perm);
    std::vector<float> wi = gate_order(whh.data, G, H, H, perm);
    std::vector<float> b((size_t)NB * H);
    if (gru) {
      for (int h = 0; h < H; h++) {
        b[0 * H + h] = bih.data[1 * H + h] + bhh.data[1 * H + h];  // z
        b[1 * H + h] = bih.data[0 * H + h] + bhh.data[0 * H + h];  // r
        b[2 * H + h] = bih.data[2 * H + h];                        // b_in
        b[3 * H + h] = bhh.data[2 * H + h];                        // b_hn
      }
    } else {
      for (size_t k = 0; k < b.size(); k++) b[k] = bih.data[k] + bhh.data[k];
    }
    L.w_layer = reorder_to(net, wl_md,
                           memory::desc({1, 1, C, G, H}, dt::f32, tag::ldgoi),
                           wl);
    L.w_iter = reorder_to(net, wi_md,
                          memory::desc({1, 1, H, G, H}, dt::f32, tag::ldgoi),
                          wi);
    L.bias = reorder_to(net, b_md, bias_md, b);

    L.src_layer = memory(src_layer_md, net.eng, DNNL_MEMORY_NONE);
    L.dst_layer = memory(dst_layer_md, net.eng, DNNL_MEMORY_NONE);
    for (int k = 0; k < 2; k++) {
      L.iter[k] = memory(iter_md, net.eng);
      memset(L.iter[k].get_data_handle(), 0, iter_md.get_size());
      if (lstm) {
        L.iter_c[k] = memory(iter_md, net.eng);
        memset(L.iter_c[k].get_data_handle(), 0, iter_md.get_size());
      }
    }
    for (int k = 0; k < 2; k++) {
      auto &a = L.args[k];
      a[DNNL_ARG_SRC_LAYER] = L.src_layer;
      a[DNNL_ARG_DST_LAYER] = L.dst_layer;
      a[DNNL_ARG_SRC_ITER] = L.iter[k];
      a[DNNL_ARG_DST_ITER] = L.iter[k ^ 1];
      if (lstm) {
        a[DNNL_ARG_SRC_ITER_C] = L.iter_c[k];
        a[DNNL_ARG_DST_ITER_C] = L.iter_c[k ^ 1];
      }
      a[DNNL_ARG_WEIGHTS_LAYER] = L.w_layer;
      a[DNNL_ARG_WEIGHTS_ITER] = L.w_iter;
      a[DNNL_ARG_BIAS] = L.bias;
    }
    net.layers.push_back(std::move(L));
    if (l + 1 < c->layers)
      net.mid.push_back((float *)bench_alloc((size_t)n * B * H * sizeof(float)));
  }
}

void net_call(void *ctx, const float *in, float *out) {
  Net &net = *(Net *)ctx;
  const size_t nl = net.layers.size();
  for (size_t l = 0; l < nl; l++) {
    Layer &L = net.layers[l];
    L.src_layer.set_data_handle(
        const_cast<float *>(l == 0 ? in : net.mid[l - 1]));
    L.dst_layer.set_data_handle(l + 1 == nl ? out : net.mid[l]);
    L.prim.execute(net.strm, L.args[net.parity]);
  }
  net.strm.wait();
  net.parity ^= 1;
}

void net_reset(void *ctx) {
  Net &net = *(Net *)ctx;
  for (auto &L : net.layers)
    for (int k = 0; k < 2; k++) {
      memset(L.iter[k].get_data_handle(), 0, L.iter[k].get_desc().get_size());
      if (net.cell == "lstm")
        memset(L.iter_c[k].get_data_handle(), 0,
               L.iter_c[k].get_desc().get_size());
    }
  net.parity = 0;
}

const char *isa_name(cpu_isa isa) {
  switch (isa) {
    case cpu_isa::sse41: return "sse41";
    case cpu_isa::avx: return "avx";
    case cpu_isa::avx2: return "avx2";
    case cpu_isa::avx2_vnni: return "avx2_vnni";
    case cpu_isa::avx512_mic: return "avx512_mic";
    case cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case cpu_isa::avx512_core: return "avx512_core";
    case cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "all";
  }
}

#ifdef BENCH_HAVE_CORE
struct CoreNet {
  RnnModel *model = nullptr;
  RnnState *state = nullptr;
  gsize n = 0;
  ~CoreNet() {
    if (state) rnn_state_free(state);
    if (model) rnn_model_unref(model);
  }
};

void core_call(void *ctx, const float *in, float *out) {
  CoreNet &x = *(CoreNet *)ctx;
  GError *err = nullptr;
  if (!rnn_state_process(x.state, in, x.n, RNN_RUN_NONE, out, &err)) {
    fprintf(stderr, "core: %s\n", err->message);
    exit(1);
  }
}

void core_reset(void *ctx) { rnn_state_reset(((CoreNet *)ctx)->state); }

// Steps per repetition for about target_ms (a multiple of the unit, within
// the input), from one unit's time; then one warm-up repetition.
long pair_steps(const BenchOptions &o, const BenchConfig *c, const float *in,
                long avail, BenchCallFn call, void *ctx, float *out) {
  int unit = bench_unit(c->n);
  double t0 = bench_now();
  bench_run_frames(c, in, unit, call, ctx, out);
  double est = (bench_now() - t0) / unit;
  long steps = (long)(o.target_ms * 1e-3 / (est > 1e-9 ? est : 1e-9));
  steps = (steps + unit - 1) / unit * unit;
  if (steps < o.min_steps) steps = (o.min_steps + unit - 1) / unit * unit;
  if (steps > avail) steps = avail;
  if (steps < unit) steps = unit;
  bench_run_frames(c, in, (int)steps, call, ctx, out);
  return steps;
}

double pair_rep(const BenchConfig *c, const float *in, long steps,
                BenchCallFn call, void *ctx, float *out) {
  double t0 = bench_now();
  bench_run_frames(c, in, (int)steps, call, ctx, out);
  return (bench_now() - t0) * 1e6 / (double)steps;
}

// A short FMA peak (5 trials of ~5 ms, best), in flops/s.
double pair_peak(PeakFn fn, long iters) {
  double r = 0;
  for (int t = 0; t < 5; t++) {
    double f = fn(iters);
    if (f > r) r = f;
  }
  return r;
}

int run_pair(const BenchOptions &o, const BenchConfig *c, const float *input,
             size_t n_in, int rounds) {
  std::unique_ptr<Net> net(new Net);
  build(*net, c);
  CoreNet core;
  GError *err = nullptr;
  core.model = rnn_model_load(c->model, nullptr, &err);
  if (core.model)
    core.state = rnn_state_new(core.model, (guint)c->B, (guint)c->n, &err);
  if (!core.state) {
    bench_print_error("pair", c, err ? err->message : "core");
    g_clear_error(&err);
    return -1;
  }
  core.n = (gsize)c->n;
  int O = (int)rnn_model_get_output_size(core.model);
  if (O != c->H) {
    bench_print_error("pair", c, "the model has a head: no oneDNN twin");
    return -1;
  }
  int unit = bench_unit(c->n);
  long avail = (long)(n_in / ((size_t)c->B * c->F));
  avail -= avail % unit;
  if (avail < unit) {
    bench_print_error("pair", c, "input too short");
    return -1;
  }
  float *out = (float *)bench_alloc((size_t)c->n * c->B * c->H * sizeof(float));
  core_reset(&core);
  net_reset(net.get());
  long s_core = pair_steps(o, c, input, avail, core_call, &core, out);
  long s_dnnl = pair_steps(o, c, input, avail, net_call, net.get(), out);
  PeakFn fn = bench_peak_fn();
  long iters = 1000;
  for (;;) {  // ~5 ms a trial
    double t0 = bench_now();
    fn(iters);
    if (bench_now() - t0 > 0.005 || iters > (1L << 40)) break;
    iters *= 2;
  }
  for (int r = 0; r < rounds; r++) {
    double tc, td;
    if (r % 2 == 0) {
      tc = pair_rep(c, input, s_core, core_call, &core, out);
      td = pair_rep(c, input, s_dnnl, net_call, net.get(), out);
    } else {
      td = pair_rep(c, input, s_dnnl, net_call, net.get(), out);
      tc = pair_rep(c, input, s_core, core_call, &core, out);
    }
    double peak = pair_peak(fn, iters);
    printf("{\"type\": \"pair\", \"name\": ");
    bench_print_json_string(c->name);
    printf(", \"round\": %d, \"core_us\": %.4f, \"dnnl_us\": %.4f, "
           "\"peak_gflops\": %.2f, \"B\": %d, \"steps_core\": %ld, "
           "\"steps_dnnl\": %ld}\n", r, tc, td, peak * 1e-9, c->B, s_core,
           s_dnnl);
    fflush(stdout);
  }
  free(out);
  return 0;
}
#endif

}  // namespace

int main(int argc, char **argv) {
  BenchOptions o;
  bench_options_init(&o);
  int pair = 0;
  for (int i = 1; i < argc; i++) {
    int r = bench_parse_option(&o, argc, argv, &i);
    if (r < 0) {
      fprintf(stderr, "%s needs a value\n", argv[i]);
      return 2;
    }
#ifdef BENCH_HAVE_CORE
    if (r == 0 && strcmp(argv[i], "--pair") == 0 && i + 1 < argc &&
        (pair = atoi(argv[i + 1])) > 0) {
      i++;
      continue;
    }
#endif
    if (r == 0) {
      fprintf(stderr, "usage: %s --plan FILE --input FILE [options]\n%s"
#ifdef BENCH_HAVE_CORE
              "  --pair ROUNDS        the core and oneDNN alternately, ROUNDS\n"
              "                       rounds of one repetition each\n"
#endif
              , argv[0], BENCH_COMMON_USAGE);
      return 2;
    }
  }
  const dnnl_version_t *v = dnnl_version();
  char cpu[256];
  bench_cpu_model(cpu, sizeof cpu);
  const char *omp = getenv("OMP_NUM_THREADS");
  printf("{\"type\": \"info\", \"contender\": \"dnnl\", \"version\": "
         "\"%d.%d.%d\", \"isa\": \"%s\", \"omp_num_threads\": \"%s\", "
         "\"cpu\": ",
         v->major, v->minor, v->patch, isa_name(get_effective_cpu_isa()),
         omp ? omp : "unset");
  bench_print_json_string(cpu);
  printf("}\n");
  fflush(stdout);
  if (!o.plan || !o.input) {
    fprintf(stderr, "--plan and --input are required\n");
    return 2;
  }
  static BenchConfig cfg[BENCH_MAX_CONFIGS];
  int nc = bench_read_plan(o.plan, cfg, BENCH_MAX_CONFIGS);
  if (nc < 0) return 1;
  size_t n_in;
  float *input = bench_read_input(o.input, &n_in);
  if (!input) return 1;

  for (int i = 0; i < nc; i++) {
    const BenchConfig *c = &cfg[i];
    if (o.only && !strstr(c->name, o.only)) continue;
#ifdef BENCH_HAVE_CORE
    if (pair) {
      try {
        run_pair(o, c, input, n_in, pair);
      } catch (const std::exception &e) {
        bench_print_error("pair", c, e.what());
      }
      continue;
    }
#endif
    try {
      std::unique_ptr<Net> net(new Net);
      build(*net, c);
      float *out = (float *)bench_alloc((size_t)c->n * c->B * c->H *
                                        sizeof(float));
      BenchResult r;
      if (bench_measure(&o, c, CONTENDER, input, n_in, c->H, net_call,
                        net_reset, net.get(), out, &r) == 0)
        bench_print_result(CONTENDER, "stream", c, &r);
      else
        bench_print_error(CONTENDER, c, "input too short");
      free(out);
    } catch (const dnnl::error &e) {
      bench_print_error(CONTENDER, c, e.what());
    } catch (const std::exception &e) {
      bench_print_error(CONTENDER, c, e.what());
    }
  }
  long rss, hwm;
  bench_memory_kb(&rss, &hwm);
  printf("{\"type\": \"memory\", \"contender\": \"dnnl\", \"name\": \"end\", "
         "\"rss_kb\": %ld, \"hwm_kb\": %ld}\n", rss, hwm);
  free(input);
  return 0;
}
