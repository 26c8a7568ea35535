"""pyarrow's chapter "Streaming, Serialization, and IPC", run with arrowpack in place of
pyarrow: streams, random-access files, the memory-mapped bigfile.arrow (0 bytes allocated),
arbitrary object serialization, components, and a custom type.

    python examples/python/ipc_chapter.py [WORKDIR]

WORKDIR holds bigfile.arrow (default: a temporary folder). Each section prints what the
chapter's snippet prints, and checks it."""
import os
import sys
import tempfile

import numpy as np

import arrowpack as pa

workdir = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="arrowpack-chapter-")

# --- Using streams
data = [pa.array([1, 2, 3, 4]), pa.array(["foo", "bar", "baz", None]), pa.array([True, None, False, True])]
batch = pa.record_batch(data, names=["f0", "f1", "f2"])
print(">>> batch.num_rows, batch.num_columns")
print(batch.num_rows, batch.num_columns)

sink = pa.BufferOutputStream()
with pa.ipc.new_stream(sink, batch.schema) as writer:
    for i in range(5):
        writer.write_batch(batch)
buf = sink.getvalue()
print(">>> buf.size")
print(buf.size)

with pa.ipc.open_stream(buf) as reader:
    schema = reader.schema
    batches = [b for b in reader]
print(">>> schema")
print(schema)
print(">>> len(batches)")
print(len(batches))
assert len(batches) == 5 and batches[0].equals(batch)
# Zero-copy: the batch's values are views of buf.
values = batches[0].column(0).to_numpy()
address = values.__array_interface__["data"][0]
assert buf.address <= address < buf.address + buf.size

# --- Writing and reading random access files
sink = pa.BufferOutputStream()
with pa.ipc.new_file(sink, batch.schema) as writer:
    for i in range(10):
        writer.write_batch(batch)
buf = sink.getvalue()
with pa.ipc.open_file(buf) as reader:
    num_record_batches = reader.num_record_batches
    b = reader.get_batch(3)
    table = reader.read_all()
print(">>> num_record_batches")
print(num_record_batches)
print(">>> b.equals(batch), table.num_rows")
print(b.equals(batch), table.num_rows)
assert num_record_batches == 10 and table.num_rows == 40

# --- Efficiently writing and reading Arrow data
BATCH_SIZE = 10000
NUM_BATCHES = 1000
schema = pa.schema([pa.field("nums", pa.int32())])
path = os.path.join(workdir, "bigfile.arrow")
with pa.OSFile(path, "wb") as sink:
    with pa.ipc.new_file(sink, schema) as writer:
        for row in range(NUM_BATCHES):
            batch = pa.record_batch([pa.array(np.arange(BATCH_SIZE, dtype=np.int32))], schema=schema)
            writer.write(batch)

before = pa.total_allocated_bytes()
with pa.memory_map(path, "r") as source:
    loaded_array = pa.ipc.open_file(source).read_all()
print(">>> len(loaded_array); pa.total_allocated_bytes() (memory map)")
print("LEN:", len(loaded_array))
print("RSS: {}MB".format((pa.total_allocated_bytes() - before) >> 20), f"({pa.total_allocated_bytes() - before} bytes)")
assert len(loaded_array) == BATCH_SIZE * NUM_BATCHES and pa.total_allocated_bytes() == before

with pa.OSFile(path, "rb") as source:
    read_array = pa.ipc.open_file(source).read_all()
print(">>> the same through an OSFile: the buffers are read into memory")
print("LEN:", len(read_array))
print("RSS: {}MB".format((pa.total_allocated_bytes() - before) >> 20))
assert pa.total_allocated_bytes() - before >= BATCH_SIZE * NUM_BATCHES * 4
del read_array

# --- Arbitrary object serialization
data = {i: np.random.randn(500, 500) for i in range(100)}
buf = pa.serialize(data).to_buffer()
print(">>> buf.size")
print(buf.size)
restored_data = pa.deserialize(buf)
assert all(np.array_equal(restored_data[i], data[i]) for i in range(100))
first = restored_data[0].__array_interface__["data"][0]
assert buf.address <= first < buf.address + buf.size and not restored_data[0].flags.writeable
print(">>> restored_data[0] is a read-only view of buf:", True)

components = pa.serialize(data).to_components()
print(">>> components['num_ndarrays'], len(components['data'])")
print(components["num_ndarrays"], len(components["data"]))
restored = pa.deserialize_components(components)
assert all(np.array_equal(restored[i], data[i]) for i in range(100))
# The components are views of the arrays: deserializing them copies nothing.
assert restored[5].__array_interface__["data"][0] == data[5].__array_interface__["data"][0]
print(">>> pa.deserialize_components(components) equals data, without a copy:", True)


# --- Serializing custom data types
class MyData:
    def __init__(self, name, data):
        self.name = name
        self.data = data


def _serialize_MyData(val):
    return {"name": val.name, "data": val.data}


def _deserialize_MyData(data):
    return MyData(data["name"], data["data"])


context = pa.SerializationContext()
context.register_type(MyData, "MyData", custom_serializer=_serialize_MyData, custom_deserializer=_deserialize_MyData)
buf = context.serialize(MyData("foo", [1, 2, 3])).to_buffer()
restored = context.deserialize(buf)
print(">>> restored.name, restored.data")
print(restored.name, restored.data)
assert (restored.name, restored.data) == ("foo", [1, 2, 3])
try:
    pa.deserialize(buf)  # the default context does not know MyData: refused, nothing run
    raise AssertionError("an unregistered type was read")
except pa.DeserializationCallbackError as e:
    print(">>> without the registration:", e)
