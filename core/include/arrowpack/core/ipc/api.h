// The Arrow IPC formats: encapsulated messages, the streaming format and the random-access
// file format, Tensor and SparseTensor messages, byte-compatible with every Arrow
// implementation (metadata version V5; V4 is read too). One header per concern:
//   options.h     IpcWriteOptions, IpcReadOptions, MetadataVersion, MessageType
//   message.h     Message, read_message/write_message, the framing, RecordBatch layouts
//   dictionary.h  DictionaryMemo
//   reader.h      read_schema/read_record_batch, StreamReader, FileReader
//   writer.h      make_record_batch_payload, StreamWriter, FileWriter
//   tensor.h      Tensor and SparseTensor messages
#pragma once

#include "arrowpack/core/ipc/dictionary.h"
#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/options.h"
#include "arrowpack/core/ipc/reader.h"
#include "arrowpack/core/ipc/tensor.h"
#include "arrowpack/core/ipc/writer.h"
