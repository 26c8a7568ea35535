// A walk over a pickle's opcodes that runs nothing (pandas_handlers.py calls it before its
// restricted unpicklers see a pickle from a blob): every opcode must be one pickle knows,
// every argument must lie inside the bytes, and every memo index must be below the number
// of opcodes. CPython's C unpickler sizes its memo by the largest index a pickle names and
// allocates a length-prefixed argument before it reads it: without this walk, ten bytes
// could make it allocate gigabytes. Time linear in the pickle; no allocation.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "pickle_scan.h"

namespace arrowpack::python {

namespace {

// How an opcode's argument is laid out.
enum class Arg : std::uint8_t {
  kInvalid,    // not an opcode
  kNone,       // no argument
  kFixed,      // `size` bytes
  kCounted,    // a `size`-byte little-endian length, then that many bytes
  kLine,       // bytes up to a newline
  kTwoLines,   // two newline-terminated arguments (GLOBAL, INST)
  kMemoFixed,  // a `size`-byte memo index (BINGET, BINPUT, ...)
  kMemoLine,   // a decimal memo index on a line (GET, PUT)
  kMemoize,    // MEMOIZE: the next memo index
};

struct Opcode {
  Arg arg = Arg::kInvalid;
  std::uint8_t size = 0;
};

// The opcodes of pickle protocols 0 to 5 (CPython's Lib/pickle.py names them).
// An opcode's byte as an index.
constexpr std::size_t op(char c) { return static_cast<unsigned char>(c); }

constexpr auto opcode_table() {
  struct Table {
    Opcode at[256];
  } t{};
  for (char c : std::string_view("(.012NQRab}delo]s)tu")) t.at[static_cast<std::uint8_t>(c)] = {Arg::kNone, 0};
  for (int c : {0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x97, 0x98})
    t.at[c] = {Arg::kNone, 0};
  t.at[0x94] = {Arg::kMemoize, 0};
  for (int c : {int{'K'}, 0x80, 0x82}) t.at[c] = {Arg::kFixed, 1};
  for (int c : {int{'M'}, 0x83}) t.at[c] = {Arg::kFixed, 2};
  for (int c : {int{'J'}, 0x84}) t.at[c] = {Arg::kFixed, 4};
  t.at[op('G')] = {Arg::kFixed, 8};
  t.at[0x95] = {Arg::kFixed, 8};  // FRAME: its length; the frame's opcodes follow as usual
  for (int c : {int{'U'}, 0x8c, int{'C'}, 0x8a}) t.at[c] = {Arg::kCounted, 1};
  for (int c : {int{'T'}, int{'X'}, int{'B'}, 0x8b}) t.at[c] = {Arg::kCounted, 4};
  for (int c : {0x8d, 0x8e, 0x96}) t.at[c] = {Arg::kCounted, 8};
  for (char c : std::string_view("ILSVFP")) t.at[static_cast<std::uint8_t>(c)] = {Arg::kLine, 0};
  for (char c : std::string_view("ci")) t.at[static_cast<std::uint8_t>(c)] = {Arg::kTwoLines, 0};
  t.at[op('h')] = {Arg::kMemoFixed, 1};
  t.at[op('q')] = {Arg::kMemoFixed, 1};
  t.at[op('j')] = {Arg::kMemoFixed, 4};
  t.at[op('r')] = {Arg::kMemoFixed, 4};
  t.at[op('g')] = {Arg::kMemoLine, 0};
  t.at[op('p')] = {Arg::kMemoLine, 0};
  return t;
}
constexpr auto kOpcodes = opcode_table();

std::uint64_t little_endian(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Where the line starting at `pos` ends (the newline's position), or npos.
std::size_t line_end(std::string_view data, std::size_t pos) { return data.find('\n', pos); }

}  // namespace

Status check_pickle(std::string_view data) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  std::size_t pos = 0;
  std::uint64_t ops = 0;
  while (pos < data.size()) {
    const std::uint8_t code = bytes[pos];
    const Opcode op = kOpcodes.at[code];
    const std::size_t at = pos++;
    ++ops;
    std::uint64_t memo = 0;
    bool names_memo = false;
    switch (op.arg) {
      case Arg::kInvalid: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", code);
        return Status::Invalid("pickle opcode ", hex, " at byte ", at, " is not one pickle knows");
      }
      case Arg::kNone:
        if (code == '.') return Status::OK();  // STOP
        break;
      case Arg::kMemoize: break;
      case Arg::kFixed:
      case Arg::kMemoFixed:
        if (data.size() - pos < op.size) return Status::Invalid("pickle truncated in the argument at byte ", at);
        if (op.arg == Arg::kMemoFixed) {
          memo = little_endian(bytes + pos, op.size);
          names_memo = true;
        }
        pos += op.size;
        break;
      case Arg::kCounted: {
        if (data.size() - pos < op.size) return Status::Invalid("pickle truncated in the length at byte ", at);
        const std::uint64_t n = little_endian(bytes + pos, op.size);
        pos += op.size;
        // BINSTRING and LONG4 lengths are signed: a negative one is as invalid as a long one.
        if (n > data.size() - pos) {
          return Status::Invalid("pickle argument at byte ", at, " announces ", n, " bytes, ", data.size() - pos,
                                 " remain");
        }
        pos += static_cast<std::size_t>(n);
        break;
      }
      case Arg::kLine:
      case Arg::kTwoLines:
      case Arg::kMemoLine: {
        std::size_t end = line_end(data, pos);
        if (end == std::string_view::npos) return Status::Invalid("pickle line at byte ", at, " has no end");
        if (op.arg == Arg::kMemoLine) {
          names_memo = true;
          if (end == pos || end - pos > 19) return Status::Invalid("pickle memo index at byte ", at, " is malformed");
          for (std::size_t i = pos; i < end; ++i) {
            if (bytes[i] < '0' || bytes[i] > '9')
              return Status::Invalid("pickle memo index at byte ", at, " is malformed");
            memo = memo * 10 + (bytes[i] - '0');
          }
        }
        pos = end + 1;
        if (op.arg == Arg::kTwoLines) {
          end = line_end(data, pos);
          if (end == std::string_view::npos) return Status::Invalid("pickle line at byte ", at, " has no end");
          pos = end + 1;
        }
        break;
      }
    }
    // A memo index beyond the opcodes so far names nothing a well-formed pickle could have
    // stored; the C unpickler would size its memo by it.
    if (names_memo && memo >= ops) {
      return Status::Invalid("pickle memo index ", memo, " at byte ", at, " is beyond its ", ops, " opcodes");
    }
  }
  return Status::Invalid("pickle has no STOP opcode");
}

}  // namespace arrowpack::python
