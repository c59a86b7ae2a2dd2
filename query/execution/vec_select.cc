#include "query/execution/vec_select.h"

#include <vector>

namespace kpi::query {

namespace {

template <typename T>
void Gather(const T* src, const uint32_t* sel, uint32_t n, std::vector<T>* buf, const T** out) {
  buf->resize(n);
  T* dst = buf->data();
  for (uint32_t i = 0; i < n; ++i) dst[i] = src[sel[i]];
  *out = dst;
}

template <typename T>
void Own(const T* src, uint32_t m, std::vector<T>* buf, const T** out) {
  if (src == nullptr || src == buf->data()) return;
  buf->assign(src, src + m);
  *out = buf->data();
}

}  // namespace

void SelectRows(const Vec& all, const uint32_t* sel, uint32_t n, Vec* out) {
  out->type = all.type;
  out->str = all.str;
  out->n = n;
  out->stride = all.stride;
  out->vstride = all.vstride;
  out->f64 = all.f64;
  out->i64 = all.i64;
  out->u32 = all.u32;
  out->b8 = all.b8;
  out->valid = all.valid;
  out->text = all.text;
  if (sel == nullptr || all.is_const()) return;
  if (all.f64 != nullptr) Gather(all.f64, sel, n, &out->f64_buf, &out->f64);
  if (all.i64 != nullptr) Gather(all.i64, sel, n, &out->i64_buf, &out->i64);
  if (all.u32 != nullptr) Gather(all.u32, sel, n, &out->u32_buf, &out->u32);
  if (all.b8 != nullptr) Gather(all.b8, sel, n, &out->b8_buf, &out->b8);
  if (all.vstride != 0) Gather(all.valid, sel, n, &out->valid_buf, &out->valid);
}

void OwnData(Vec* v) {
  const uint32_t m = v->is_const() ? 1 : v->n;
  Own(v->f64, m, &v->f64_buf, &v->f64);
  Own(v->i64, m, &v->i64_buf, &v->i64);
  Own(v->u32, m, &v->u32_buf, &v->u32);
  Own(v->b8, m, &v->b8_buf, &v->b8);
  if (v->vstride != 0) Own(v->valid, m, &v->valid_buf, &v->valid);
  // A valid mask of stride 0 is kAllValid or a one-byte buffer: keep a copy.
  if (v->vstride == 0 && v->valid != kAllValid && v->valid != nullptr) Own(v->valid, 1, &v->valid_buf, &v->valid);
}

}  // namespace kpi::query
