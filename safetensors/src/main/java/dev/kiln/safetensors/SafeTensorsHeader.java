package dev.kiln.safetensors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The strict, bounded reader of a <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * header, shared by Kiln's runtime (which then reads the data) and its annotation processor (which
 * checks {@code @Weights} files at compile time), so both accept exactly the same files.
 *
 * <p>Layout: 8 bytes little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8 JSON
 * mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} plus an
 * optional {@code "__metadata__"} object of strings, padded with trailing spaces; then the data
 * buffer, little-endian and row-major, with offsets relative to its start.
 *
 * <p>Everything is validated against the real file length before the caller allocates anything
 * for tensor data: the header length (at most {@link #MAX_HEADER_BYTES}), strict JSON (no
 * duplicate keys, valid escapes and UTF-8, bounded nesting), each entry's fields, known dtypes,
 * shapes whose byte size (elements x dtype size) equals the entry's span, and offsets that tile
 * the data buffer exactly. A malformed or hostile file fails with a {@link
 * SafeTensorsFormatException} naming the file and the problem; a file that is not safetensors at
 * all (text, random bytes) is called "not a safetensors file".
 */
public final class SafeTensorsHeader {
  /** Largest header accepted, as in the reference implementation (100 MB). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** The header key of the optional metadata object; never a tensor name. */
  public static final String METADATA_KEY = "__metadata__";

  private final long dataStart;
  private final long dataLength;
  private final Map<String, String> metadata;
  private final Map<String, TensorInfo> tensors;
  private final List<TensorInfo> tensorList;

  private SafeTensorsHeader(long dataStart, long dataLength, Map<String, String> metadata,
      Map<String, TensorInfo> tensors) {
    this.dataStart = dataStart;
    this.dataLength = dataLength;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.tensors = Collections.unmodifiableMap(tensors);
    this.tensorList = List.copyOf(tensors.values());
  }

  /** Byte offset in the file where the data buffer starts: 8 + the header length. */
  public long dataStart() {
    return dataStart;
  }

  /** Bytes in the data buffer, which the tensors cover exactly. */
  public long dataLength() {
    return dataLength;
  }

  /** The {@code "__metadata__"} strings in header order; empty if the file has none. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Every tensor's entry, in header order. */
  public List<TensorInfo> tensors() {
    return tensorList;
  }

  /** Tensor entries by name, in header order. */
  public Map<String, TensorInfo> tensorsByName() {
    return tensors;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Reads and validates the header of the file open in {@code channel}, whose size is the file's
   * length. Reads only the length prefix and the header; the channel's position is left anywhere.
   *
   * @param file how messages name the file
   * @throws SafeTensorsFormatException if the file is not a valid safetensors file
   * @throws IOException if it cannot be read
   */
  public static SafeTensorsHeader read(SeekableByteChannel channel, String file)
      throws IOException {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(file, "file");
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw tooShort(file, fileSize);
    }
    byte[] prefix = new byte[8];
    readFully(channel, prefix, 0, file, "the header length");
    long headerLength = littleEndianLong(prefix);
    int firstHeaderByte = -1;
    if (fileSize > 8) {
      byte[] first = new byte[1];
      readFully(channel, first, 8, file, "the header");
      firstHeaderByte = first[0] & 0xFF;
    }
    checkHeaderLength(file, fileSize, prefix, headerLength, firstHeaderByte);
    // Bounded: at most MAX_HEADER_BYTES, and no more than the file holds.
    byte[] header = new byte[(int) headerLength];
    readFully(channel, header, 8, file, "the header");
    return parse(file, header, fileSize);
  }

  /**
   * Reads and validates the header of the file {@code in} streams from its first byte. The rest
   * of the stream is read (and discarded) to learn the file's length, which the header is checked
   * against; the stream is not closed.
   *
   * @param file how messages name the file
   * @throws SafeTensorsFormatException if the file is not a valid safetensors file
   * @throws IOException if it cannot be read
   */
  public static SafeTensorsHeader read(InputStream in, String file) throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(file, "file");
    byte[] prefix = in.readNBytes(8);
    if (prefix.length < 8) {
      throw tooShort(file, prefix.length);
    }
    long headerLength = littleEndianLong(prefix);
    // readNBytes grows its buffer as bytes arrive, so a lying length allocates no more than the
    // stream really holds (and never more than MAX_HEADER_BYTES).
    byte[] header = headerLength >= 0 && headerLength <= MAX_HEADER_BYTES
        ? in.readNBytes((int) headerLength)
        : in.readNBytes(1);
    long fileSize = 8 + header.length + in.transferTo(OutputStream.nullOutputStream());
    checkHeaderLength(file, fileSize, prefix, headerLength,
        header.length == 0 ? -1 : header[0] & 0xFF);
    return parse(file, header, fileSize);
  }

  private static SafeTensorsFormatException tooShort(String file, long fileSize) {
    return new SafeTensorsFormatException(file, "not a safetensors file: file is " + fileSize
        + " bytes, too short for the 8-byte header length prefix");
  }

  /**
   * Checks the length prefix against the limit and the file. A length out of range followed by
   * something other than '{' means the file is not safetensors at all (a text file's first eight
   * characters read as a length in the quintillions), and is reported so.
   */
  private static void checkHeaderLength(String file, long fileSize, byte[] prefix,
      long headerLength, int firstHeaderByte) throws SafeTensorsFormatException {
    boolean plausible = headerLength >= 0 && headerLength <= MAX_HEADER_BYTES;
    boolean opensObject = firstHeaderByte == '{';
    if (!plausible) {
      if (!opensObject) {
        throw notSafetensors(file, prefix);
      }
      throw new SafeTensorsFormatException(file, "header length "
          + Long.toUnsignedString(headerLength) + " exceeds the limit of " + MAX_HEADER_BYTES
          + " bytes");
    }
    if (headerLength > fileSize - 8) {
      if (!opensObject && firstHeaderByte != -1) {
        throw notSafetensors(file, prefix);
      }
      throw new SafeTensorsFormatException(file, "header length " + headerLength
          + " runs past the end of the file (" + fileSize + " bytes; truncated?)");
    }
  }

  private static SafeTensorsFormatException notSafetensors(String file, byte[] prefix) {
    boolean text = true;
    for (byte b : prefix) {
      text &= (b >= 0x20 && b < 0x7F) || b == '\n' || b == '\r' || b == '\t';
    }
    StringBuilder start = new StringBuilder();
    if (text) {
      start.append("the text \"");
      for (byte b : prefix) {
        switch (b) {
          case '\n' -> start.append("\\n");
          case '\r' -> start.append("\\r");
          case '\t' -> start.append("\\t");
          case '"' -> start.append("\\\"");
          case '\\' -> start.append("\\\\");
          default -> start.append((char) b);
        }
      }
      start.append('"');
    } else {
      start.append("the bytes");
      for (byte b : prefix) {
        start.append(String.format(" %02X", b & 0xFF));
      }
    }
    return new SafeTensorsFormatException(file, "not a safetensors file (it starts with " + start
        + ", not an 8-byte header length followed by a '{' JSON header)");
  }

  private static SafeTensorsHeader parse(String file, byte[] header, long fileSize)
      throws SafeTensorsFormatException {
    if (header.length == 0 || header[0] != '{') {
      throw format(file, "not a safetensors file: header must start with '{', found "
          + (header.length == 0 ? "an empty header" : String.format("byte 0x%02X", header[0])));
    }
    Object root;
    try {
      root = Json.parse(header);
    } catch (Json.ParseException e) {
      throw new SafeTensorsFormatException(file,
          "header is not valid JSON: " + e.getMessage() + " of the header", e);
    }
    if (!(root instanceof Map<?, ?> entries)) {
      throw format(file, "header must be a JSON object");
    }
    long dataStart = 8L + header.length;
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
    return new SafeTensorsHeader(dataStart, bufferLength, metadata, tensors);
  }

  private static void parseMetadata(String file, Object value, Map<String, String> out)
      throws SafeTensorsFormatException {
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
      long bufferLength) throws SafeTensorsFormatException {
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
    for (long d : shape) {
      if (d < 0) {
        throw format(file, where + " has negative dimension " + d + " in shape "
            + Arrays.toString(shape));
      }
    }
    long byteLength;
    try {
      long elements = 1;
      for (long d : shape) {
        elements = Math.multiplyExact(elements, d);
      }
      byteLength = Math.multiplyExact(elements, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw format(file, where + " with shape " + Arrays.toString(shape) + " and dtype " + dtype
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
      throw format(file, where + " (" + dtype + ", shape " + Arrays.toString(shape) + ") needs "
          + byteLength + " bytes but data_offsets [" + begin + ", " + end + "] span "
          + (end - begin));
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static Object required(String file, String where, Map<?, ?> fields, String field)
      throws SafeTensorsFormatException {
    if (!fields.containsKey(field)) {
      throw format(file, where + " is missing field \"" + field + "\"");
    }
    return fields.get(field);
  }

  /** A JSON array of integers; {@code length} -1 means any length. */
  private static long[] longArray(String file, String where, Map<?, ?> fields, String field,
      int length) throws SafeTensorsFormatException {
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
      throws SafeTensorsFormatException {
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

  private static void readFully(SeekableByteChannel channel, byte[] into, long position,
      String file, String what) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(into);
    channel.position(position);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw format(file, "file ended at byte " + (position + buffer.position())
            + " while reading " + what + " (truncated while being read?)");
      }
    }
  }

  private static long littleEndianLong(byte[] prefix) {
    return ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  private static String jsonType(Object value) {
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

  private static SafeTensorsFormatException format(String file, String problem) {
    return new SafeTensorsFormatException(file, problem);
  }
}
