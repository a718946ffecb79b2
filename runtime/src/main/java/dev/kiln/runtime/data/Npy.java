package dev.kiln.runtime.data;

import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.io.KilnFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) of little-endian
 * float32, float64, int32 and int64 elements, any rank, C order, with the JDK alone.
 *
 * <p>Layout: the magic string {@code \x93NUMPY}, a major and minor version byte, the header length
 * (little-endian uint16 in version 1, uint32 in versions 2 and 3), then the header: a Python dict
 * literal such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with
 * spaces and a newline, then the elements in C order.
 *
 * <p>{@link #read} parses the dict literal minimally (exactly the keys {@code descr}, {@code
 * fortran_order} and {@code shape}, string, boolean and integer-tuple values) and checks the
 * header length against the file length, and the element count the shape declares against the
 * bytes that actually follow, before allocating anything. So a malformed file fails fast with a
 * {@link KilnFormatException} naming the file and the byte offset or problem, never with an
 * {@link OutOfMemoryError} or a runtime exception. Big-endian ({@code '>f4'}) and other element
 * types, and {@code fortran_order: True}, are rejected as unsupported.
 *
 * <p>{@link #write} writes version 1.0 (2.0 if the header needs it) with the header padded to a
 * multiple of 64 bytes, as NumPy does, atomically: to a temporary file in the same directory that
 * is forced to disk and then renamed over the target.
 */
public final class Npy {
  /** Largest data section held in memory: the largest Java byte array. */
  public static final int MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

  /** Largest header accepted, in bytes. */
  public static final int MAX_HEADER_BYTES = 1 << 20;

  /** Largest rank accepted. */
  public static final int MAX_RANK = 32;

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int ALIGN = 64;
  private static final int CHUNK_BYTES = 1 << 24;

  private Npy() {}

  /** The supported element types, with their NumPy {@code descr} strings. */
  public enum DType {
    /** {@code '<f4'}: little-endian IEEE 754 32-bit floats. */
    FLOAT32("<f4", 4),
    /** {@code '<f8'}: little-endian IEEE 754 64-bit floats. */
    FLOAT64("<f8", 8),
    /** {@code '<i4'}: little-endian two's-complement 32-bit integers. */
    INT32("<i4", 4),
    /** {@code '<i8'}: little-endian two's-complement 64-bit integers. */
    INT64("<i8", 8);

    private final String descr;
    private final int byteSize;

    DType(String descr, int byteSize) {
      this.descr = descr;
      this.byteSize = byteSize;
    }

    /** The NumPy type string, such as {@code <f4}. */
    public String descr() {
      return descr;
    }

    /** Bytes per element. */
    public int byteSize() {
      return byteSize;
    }

    static DType fromDescr(String descr) {
      for (DType t : values()) {
        if (t.descr.equals(descr)) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * Number of elements of {@code shape}: -1 if a dimension is negative, and saturating at {@code
   * 2^40} (more than any array held in memory) instead of overflowing.
   */
  static long elementCount(int[] shape) {
    long count = 1;
    boolean saturated = false;
    for (int d : shape) {
      if (d < 0) {
        return -1;
      }
      if (d == 0) {
        count = 0;
      } else if (!saturated) {
        count *= d;
        if (count > 1L << 40) {
          saturated = true;
        }
      }
    }
    return count == 0 ? 0 : saturated ? 1L << 40 : count;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Reads and validates a whole {@code .npy} file into memory.
   *
   * @throws KilnFormatException if the file is not a valid {@code .npy} file of a supported type:
   *     bad magic or version, header length beyond the file or {@link #MAX_HEADER_BYTES}, header
   *     not a dict literal with exactly {@code descr}, {@code fortran_order} and {@code shape},
   *     unsupported or big-endian {@code descr}, {@code fortran_order} True, negative or
   *     too-large dimensions, data length not matching the shape
   * @throws IOException if the file cannot be read at all
   */
  public static NpyArray read(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    String file = path.toString();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      Layout layout = layout(channel, file, MAX_DATA_BYTES, "the largest Java array");
      byte[] data = new byte[(int) layout.dataBytes];
      long dataStart = layout.dataStart;
      for (int off = 0; off < data.length; ) {
        int n = Math.min(CHUNK_BYTES, data.length - off);
        ByteBuffer chunk = ByteBuffer.wrap(data, off, n);
        readFully(channel, chunk, dataStart + off);
        if (chunk.hasRemaining()) {
          throw format(file, "file ended at byte " + (dataStart + off + n - chunk.remaining())
              + " while reading data (changed while reading?)");
        }
        off += n;
      }
      return new NpyArray(layout.dtype, layout.shape, data);
    }
  }

  /**
   * Maps a {@code .npy} file into memory instead of reading it: the header gets every check of
   * {@link #read}, the data is not copied, and rows are converted to float as they are read, so a
   * file larger than the heap (or than {@link #MAX_DATA_BYTES}) can feed training through {@link
   * Dataset#of(MappedArray, MappedArray)}. The file must not change while mapped.
   *
   * @throws KilnFormatException as {@link #read}; also for a rank-0 array (no rows)
   */
  public static MappedArray map(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    String file = path.toString();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      Layout layout = layout(channel, file, MappedArray.MAX_BYTES, "the mapping limit");
      if (layout.shape.length == 0) {
        throw format(file, "a scalar (shape []) has no rows to map");
      }
      MappedArray.Element element = switch (layout.dtype) {
        case FLOAT32 -> MappedArray.Element.F32;
        case FLOAT64 -> MappedArray.Element.F64;
        case INT32 -> MappedArray.Element.I32;
        case INT64 -> MappedArray.Element.I64;
      };
      return MappedArray.map(channel, file, layout.dataStart, layout.shape, element, ByteOrder.LITTLE_ENDIAN);
    }
  }

  private record Layout(DType dtype, int[] shape, long dataStart, long dataBytes) {}

  /** Reads and checks the magic, version and header; checks the data's length against the file. */
  private static Layout layout(FileChannel channel, String file, long maxDataBytes, String limitName)
      throws IOException {
    long fileSize = channel.size();
    ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, prefix, 0);
    int got = prefix.position();
    if (got < 8) {
      throw format(file, "file is " + fileSize + " bytes, too short for the 8-byte magic and"
          + " version of a .npy file");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (prefix.get(i) != MAGIC[i]) {
        throw format(file, "bad magic at byte " + i + ": a .npy file starts with \\x93NUMPY");
      }
    }
    int major = prefix.get(6) & 0xFF;
    int minor = prefix.get(7) & 0xFF;
    if (major < 1 || major > 3 || minor != 0) {
      throw format(file, "unsupported .npy format version " + major + "." + minor
          + " at byte 6 (supported: 1.0, 2.0, 3.0)");
    }
    int prefixBytes = major == 1 ? 10 : 12;
    if (got < prefixBytes) {
      throw format(file, "file is " + fileSize + " bytes, too short for the " + prefixBytes
          + "-byte prefix of a version " + major + ".0 .npy file");
    }
    long headerBytes = major == 1
        ? prefix.getShort(8) & 0xFFFFL
        : prefix.getInt(8) & 0xFFFFFFFFL;
    if (headerBytes > MAX_HEADER_BYTES) {
      throw format(file, "header length " + headerBytes + " at byte 8 exceeds the "
          + MAX_HEADER_BYTES + "-byte limit");
    }
    if (prefixBytes + headerBytes > fileSize) {
      throw format(file, "header length " + headerBytes + " at byte 8 runs past the end of the "
          + fileSize + "-byte file (truncated?)");
    }
    ByteBuffer headerBuffer = ByteBuffer.allocate((int) headerBytes);
    readFully(channel, headerBuffer, prefixBytes);
    String header = new String(headerBuffer.array(),
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Header h = new HeaderParser(header, file, prefixBytes).parse();

    long dataStart = prefixBytes + headerBytes;
    long available = fileSize - dataStart;
    String declared = "shape " + Arrays.toString(h.shape) + " of " + h.dtype.descr;
    long count = elementCount(h.shape);
    long dataBytes = count * h.dtype.byteSize;
    if (dataBytes > maxDataBytes) {
      throw format(file, declared + " declares more than " + maxDataBytes
          + " bytes of data, " + limitName);
    }
    if (dataBytes > available) {
      throw format(file, declared + " declares " + dataBytes + " bytes of data but only "
          + available + " follow the header at byte " + dataStart + " (truncated?)");
    }
    if (dataBytes < available) {
      throw format(file, (available - dataBytes) + " trailing bytes at byte "
          + (dataStart + dataBytes) + " after the " + dataBytes + " data bytes " + declared
          + " declares");
    }
    return new Layout(h.dtype, h.shape, dataStart, dataBytes);
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        return;
      }
      at += n;
    }
  }

  private static KilnFormatException format(String file, String message) {
    return new KilnFormatException(file + ": " + message);
  }

  private record Header(DType dtype, int[] shape) {}

  /** A minimal parser of the header's Python dict literal. */
  private static final class HeaderParser {
    private final String text;
    private final String file;
    private final int base;
    private int pos;

    HeaderParser(String text, String file, int base) {
      this.text = text;
      this.file = file;
      this.base = base;
    }

    private KilnFormatException error(String message) {
      return format(file, "header at byte " + (base + pos) + ": " + message + " in header "
          + shown());
    }

    private String shown() {
      String t = text.strip();
      return '"' + (t.length() > 120 ? t.substring(0, 120) + "..." : t) + '"';
    }

    private void skipSpace() {
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    private boolean accept(char c) {
      skipSpace();
      if (pos < text.length() && text.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    private void expect(char c) throws KilnFormatException {
      if (!accept(c)) {
        throw error("expected '" + c + "'" + found());
      }
    }

    private String found() {
      return pos < text.length() ? " but found '" + text.charAt(pos) + "'" : " but the header ended";
    }

    private String string() throws KilnFormatException {
      skipSpace();
      if (pos >= text.length() || (text.charAt(pos) != '\'' && text.charAt(pos) != '"')) {
        throw error("expected a quoted string" + found());
      }
      char quote = text.charAt(pos++);
      int start = pos;
      while (pos < text.length() && text.charAt(pos) != quote) {
        if (text.charAt(pos) == '\\') {
          throw error("escape sequences are not supported in strings");
        }
        pos++;
      }
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      return text.substring(start, pos++);
    }

    private boolean bool() throws KilnFormatException {
      skipSpace();
      if (text.startsWith("True", pos)) {
        pos += 4;
        return true;
      }
      if (text.startsWith("False", pos)) {
        pos += 5;
        return false;
      }
      throw error("expected True or False" + found());
    }

    private int[] tuple() throws KilnFormatException {
      expect('(');
      List<Integer> dims = new ArrayList<>();
      while (!accept(')')) {
        skipSpace();
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
          pos++;
        }
        if (pos == start) {
          throw error("expected a non-negative integer dimension" + found());
        }
        String digits = text.substring(start, pos);
        if (pos < text.length() && text.charAt(pos) == 'L') {
          pos++; // Python 2 long suffix
        }
        long value = digits.length() > 10 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (value > Integer.MAX_VALUE) {
          throw error("dimension " + digits + " is larger than " + Integer.MAX_VALUE);
        }
        if (dims.size() >= MAX_RANK) {
          throw error("more than " + MAX_RANK + " dimensions");
        }
        dims.add((int) value);
        if (!accept(',')) {
          expect(')');
          if (dims.size() == 1) {
            // (3) is an int in Python, not a tuple; NumPy writes (3,)
            pos--;
            throw error("a one-dimensional shape needs a trailing comma, as in (3,)");
          }
          break;
        }
      }
      int[] shape = new int[dims.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = dims.get(i);
      }
      return shape;
    }

    Header parse() throws KilnFormatException {
      expect('{');
      Map<String, Object> values = new HashMap<>();
      while (!accept('}')) {
        int keyPos = pos;
        String key = string();
        expect(':');
        Object value;
        switch (key) {
          case "descr" -> value = string();
          case "fortran_order" -> value = bool();
          case "shape" -> value = tuple();
          default -> {
            pos = keyPos;
            skipSpace();
            throw error("unexpected key '" + key + "' (expected descr, fortran_order, shape)");
          }
        }
        if (values.put(key, value) != null) {
          pos = keyPos;
          skipSpace();
          throw error("duplicate key '" + key + "'");
        }
        if (!accept(',')) {
          expect('}');
          break;
        }
      }
      skipSpace();
      if (pos < text.length()) {
        throw error("unexpected '" + text.charAt(pos) + "' after the dict");
      }
      for (String key : List.of("descr", "fortran_order", "shape")) {
        if (!values.containsKey(key)) {
          throw error("missing key '" + key + "'");
        }
      }
      String descr = (String) values.get("descr");
      DType dtype = DType.fromDescr(descr);
      if (dtype == null) {
        String why = descr.startsWith(">") ? "big-endian data is not supported"
            : "unsupported element type";
        throw format(file, "header: descr '" + descr + "': " + why
            + " (supported: '<f4', '<f8', '<i4', '<i8')");
      }
      if ((Boolean) values.get("fortran_order")) {
        throw format(file, "header: fortran_order True is not supported (write the array in C"
            + " order, e.g. numpy.ascontiguousarray)");
      }
      return new Header(dtype, (int[]) values.get("shape"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /** Writes a float32 array of {@code shape} to {@code path} atomically; see {@link #write}. */
  public static void writeFloat32(Path path, int[] shape, float[] values) throws IOException {
    write(path, NpyArray.ofFloats(shape, values));
  }

  /**
   * Writes an int64 array (NumPy's default integer type, as for class labels) of {@code shape} to
   * {@code path} atomically; see {@link #write}.
   */
  public static void writeInt64(Path path, int[] shape, long[] values) throws IOException {
    write(path, NpyArray.ofLongs(shape, values));
  }

  /**
   * Writes {@code array} to {@code path} atomically: to a temporary file in the same directory
   * that is forced to disk and then renamed over {@code path} (an atomic rename where the file
   * system supports one). On failure the temporary file is deleted and an existing file at {@code
   * path} is left untouched.
   *
   * @throws IOException if writing, forcing or renaming fails
   */
  public static void write(Path path, NpyArray array) throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(array, "array");
    byte[] head = header(array.dtype(), array.shape());
    byte[] data = array.data();
    AtomicFiles.write(path, channel -> {
      AtomicFiles.writeFully(channel, ByteBuffer.wrap(head));
      AtomicFiles.writeFully(channel, ByteBuffer.wrap(data));
    });
  }

  /** Magic, version, header length and the padded header dict, as NumPy writes them. */
  static byte[] header(DType dtype, int[] shape) {
    StringBuilder dict = new StringBuilder("{'descr': '").append(dtype.descr)
        .append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      dict.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    dict.append(shape.length == 1 ? ",), }" : "), }");
    int major = 1;
    int prefix = 10;
    int total = align(prefix + dict.length() + 1);
    if (total - prefix > 0xFFFF) {
      major = 2;
      prefix = 12;
      total = align(prefix + dict.length() + 1);
    }
    while (prefix + dict.length() + 1 < total) {
      dict.append(' ');
    }
    dict.append('\n');
    byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      out.putShort((short) text.length);
    } else {
      out.putInt(text.length);
    }
    out.put(text);
    return out.array();
  }

  private static int align(int n) {
    return (n + ALIGN - 1) / ALIGN * ALIGN;
  }

}
