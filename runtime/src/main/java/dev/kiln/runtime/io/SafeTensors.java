package dev.kiln.runtime.io;

import dev.kiln.safetensors.DType;
import dev.kiln.safetensors.SafeTensorsFormatException;
import dev.kiln.safetensors.SafeTensorsHeader;
import dev.kiln.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
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
 * a runtime exception. {@link #write} writes F32 and I64 tensors atomically: a crash or error leaves either
 * the old file or the complete new one.
 */
public final class SafeTensors {
  /** Largest header accepted, as in the reference implementation (100 MB). */
  public static final long MAX_HEADER_BYTES = SafeTensorsHeader.MAX_HEADER_BYTES;

  /** Largest single tensor {@link #read} holds in memory: the largest Java byte array. */
  public static final int MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

  static final String METADATA_KEY = SafeTensorsHeader.METADATA_KEY;

  private static final int WRITE_CHUNK_BYTES = 1 << 16;

  private SafeTensors() {}

  /** A named tensor to {@link #write}: a {@link Tensor} (F32) or a {@link LongTensor} (I64). */
  public sealed interface Entry permits Tensor, LongTensor {
    String name();

    /** A copy of the shape; {@code []} for a scalar. */
    long[] shape();

    /** The dtype it is written as. */
    DType dtype();

    /** Number of values: the product of the shape. */
    int length();
  }

  /**
   * A named F32 tensor to {@link #write}. The shape is copied; {@code data} is not (it is read when
   * written). {@code data.length} must equal the product of the shape.
   */
  public record Tensor(String name, long[] shape, float[] data) implements Entry {
    public Tensor {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(data, "data");
      shape = checkedShape(name, shape, data.length);
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
    public DType dtype() {
      return DType.F32;
    }

    @Override
    public int length() {
      return data.length;
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

  /**
   * A named I64 tensor to {@link #write}, such as PyTorch's {@code num_batches_tracked} scalar.
   * The shape is copied; {@code data} is not. {@code data.length} must equal the product of the
   * shape.
   */
  public record LongTensor(String name, long[] shape, long[] data) implements Entry {
    public LongTensor {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(data, "data");
      shape = checkedShape(name, shape, data.length);
    }

    /** A scalar (shape {@code []}) holding {@code value}. */
    public static LongTensor scalar(String name, long value) {
      return new LongTensor(name, new long[0], new long[] {value});
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public DType dtype() {
      return DType.I64;
    }

    @Override
    public int length() {
      return data.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LongTensor t
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
      return "LongTensor[" + name + ", " + shapeString(shape) + "]";
    }
  }

  /** A copy of {@code shape} after checking it holds exactly {@code length} values. */
  private static long[] checkedShape(String name, long[] shape, int length) {
    Objects.requireNonNull(shape, "shape");
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
    if (count != length) {
      throw new IllegalArgumentException(
          "tensor \"" + name + "\" has shape " + shapeString(shape) + " (" + count
              + " elements) but " + length + " data values");
    }
    return shape;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Reads and validates a whole safetensors file into memory. The header is read and checked by
   * {@link SafeTensorsHeader}, the reader the annotation processor's {@code @Weights} check shares,
   * before anything is allocated for tensor data.
   *
   * @throws KilnFormatException if the file is not a valid safetensors file (not safetensors at
   *     all, too short, header length out of range, invalid UTF-8 or JSON, duplicate keys, missing
   *     or ill-typed fields, unknown dtype, negative dimensions, sizes that overflow, offsets out of
   *     range, overlapping or leaving holes, or a tensor larger than {@link #MAX_TENSOR_BYTES})
   * @throws IOException if the file cannot be read at all
   */
  public static SafeTensorsFile read(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      return read(channel, path, path.toString());
    }
  }

  /**
   * Reads and validates a safetensors file held in {@code bytes} (a class-path resource read
   * into memory, a download), with exactly the checks of {@link #read(Path)}. The bytes are not
   * copied before the checks; each tensor's data is copied out of them.
   *
   * @param source how messages name the file, such as a resource name
   * @throws KilnFormatException if the bytes are not a valid safetensors file
   */
  public static SafeTensorsFile read(byte[] bytes, String source) throws IOException {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(source, "source");
    return read(new ByteArrayChannel(bytes), null, source);
  }

  private static SafeTensorsFile read(SeekableByteChannel channel, Path path, String file) throws IOException {
    SafeTensorsHeader header;
    try {
      header = SafeTensorsHeader.read(channel, file);
    } catch (SafeTensorsFormatException e) {
      throw new KilnFormatException(e.getMessage(), e);
    }
    for (TensorInfo info : header.tensors()) {
      if (info.byteLength() > MAX_TENSOR_BYTES) {
        throw format(file, "tensor \"" + info.name() + "\" is " + info.byteLength()
            + " bytes; this reader holds at most " + MAX_TENSOR_BYTES + " bytes per tensor");
      }
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    for (TensorInfo info : header.tensors()) {
      // Sizes were checked against the real file length, so this allocation is bounded.
      byte[] bytes = new byte[(int) info.byteLength()];
      readFully(channel, ByteBuffer.wrap(bytes), header.dataStart() + info.begin(), file,
          "tensor \"" + info.name() + "\"");
      data.put(info.name(), bytes);
    }
    return new SafeTensorsFile(path, file, header.metadata(), header.tensorsByName(), data);
  }

  /** A read-only channel over a byte array: the in-memory file {@link #read(byte[], String)} reads. */
  private static final class ByteArrayChannel implements SeekableByteChannel {
    private final byte[] bytes;
    private long position;
    private boolean open = true;

    ByteArrayChannel(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (position >= bytes.length) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), bytes.length - position);
      dst.put(bytes, (int) position, n);
      position += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
      if (newPosition < 0) {
        throw new IllegalArgumentException("negative position " + newPosition);
      }
      position = newPosition;
      return this;
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }

  private static void readFully(SeekableByteChannel channel, ByteBuffer buffer, long position,
      String file, String what) throws IOException {
    channel.position(position);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw format(file, "file ended at byte " + (position + buffer.position()) + " while reading " + what
            + " (truncated while being read?)");
      }
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
   * Writes tensors (F32 {@link Tensor}s, I64 {@link LongTensor}s) to {@code path} atomically: the data goes to a temporary file in the same
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
  public static void write(Path path, List<? extends Entry> tensors, Map<String, String> metadata)
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
      LongBuffer longs = chunk.asLongBuffer();
      for (Entry entry : tensors) {
        if (entry instanceof Tensor t) {
          float[] data = t.data();
          for (int offset = 0; offset < data.length; ) {
            int n = Math.min(floats.capacity(), data.length - offset);
            floats.clear();
            floats.put(data, offset, n);
            chunk.clear().limit(n * Float.BYTES);
            AtomicFiles.writeFully(channel, chunk);
            offset += n;
          }
        } else if (entry instanceof LongTensor t) {
          long[] data = t.data();
          for (int offset = 0; offset < data.length; ) {
            int n = Math.min(longs.capacity(), data.length - offset);
            longs.clear();
            longs.put(data, offset, n);
            chunk.clear().limit(n * Long.BYTES);
            AtomicFiles.writeFully(channel, chunk);
            offset += n;
          }
        }
      }
    });
  }

  /** The header JSON, UTF-8 encoded and padded with spaces to a multiple of 8 bytes. */
  static byte[] header(List<? extends Entry> tensors, Map<String, String> metadata) {
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
    for (Entry t : tensors) {
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
      json.append(":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":[");
      long[] shape = t.shape();
      for (int i = 0; i < shape.length; i++) {
        if (i > 0) {
          json.append(',');
        }
        json.append(shape[i]);
      }
      long end = offset + (long) t.length() * t.dtype().byteSize();
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
