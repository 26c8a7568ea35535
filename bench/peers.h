// The peers of the object benchmarks, each on its idiomatic fast path and reading back into
// owned C++ objects: cereal's binary archive and msgpack-cxx (headers only, MSGPACK_NO_BOOST).
// The workloads' types are declared here so that both peers and arrowpack see the same ones.
#pragma once

#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST
#endif

#include <Eigen/Core>
#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <msgpack.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace arrowpack::bench {

/// W4 and W3: one small record (arrowpack reflects it with Boost.PFR).
struct Record {
  std::string name;
  double a, b, c, d;
  std::int64_t id;
  bool operator==(const Record&) const = default;
};

template <class Archive>
void serialize(Archive& ar, Record& r) {  // cereal, found by ADL
  ar(r.name, r.a, r.b, r.c, r.d, r.id);
}

/// cereal: into a std::string through a stream, and back.
template <typename T>
std::string cereal_save(const T& x) {
  std::ostringstream os;
  {
    cereal::BinaryOutputArchive ar(os);
    ar(x);
  }
  return std::move(os).str();
}
template <typename T>
T cereal_load(const std::string& bytes) {
  std::istringstream is(bytes);
  cereal::BinaryInputArchive ar(is);
  T out;
  ar(out);
  return out;
}

/// msgpack: into an sbuffer, and back through unpack + convert.
template <typename T>
msgpack::sbuffer msgpack_save(const T& x) {
  msgpack::sbuffer sb;
  msgpack::pack(sb, x);
  return sb;
}
template <typename T>
T msgpack_load(const char* data, std::size_t size) {
  msgpack::object_handle oh = msgpack::unpack(data, size);
  return oh.get().as<T>();
}

}  // namespace arrowpack::bench

// cereal: Eigen::MatrixXd as rows, cols and the raw doubles.
namespace Eigen {
template <class Archive>
void save(Archive& ar, const MatrixXd& m) {
  ar(static_cast<std::int64_t>(m.rows()), static_cast<std::int64_t>(m.cols()));
  ar(cereal::binary_data(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double)));
}
template <class Archive>
void load(Archive& ar, MatrixXd& m) {
  std::int64_t rows = 0, cols = 0;
  ar(rows, cols);
  m.resize(rows, cols);
  ar(cereal::binary_data(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double)));
}
}  // namespace Eigen

// msgpack: Record as an array of its fields; Eigen::MatrixXd as [rows, cols, bin].
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<arrowpack::bench::Record> {
    template <typename Stream>
    packer<Stream>& operator()(packer<Stream>& o, const arrowpack::bench::Record& r) const {
      o.pack_array(6);
      o.pack(r.name);
      o.pack(r.a);
      o.pack(r.b);
      o.pack(r.c);
      o.pack(r.d);
      o.pack(r.id);
      return o;
    }
  };
  template <>
  struct convert<arrowpack::bench::Record> {
    const msgpack::object& operator()(const msgpack::object& o, arrowpack::bench::Record& r) const {
      if (o.type != msgpack::type::ARRAY || o.via.array.size != 6) throw msgpack::type_error();
      const msgpack::object* f = o.via.array.ptr;
      f[0].convert(r.name);
      f[1].convert(r.a);
      f[2].convert(r.b);
      f[3].convert(r.c);
      f[4].convert(r.d);
      f[5].convert(r.id);
      return o;
    }
  };
  template <>
  struct pack<Eigen::MatrixXd> {
    template <typename Stream>
    packer<Stream>& operator()(packer<Stream>& o, const Eigen::MatrixXd& m) const {
      o.pack_array(3);
      o.pack(static_cast<std::int64_t>(m.rows()));
      o.pack(static_cast<std::int64_t>(m.cols()));
      const auto bytes = static_cast<std::uint32_t>(m.size() * sizeof(double));
      o.pack_bin(bytes);
      o.pack_bin_body(reinterpret_cast<const char*>(m.data()), bytes);
      return o;
    }
  };
  template <>
  struct convert<Eigen::MatrixXd> {
    const msgpack::object& operator()(const msgpack::object& o, Eigen::MatrixXd& m) const {
      if (o.type != msgpack::type::ARRAY || o.via.array.size != 3) throw msgpack::type_error();
      const msgpack::object* f = o.via.array.ptr;
      const auto rows = f[0].as<std::int64_t>(), cols = f[1].as<std::int64_t>();
      if (f[2].type != msgpack::type::BIN || rows < 0 || cols < 0 ||
          f[2].via.bin.size != static_cast<std::uint64_t>(rows * cols) * sizeof(double)) {
        throw msgpack::type_error();
      }
      m.resize(rows, cols);
      std::memcpy(m.data(), f[2].via.bin.ptr, f[2].via.bin.size);
      return o;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
