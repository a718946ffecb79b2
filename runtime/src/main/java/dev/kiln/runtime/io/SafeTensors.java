package dev.kiln.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files, the
 * weight format of PyTorch and Hugging Face, so Kiln networks can exchange weights with them
 * without any library.
 *
 * <p>Layout: 8 bytes little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8 JSON
 * mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} plus an
 * optional {@code "__metadata__"} object of strings, padded with trailing spaces; then the data
 * buffer, little-endian and row-major, with offsets relative to its start.
 *
 * <p>{@link #read} validates the whole header against the actual file length before allocating
 * anything for tensor data, so a malformed or hostile file fails with a {@link
 * KilnFormatException} naming the file and the problem, never with an {@link OutOfMemoryError} or
 * a runtime exception. {@link #write} writes F32 tensors atomically: a crash or error leaves either
 * the old file or the complete new one.
 */
public final class SafeTensors {
  /** Largest header accepted, as in the reference implementation (100 MB). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** Largest single tensor {@link #read} holds in memory: the largest Java byte array. */
  public static final int MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

  static final String METADATA_KEY = "__metadata__";

  private static final int WRITE_CHUNK_BYTES = 1 << 16;

  private SafeTensors() {}

  /** Element types a safetensors file may declare; {@link #name()} is the spelling in the file. */
  public enum DType {
    BOOL(1),
    U8(1),
    I8(1),
    F8_E4M3(1),
    F8_E5M2(1),
    I16(2),
    U16(2),
    F16(2),
    BF16(2),
    I32(4),
    U32(4),
    F32(4),
    I64(8),
    U64(8),
    F64(8);

    private final int byteSize;

    DType(int byteSize) {
      this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
      return byteSize;
    }

    /** The dtype spelled {@code name} in a file, or {@code null} if there is none. */
    static DType fromFileName(String name) {
      for (DType d : values()) {
        if (d.name().equals(name)) {
          return d;
        }
      }
      return null;
    }
  }

  /**
   * One tensor's header entry as read from a file: its dtype, shape and byte range {@code [begin,
   * end)} relative to the start of the data buffer.
   */
  public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    public TensorInfo {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dtype, "dtype");
      shape = Objects.requireNonNull(shape, "shape").clone();
    }

    /** A copy of the shape; {@code []} for a scalar. */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long elementCount() {
      long count = 1;
      for (long d : shape) {
        count *= d; // validated on read not to overflow
      }
      return count;
    }

    public long byteLength() {
      return end - begin;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TensorInfo t
          && name.equals(t.name)
          && dtype == t.dtype
          && Arrays.equals(shape, t.shape)
          && begin == t.begin
          && end == t.end;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
      return "TensorInfo[" + name + ", " + dtype + ", " + shapeString(shape) + ", [" + begin + ", "
          + end + ")]";
    }
  }

  /**
   * A named F32 tensor to {@link #write}. The shape is copied; {@code data} is not (it is read when
   * written). {@code data.length} must equal the product of the shape.
   */
  public record Tensor(String name, long[] shape, float[] data) {
    public Tensor {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(shape, "shape");
      Objects.requireNonNull(data, "data");
      shape = shape.clone();
      long count = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException(
              "tensor \"" + name + "\" has negative dimension " + d + " in shape "
                  + shapeString(shape));
        }
        try {
          count = Math.multiplyExact(count, d);
        } catch (ArithmeticException e) {
          throw new IllegalArgumentException(
              "tensor \"" + name + "\" shape " + shapeString(shape) + " overflows 64 bits", e);
        }
      }
      if (count != data.length) {
        throw new IllegalArgumentException(
            "tensor \"" + name + "\" has shape " + shapeString(shape) + " (" + count
                + " elements) but " + data.length + " data values");
      }
    }

    /** A tensor {@code name} of the given shape; no dims means a scalar. */
    public static Tensor of(String name, float[] data, long... shape) {
      return new Tensor(name, shape, data);
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t
          && name.equals(t.name)
          && Arrays.equals(shape, t.shape)
          && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
      return "Tensor[" + name + ", " + shapeString(shape) + "]";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Reads and validates a whole safetensors file into memory.
   *
   * @throws KilnFormatException if the file is not a valid safetensors file (too short, header
   *     length out of range, invalid UTF-8 or JSON, missing or ill-typed fields, unknown dtype,
   *     negative dimensions, sizes that overflow, offsets out of range, overlapping or leaving
   *     holes, duplicate names, or a tensor larger than {@link #MAX_TENSOR_BYTES})
   * @throws IOException if the file cannot be read at all
   */
  public static SafeTensorsFile read(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    String file = path.toString();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      if (fileSize < 8) {
        throw format(file, "file is " + fileSize
            + " bytes, too short for the 8-byte header length prefix");
      }
      ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, prefix, 0, file, "the header length");
      long headerLength = prefix.getLong(0);
      if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
        throw format(file, "header length " + Long.toUnsignedString(headerLength)
            + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
      }
      if (headerLength > fileSize - 8) {
        throw format(file, "header length " + headerLength + " runs past the end of the file ("
            + fileSize + " bytes; truncated?)");
      }
      byte[] header = new byte[(int) headerLength];
      readFully(channel, ByteBuffer.wrap(header), 8, file, "the header");
      if (header.length == 0 || header[0] != '{') {
        throw format(file, "header must start with '{', found "
            + (header.length == 0 ? "an empty header" : String.format("byte 0x%02X", header[0])));
      }
      Object root;
      try {
        root = Json.parse(header);
      } catch (Json.ParseException e) {
        throw new KilnFormatException(
            file + ": header is not valid JSON: " + e.getMessage() + " of the header", e);
      }
      if (!(root instanceof Map<?, ?> entries)) {
        throw format(file, "header must be a JSON object");
      }
      long dataStart = 8 + headerLength;
      long bufferLength = fileSize - dataStart;

      Map<String, String> metadata = new LinkedHashMap<>();
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : entries.entrySet()) {
        String key = (String) entry.getKey();
        if (key.equals(METADATA_KEY)) {
          parseMetadata(file, entry.getValue(), metadata);
        } else {
          // Json rejects duplicate keys, so names are unique here.
          tensors.put(key, parseTensor(file, key, entry.getValue(), bufferLength));
        }
      }
      checkLayout(file, tensors.values(), bufferLength);

      Map<String, byte[]> data = new LinkedHashMap<>();
      for (TensorInfo info : tensors.values()) {
        // Sizes were checked against the real file length above, so this allocation is bounded.
        byte[] bytes = new byte[(int) info.byteLength()];
        readFully(channel, ByteBuffer.wrap(bytes), dataStart + info.begin(), file,
            "tensor \"" + info.name() + "\"");
        data.put(info.name(), bytes);
      }
      return new SafeTensorsFile(path, Collections.unmodifiableMap(metadata), tensors, data);
    }
  }

  private static void parseMetadata(String file, Object value, Map<String, String> out)
      throws KilnFormatException {
    if (value == null) {
      return; // the reference implementation treats a null __metadata__ as absent
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw format(file, "\"" + METADATA_KEY + "\" must be an object of strings, found "
          + jsonType(value));
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw format(file, "\"" + METADATA_KEY + "\" entry \"" + e.getKey()
            + "\" must be a string, found " + jsonType(e.getValue()));
      }
      out.put((String) e.getKey(), s);
    }
  }

  private static TensorInfo parseTensor(String file, String name, Object value,
      long bufferLength) throws KilnFormatException {
    String where = "tensor \"" + name + "\"";
    if (!(value instanceof Map<?, ?> fields)) {
      throw format(file, where + " must be an object with dtype, shape and data_offsets, found "
          + jsonType(value));
    }
    for (Object field : fields.keySet()) {
      if (!field.equals("dtype") && !field.equals("shape") && !field.equals("data_offsets")) {
        throw format(file, where + " has unexpected field \"" + field + "\"");
      }
    }
    Object dtypeValue = required(file, where, fields, "dtype");
    if (!(dtypeValue instanceof String dtypeName)) {
      throw format(file, where + " field \"dtype\" must be a string, found "
          + jsonType(dtypeValue));
    }
    DType dtype = DType.fromFileName(dtypeName);
    if (dtype == null) {
      throw format(file, where + " has unknown dtype \"" + dtypeName + "\" (known: "
          + Arrays.toString(DType.values()) + ")");
    }
    long[] shape = longArray(file, where, fields, "shape", -1);
    long elements = 1;
    for (long d : shape) {
      if (d < 0) {
        throw format(file, where + " has negative dimension " + d + " in shape "
            + shapeString(shape));
      }
    }
    long byteLength;
    try {
      for (long d : shape) {
        elements = Math.multiplyExact(elements, d);
      }
      byteLength = Math.multiplyExact(elements, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw format(file, where + " with shape " + shapeString(shape) + " and dtype " + dtype
          + " has a size that overflows 64 bits");
    }
    long[] offsets = longArray(file, where, fields, "data_offsets", 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (begin < 0 || end < begin) {
      throw format(file, where + " has invalid data_offsets [" + begin + ", " + end
          + "]: need 0 <= begin <= end");
    }
    if (end > bufferLength) {
      throw format(file, where + " data_offsets [" + begin + ", " + end
          + "] run past the end of the data buffer, which has " + bufferLength
          + " bytes (truncated?)");
    }
    if (end - begin != byteLength) {
      throw format(file, where + " (" + dtype + ", shape " + shapeString(shape) + ") needs "
          + byteLength + " bytes but data_offsets [" + begin + ", " + end + "] span "
          + (end - begin));
    }
    if (byteLength > MAX_TENSOR_BYTES) {
      throw format(file, where + " is " + byteLength + " bytes; this reader holds at most "
          + MAX_TENSOR_BYTES + " bytes per tensor");
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static Object required(String file, String where, Map<?, ?> fields, String field)
      throws KilnFormatException {
    if (!fields.containsKey(field)) {
      throw format(file, where + " is missing field \"" + field + "\"");
    }
    return fields.get(field);
  }

  /** A JSON array of integers; {@code length} -1 means any length. */
  private static long[] longArray(String file, String where, Map<?, ?> fields, String field,
      int length) throws KilnFormatException {
    Object value = required(file, where, fields, field);
    String expected = "an array of " + (length < 0 ? "" : length + " ") + "integers";
    if (!(value instanceof List<?> list)) {
      throw format(file, where + " field \"" + field + "\" must be " + expected + ", found "
          + jsonType(value));
    }
    if (length >= 0 && list.size() != length) {
      throw format(file, where + " field \"" + field + "\" must be " + expected + ", found "
          + list.size() + " elements");
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Long l)) {
        throw format(file, where + " field \"" + field + "\" must be " + expected + ", element "
            + i + " is " + jsonType(list.get(i)));
      }
      out[i] = l;
    }
    return out;
  }

  /** Offsets must tile {@code [0, bufferLength)} exactly: sorted, no holes, no overlaps. */
  private static void checkLayout(String file, Iterable<TensorInfo> tensors, long bufferLength)
      throws KilnFormatException {
    List<TensorInfo> sorted = new ArrayList<>();
    tensors.forEach(sorted::add);
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long expected = 0;
    TensorInfo previous = null;
    for (TensorInfo t : sorted) {
      if (t.begin() < expected) {
        throw format(file, "tensor \"" + t.name() + "\" data_offsets [" + t.begin() + ", "
            + t.end() + "] overlap tensor \"" + previous.name() + "\" [" + previous.begin()
            + ", " + previous.end() + "]");
      }
      if (t.begin() > expected) {
        throw format(file, "data buffer has a hole: bytes [" + expected + ", " + t.begin()
            + ") before tensor \"" + t.name() + "\" belong to no tensor");
      }
      expected = t.end();
      previous = t;
    }
    if (expected != bufferLength) {
      throw format(file, "data buffer has " + bufferLength + " bytes but the tensors cover only "
          + expected + " (" + (bufferLength - expected) + " trailing bytes)");
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position,
      String file, String what) throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw format(file, "file ended at byte " + position + " while reading " + what
            + " (truncated while being read?)");
      }
      position += n;
    }
  }

  static String jsonType(Object value) {
    if (value == null) {
      return "null";
    } else if (value instanceof Map) {
      return "an object";
    } else if (value instanceof List) {
      return "an array";
    } else if (value instanceof String) {
      return "a string";
    } else if (value instanceof Long) {
      return "an integer";
    } else if (value instanceof Double) {
      return "a non-integer number";
    } else {
      return "a boolean";
    }
  }

  static KilnFormatException format(String file, String message) {
    return new KilnFormatException(file + ": " + message);
  }

  /** {@code [2, 3]}; {@code []} for a scalar. */
  static String shapeString(long[] shape) {
    return Arrays.toString(shape);
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Writes F32 tensors to {@code path} atomically: the data goes to a temporary file in the same
   * directory, is forced to disk, and then renamed over {@code path} (an atomic rename where the
   * file system supports one). On any failure the temporary file is deleted and an existing file
   * at {@code path} is left untouched.
   *
   * <p>Header keys appear in list order, after {@code "__metadata__"} (omitted when {@code
   * metadata} is null or empty); data is laid out in the same order; the header is padded with
   * spaces to a multiple of 8 bytes, as the reference writer does.
   *
   * @throws IllegalArgumentException for duplicate or reserved names, strings with unpaired
   *     surrogates, or a header over {@link #MAX_HEADER_BYTES}; nothing is written then
   * @throws IOException if writing, forcing or renaming fails
   */
  public static void write(Path path, List<Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(tensors, "tensors");
    byte[] header = header(tensors, metadata == null ? Map.of() : metadata);

    AtomicFiles.write(path, channel -> {
      ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      prefix.putLong(0, header.length);
      AtomicFiles.writeFully(channel, prefix);
      AtomicFiles.writeFully(channel, ByteBuffer.wrap(header));
      ByteBuffer chunk = ByteBuffer.allocate(WRITE_CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      FloatBuffer floats = chunk.asFloatBuffer();
      for (Tensor t : tensors) {
        float[] data = t.data();
        for (int offset = 0; offset < data.length; ) {
          int n = Math.min(floats.capacity(), data.length - offset);
          floats.clear();
          floats.put(data, offset, n);
          chunk.clear().limit(n * Float.BYTES);
          AtomicFiles.writeFully(channel, chunk);
          offset += n;
        }
      }
    });
  }

  /** The header JSON, UTF-8 encoded and padded with spaces to a multiple of 8 bytes. */
  static byte[] header(List<Tensor> tensors, Map<String, String> metadata) {
    StringBuilder json = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      json.append('"').append(METADATA_KEY).append("\":{");
      boolean first = true;
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        String key = Objects.requireNonNull(e.getKey(), "metadata key");
        String value = Objects.requireNonNull(e.getValue(), "metadata value for \"" + key + "\"");
        if (!first) {
          json.append(',');
        }
        first = false;
        appendString(json, key, "metadata key");
        json.append(':');
        appendString(json, value, "metadata value for \"" + key + "\"");
      }
      json.append('}');
    }
    Set<String> names = new HashSet<>();
    long offset = 0;
    for (Tensor t : tensors) {
      Objects.requireNonNull(t, "tensor");
      if (t.name().equals(METADATA_KEY)) {
        throw new IllegalArgumentException("tensor name \"" + METADATA_KEY + "\" is reserved");
      }
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("duplicate tensor name \"" + t.name() + "\"");
      }
      if (json.length() > 1) {
        json.append(',');
      }
      appendString(json, t.name(), "tensor name");
      json.append(":{\"dtype\":\"F32\",\"shape\":[");
      long[] shape = t.shape;
      for (int i = 0; i < shape.length; i++) {
        if (i > 0) {
          json.append(',');
        }
        json.append(shape[i]);
      }
      long end = offset + (long) t.data().length * Float.BYTES;
      json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    json.append('}');
    byte[] unpadded = json.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (unpadded.length + 7) & ~7;
    if (padded > MAX_HEADER_BYTES || padded < 0) {
      throw new IllegalArgumentException("header would be " + unpadded.length
          + " bytes, over the limit of " + MAX_HEADER_BYTES);
    }
    byte[] header = Arrays.copyOf(unpadded, padded);
    Arrays.fill(header, unpadded.length, padded, (byte) ' ');
    return header;
  }

  private static void appendString(StringBuilder json, String s, String what) {
    json.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          json.append(c).append(s.charAt(++i));
          continue;
        }
        throw new IllegalArgumentException(
            what + " \"" + s + "\" contains an unpaired surrogate at index " + i);
      }
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
