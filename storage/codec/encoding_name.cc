#include "storage/codec/codec.h"

namespace kpi::codec {

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kIntConstant: return "constant";
    case Encoding::kIntBitpacked: return "bitpacked";
    case Encoding::kIntRunLength: return "rle";
    case Encoding::kIntDelta: return "delta";
    case Encoding::kIntPatched: return "patched";
    case Encoding::kIntZstd: return "zstd";
    case Encoding::kIntHuffman: return "huffman";
    case Encoding::kIntHuffman4: return "huffman4";
    case Encoding::kDoubleScaled: return "scaled";
    case Encoding::kDoublePlain: return "plain";
    case Encoding::kStrings: return "strings";
    case Encoding::kStringsNumbered: return "numbered";
    case Encoding::kPresenceBitmap: return "bitmap";
    case Encoding::kPresenceRows: return "rows";
  }
  return "unknown";
}

}  // namespace kpi::codec
