package dev.kiln.runtime.data;

import dev.kiln.runtime.io.KilnFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, so data sets in it can be loaded with
 * the JDK alone.
 *
 * <p>Layout: a 4-byte magic number {@code 0x00 0x00 <type code> <rank>}, then {@code rank}
 * big-endian int32 dimension sizes (the item count first), then the elements in row-major order,
 * big-endian. Files may be stored plain or gzip-compressed; gzip is recognised by its {@code 0x1f
 * 0x8b} magic, not by the file name. Element types {@link ElementType#UNSIGNED_BYTE} ({@code
 * 0x08}) and {@link ElementType#FLOAT} ({@code 0x0D}) are supported; the other IDX types are
 * rejected as unsupported.
 *
 * <p>{@link #read} validates the header against what the file can actually hold before allocating
 * the data: exactly the remaining file length for a plain file, at most {@value #MAX_GZIP_RATIO}
 * times the compressed size (deflate's largest expansion) for a gzip file, and never more than
 * {@value #MAX_DATA_BYTES} bytes. Within that bound a gzip file's data is read in 1 MB chunks and
 * the array allocated only when all of it has arrived, so a header that claims more than the file
 * decompresses to costs memory for the real data only. So a malformed or hostile file fails fast with a {@link
 * KilnFormatException} naming the file and the byte offset or problem, never with an {@link
 * OutOfMemoryError} or a runtime exception. Gzip is decoded here on top of {@link Inflater}
 * rather than {@link java.util.zip.GZIPInputStream}, which silently ignores garbage after the
 * last member; every member's CRC-32 and length are checked.
 */
public final class Idx {
  /** Largest rank accepted. */
  public static final int MAX_RANK = 4;

  /** Largest data section {@link #read} holds in memory: the largest Java byte array. */
  public static final int MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

  /** Deflate's maximum expansion ratio, bounding what a gzip file of a given size can contain. */
  public static final int MAX_GZIP_RATIO = 1032;

  private static final int BUFFER_BYTES = 1 << 16;
  private static final int READ_CHUNK_BYTES = 1 << 24;
  private static final int GROW_CHUNK_BYTES = 1 << 20;

  private Idx() {}

  /** The element types {@link #read} supports, with their IDX type codes. */
  public enum ElementType {
    /** Type code {@code 0x08}: unsigned 8-bit integers, as MNIST pixels and labels. */
    UNSIGNED_BYTE(0x08, 1),
    /** Type code {@code 0x0D}: big-endian IEEE 754 32-bit floats. */
    FLOAT(0x0D, 4);

    private final int code;
    private final int byteSize;

    ElementType(int code, int byteSize) {
      this.code = code;
      this.byteSize = byteSize;
    }

    /** The type code, the third byte of the magic number. */
    public int code() {
      return code;
    }

    /** Bytes per element. */
    public int byteSize() {
      return byteSize;
    }

    static ElementType fromCode(int code) {
      for (ElementType t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Reads and validates a whole IDX file, plain or gzip-compressed, into memory.
   *
   * @throws KilnFormatException if the file is not a valid IDX file of a supported element type
   *     (too short for its header, magic not starting with two zero bytes, unsupported type code,
   *     rank 0 or above {@link #MAX_RANK}, negative dimensions, more data declared than {@link
   *     #MAX_DATA_BYTES} or than the file holds, trailing data after the declared elements) or its
   *     gzip compression is corrupt (bad header, deflate data, CRC or length, truncation, garbage
   *     after the last member)
   * @throws IOException if the file cannot be read at all
   */
  public static IdxArray read(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    String file = path.toString();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      ByteBuffer peek = ByteBuffer.allocate(2);
      while (peek.hasRemaining() && channel.read(peek, peek.position()) > 0) {
        // positional reads leave the channel at offset 0
      }
      boolean gzip = peek.position() == 2 && (peek.get(0) & 0xFF) == 0x1f
          && (peek.get(1) & 0xFF) == 0x8b;
      InputStream raw = Channels.newInputStream(channel);
      if (!gzip) {
        return parse(raw, file, fileSize, false);
      }
      try (GzipInput in = new GzipInput(raw, file)) {
        return parse(in, file, fileSize, true);
      }
    }
  }

  /**
   * Maps a plain IDX file into memory instead of reading it: the header gets every check of {@link
   * #read}, the data is not copied, and rows are read on demand (unsigned bytes as 0..255, use
   * {@link MappedArray#dividedBy} for {@link #images}'s scaling), so a file larger than the heap
   * can feed training through {@link Dataset#of(MappedArray, MappedArray)}. A gzip file cannot be
   * mapped: decompress it, or {@link #read} it. The file must not change while mapped.
   *
   * @throws KilnFormatException as {@link #read}, or for a gzip file
   */
  public static MappedArray map(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    String file = path.toString();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      InputStream raw = Channels.newInputStream(channel);
      byte[] peek = new byte[2];
      int got = readFully(raw, peek, 0, 2);
      if (got == 2 && (peek[0] & 0xFF) == 0x1f && (peek[1] & 0xFF) == 0x8b) {
        throw format(file, "a gzip-compressed IDX file cannot be mapped; decompress it (gunzip) or read it with"
            + " Idx.read");
      }
      channel.position(0);
      Header header = header(Channels.newInputStream(channel), file, fileSize, false, MappedArray.MAX_BYTES,
          "the mapping limit");
      MappedArray.Element element = header.type == ElementType.UNSIGNED_BYTE
          ? MappedArray.Element.U8 : MappedArray.Element.F32;
      return MappedArray.map(channel, file, header.headerBytes, header.shape, element, ByteOrder.BIG_ENDIAN);
    }
  }

  private static IdxArray parse(InputStream in, String file, long fileSize, boolean gzip)
      throws IOException {
    String stream = gzip ? "decompressed stream" : "file";
    Header header = header(in, file, fileSize, gzip, MAX_DATA_BYTES, "the largest Java array");
    ElementType type = header.type;
    int[] shape = header.shape;
    int headerBytes = header.headerBytes;
    long dataBytes = header.dataBytes;
    String declared = "shape " + Arrays.toString(shape) + " of " + typeName(type);
    int got;
    // A plain file's length was checked above, so its data is really there. A gzip file's
    // header may still lie within the ratio bound (2 MB of compressed data may claim 2 GB), so
    // its data is gathered in chunks as it arrives and the full array is allocated only once
    // every declared byte has been read: memory stays proportional to the data actually present.
    byte[] data = gzip ? readChunked(in, dataBytes) : new byte[(int) dataBytes];
    got = gzip ? data.length : readFully(in, data, 0, data.length);
    if (got < dataBytes) {
      throw format(file, stream + " ends at byte " + (headerBytes + got) + ", after " + got
          + " of the " + dataBytes + " data bytes " + declared + " declares (truncated?)");
    }
    if (in.read() >= 0) {
      throw format(file, stream + " has trailing data at byte " + (headerBytes + dataBytes)
          + ", after the " + dataBytes + " data bytes " + declared + " declares");
    }
    return new IdxArray(type, shape, data);
  }

  private record Header(ElementType type, int[] shape, int headerBytes, long dataBytes) {}

  /** Reads and checks the magic and dimensions; for a plain file, the data's length too. */
  private static Header header(InputStream in, String file, long fileSize, boolean gzip, long maxDataBytes,
      String limitName) throws IOException {
    String stream = gzip ? "decompressed stream" : "file";
    byte[] magic = new byte[4];
    int got = readFully(in, magic, 0, 4);
    if (got < 4) {
      throw format(file, stream + " is " + got + " bytes, too short for the 4-byte IDX magic"
          + " number");
    }
    if (magic[0] != 0 || magic[1] != 0) {
      throw format(file, String.format("bad magic number 0x%02X%02X%02X%02X at byte 0: an IDX"
          + " file starts with two zero bytes", magic[0], magic[1], magic[2], magic[3]));
    }
    int code = magic[2] & 0xFF;
    ElementType type = ElementType.fromCode(code);
    if (type == null) {
      throw format(file, String.format("unsupported element type 0x%02X%s at byte 2 (supported:"
          + " 0x08 unsigned byte, 0x0D float)", code, unsupportedTypeName(code)));
    }
    int rank = magic[3] & 0xFF;
    if (rank < 1 || rank > MAX_RANK) {
      throw format(file, "rank " + rank + " at byte 3 is not supported (1 to " + MAX_RANK + ")");
    }
    int headerBytes = 4 + 4 * rank;
    byte[] dims = new byte[4 * rank];
    got = readFully(in, dims, 0, dims.length);
    if (got < dims.length) {
      throw format(file, stream + " is " + (4 + got) + " bytes, too short for the " + headerBytes
          + "-byte header of a rank-" + rank + " IDX file");
    }
    int[] shape = new int[rank];
    for (int i = 0; i < rank; i++) {
      int at = 4 * i;
      shape[i] = (dims[at] & 0xFF) << 24 | (dims[at + 1] & 0xFF) << 16
          | (dims[at + 2] & 0xFF) << 8 | (dims[at + 3] & 0xFF);
      if (shape[i] < 0) {
        throw format(file, "dimension " + i + " at byte " + (4 + at) + " is negative ("
            + shape[i] + ")");
      }
    }
    String declared = "shape " + Arrays.toString(shape) + " of " + typeName(type);
    long dataBytes = dataBytes(shape, type, maxDataBytes);
    if (dataBytes > maxDataBytes) {
      throw format(file, declared + " declares more than " + maxDataBytes
          + " bytes of data, " + limitName);
    }
    if (!gzip) {
      long available = fileSize - headerBytes;
      if (dataBytes > available) {
        throw format(file, declared + " declares " + dataBytes + " bytes of data but only "
            + available + " follow the " + headerBytes + "-byte header (truncated?)");
      }
      if (dataBytes < available) {
        throw format(file, (available - dataBytes) + " trailing bytes at byte "
            + (headerBytes + dataBytes) + " after the " + dataBytes + " data bytes " + declared
            + " declares");
      }
    } else if (headerBytes + dataBytes > MAX_GZIP_RATIO * fileSize) {
      throw format(file, declared + " declares " + dataBytes + " bytes of data, more than a "
          + fileSize + "-byte gzip file can hold (deflate expands at most " + MAX_GZIP_RATIO
          + ":1)");
    }
    return new Header(type, shape, headerBytes, dataBytes);
  }

  /** Bytes the shape's elements take, or {@code limit + 1} if more than that. */
  private static long dataBytes(int[] shape, ElementType type, long limit) {
    for (int d : shape) {
      if (d == 0) {
        return 0;
      }
    }
    long bytes = type.byteSize();
    for (int d : shape) {
      if (bytes > limit / d) {
        return limit + 1L; // checked before multiplying: no long overflow
      }
      bytes *= d;
    }
    return bytes;
  }

  /**
   * Reads up to {@code total} bytes in chunks of at most {@value #GROW_CHUNK_BYTES} bytes, so no
   * more memory is taken than about twice the bytes actually read; returns exactly the bytes read
   * (fewer than {@code total} if the stream ended early).
   */
  private static byte[] readChunked(InputStream in, long total) throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    long read = 0;
    while (read < total) {
      byte[] chunk = new byte[(int) Math.min(GROW_CHUNK_BYTES, total - read)];
      int n = readFully(in, chunk, 0, chunk.length);
      read += n;
      chunks.add(n == chunk.length ? chunk : Arrays.copyOf(chunk, n));
      if (n < chunk.length) {
        break;
      }
    }
    if (chunks.size() == 1 && read == total) {
      return chunks.get(0);
    }
    byte[] data = new byte[(int) read];
    int at = 0;
    for (byte[] chunk : chunks) {
      System.arraycopy(chunk, 0, data, at, chunk.length);
      at += chunk.length;
    }
    return data;
  }

  /** Reads up to {@code len} bytes, stopping only at the end of the stream; returns the count. */
  private static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int n = in.read(b, off + done, Math.min(len - done, READ_CHUNK_BYTES));
      if (n < 0) {
        break;
      }
      done += n;
    }
    return done;
  }

  private static String typeName(ElementType type) {
    return switch (type) {
      case UNSIGNED_BYTE -> "unsigned byte";
      case FLOAT -> "float";
    };
  }

  private static String unsupportedTypeName(int code) {
    return switch (code) {
      case 0x09 -> " (signed byte)";
      case 0x0B -> " (short)";
      case 0x0C -> " (int)";
      case 0x0E -> " (double)";
      default -> " (not an IDX type)";
    };
  }

  static KilnFormatException format(String file, String message) {
    return new KilnFormatException(file + ": " + message);
  }

  // ---------------------------------------------------------------------------------------------
  // Conversions

  /**
   * Flattens each item of an unsigned-byte array (e.g. {@code [n, 28, 28]} images) into one row of
   * {@link IdxArray#itemSize()} floats, each byte scaled to {@code [0, 1]} as {@code value /
   * 255f}.
   *
   * @throws IllegalArgumentException if the array is not {@link ElementType#UNSIGNED_BYTE} of rank
   *     2 or more
   */
  public static float[][] images(IdxArray array) {
    Objects.requireNonNull(array, "array");
    if (array.type() != ElementType.UNSIGNED_BYTE || array.rank() < 2) {
      throw new IllegalArgumentException(
          "images need unsigned bytes of rank 2 or more, got " + array);
    }
    byte[] data = array.data();
    int rows = array.itemCount();
    int columns = array.itemSize();
    float[][] out = new float[rows][columns];
    int k = 0;
    for (float[] row : out) {
      for (int j = 0; j < columns; j++) {
        row[j] = (data[k++] & 0xFF) / 255f;
      }
    }
    return out;
  }

  /**
   * The values of a rank-1 unsigned-byte array (e.g. class labels) as ints {@code 0..255}.
   *
   * @throws IllegalArgumentException if the array is not {@link ElementType#UNSIGNED_BYTE} of rank
   *     1
   */
  public static int[] labels(IdxArray array) {
    Objects.requireNonNull(array, "array");
    if (array.type() != ElementType.UNSIGNED_BYTE || array.rank() != 1) {
      throw new IllegalArgumentException("labels need unsigned bytes of rank 1, got " + array);
    }
    byte[] data = array.data();
    int[] out = new int[data.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = data[i] & 0xFF;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Gzip (RFC 1952)

  /**
   * Decompresses a gzip file of one or more members, checking each member's header, CRC-32 and
   * length and rejecting anything after the last member. Errors name the compressed byte offset.
   */
  private static final class GzipInput extends InputStream {
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;
    private static final int RESERVED_FLAGS = 0xE0;

    private final InputStream raw;
    private final String file;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final CRC32 headerCrc = new CRC32();
    private int position;
    private int limit;
    private long bufferStart; // file offset of buffer[0]
    private boolean inMember;
    private boolean done;
    private int members;
    private long memberStart;
    private long memberBytes;

    GzipInput(InputStream raw, String file) {
      this.raw = raw;
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      int idle = 0;
      while (!done) {
        if (!inMember) {
          startMember();
          continue;
        }
        int n;
        try {
          n = inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
          throw format(file, "corrupt deflate data in the gzip member at byte " + memberStart
              + " (" + e.getMessage() + ")", e);
        }
        if (n > 0) {
          crc.update(b, off, n);
          memberBytes += n;
          return n;
        }
        if (inflater.finished()) {
          position = limit - inflater.getRemaining();
          finishMember();
        } else if (inflater.needsInput()) {
          if (!refill()) {
            throw format(file, "gzip data ends at byte " + offset() + " inside the compressed"
                + " data of the member at byte " + memberStart + " (truncated?)");
          }
          inflater.setInput(buffer, position, limit - position);
          position = limit;
        } else if (inflater.needsDictionary() || ++idle > 2) {
          throw format(file, "corrupt deflate data in the gzip member at byte " + memberStart
              + " (needs a preset dictionary or makes no progress)");
        }
      }
      return -1;
    }

    /** Parses a member header, or ends the stream at a clean end of file after a member. */
    private void startMember() throws IOException {
      memberStart = offset();
      int id1 = nextByte();
      if (id1 < 0 && members > 0) {
        done = true;
        return;
      }
      int id2 = nextByte();
      if (id1 != 0x1f || id2 != 0x8b) {
        throw format(file, "garbage at byte " + memberStart + " after the gzip data (expected"
            + " another gzip member or the end of the file)");
      }
      headerCrc.reset();
      headerCrc.update(0x1f);
      headerCrc.update(0x8b);
      int method = headerByte();
      if (method != 8) {
        throw format(file, "gzip member at byte " + memberStart + " uses compression method "
            + method + ", not deflate (8)");
      }
      int flags = headerByte();
      if ((flags & RESERVED_FLAGS) != 0) {
        throw format(file, String.format("gzip member at byte %d sets reserved flag bits 0x%02X",
            memberStart, flags & RESERVED_FLAGS));
      }
      for (int i = 0; i < 6; i++) { // mtime, extra flags, operating system
        headerByte();
      }
      if ((flags & FEXTRA) != 0) {
        int extraLength = headerByte() | headerByte() << 8;
        for (int i = 0; i < extraLength; i++) {
          headerByte();
        }
      }
      if ((flags & FNAME) != 0) {
        while (headerByte() != 0) {
          // skip the zero-terminated file name
        }
      }
      if ((flags & FCOMMENT) != 0) {
        while (headerByte() != 0) {
          // skip the zero-terminated comment
        }
      }
      if ((flags & FHCRC) != 0) {
        int expected = (int) headerCrc.getValue() & 0xFFFF;
        int stored = headerByte() | headerByte() << 8;
        if (stored != expected) {
          throw format(file, "gzip member at byte " + memberStart + " fails its header CRC");
        }
      }
      inflater.reset();
      crc.reset();
      memberBytes = 0;
      members++;
      inMember = true;
      if (position < limit) {
        inflater.setInput(buffer, position, limit - position);
        position = limit;
      }
    }

    private void finishMember() throws IOException {
      long storedCrc = trailerInt();
      long storedSize = trailerInt();
      if (storedCrc != crc.getValue()) {
        throw format(file, String.format("gzip member at byte %d fails its CRC-32 check (stored"
            + " 0x%08X, computed 0x%08X): the data is corrupt", memberStart, storedCrc,
            crc.getValue()));
      }
      if (storedSize != (memberBytes & 0xFFFFFFFFL)) {
        throw format(file, "gzip member at byte " + memberStart + " decompresses to "
            + memberBytes + " bytes but its trailer says " + storedSize + " (mod 2^32)");
      }
      inMember = false;
    }

    private long trailerInt() throws IOException {
      long value = 0;
      for (int i = 0; i < 4; i++) {
        int b = nextByte();
        if (b < 0) {
          throw format(file, "gzip data ends at byte " + offset() + " inside the trailer of the"
              + " member at byte " + memberStart + " (truncated?)");
        }
        value |= (long) b << (8 * i);
      }
      return value;
    }

    private int headerByte() throws IOException {
      int b = nextByte();
      if (b < 0) {
        throw format(file, "gzip data ends at byte " + offset() + " inside the header of the"
            + " member at byte " + memberStart + " (truncated?)");
      }
      headerCrc.update(b);
      return b;
    }

    private int nextByte() throws IOException {
      if (position == limit && !refill()) {
        return -1;
      }
      return buffer[position++] & 0xFF;
    }

    /** Replaces the consumed buffer with the next bytes of the file; false at its end. */
    private boolean refill() throws IOException {
      bufferStart += limit;
      position = 0;
      limit = 0;
      int n;
      do {
        n = raw.read(buffer, 0, buffer.length);
      } while (n == 0);
      if (n < 0) {
        return false;
      }
      limit = n;
      return true;
    }

    private long offset() {
      return bufferStart + position;
    }

    @Override
    public void close() {
      inflater.end();
    }
  }

  private static KilnFormatException format(String file, String message, Throwable cause) {
    return new KilnFormatException(file + ": " + message, cause);
  }
}
