package dev.kiln.runtime.io;

import dev.kiln.safetensors.DType;
import dev.kiln.safetensors.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated safetensors file held in memory, as returned by {@link SafeTensors#read}. Lookups by
 * a name that is missing, or with the wrong dtype or shape, throw {@link KilnFormatException}
 * naming the file and tensor, since they mean the file does not match the network loading it.
 *
 * <p>Immutable and safe to share between threads; every accessor returns fresh arrays or
 * read-only views.
 */
public final class SafeTensorsFile {
  private final Path path;
  private final String source;
  private final Map<String, String> metadata;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, byte[]> data;
  private final List<TensorInfo> tensorList;

  SafeTensorsFile(Path path, String source, Map<String, String> metadata, Map<String, TensorInfo> tensors,
      Map<String, byte[]> data) {
    this.path = path;
    this.source = source;
    this.metadata = metadata;
    this.tensors = tensors;
    this.data = data;
    this.tensorList = List.copyOf(tensors.values());
  }

  /** The path the file was read from; null when it was read from bytes ({@link SafeTensors#read(byte[], String)}). */
  public Path path() {
    return path;
  }

  /** How messages name the file: its path, or the name given to {@link SafeTensors#read(byte[], String)}. */
  public String source() {
    return source;
  }

  /** The {@code "__metadata__"} strings in header order; empty if the file has none. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Every tensor's header entry, in header order. */
  public List<TensorInfo> tensors() {
    return tensorList;
  }

  public boolean contains(String name) {
    Objects.requireNonNull(name, "name");
    return tensors.containsKey(name);
  }

  /** The header entry of tensor {@code name}. */
  public TensorInfo info(String name) throws KilnFormatException {
    Objects.requireNonNull(name, "name");
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new KilnFormatException(source + ": no tensor named \"" + name + "\" (the file has "
          + (tensors.isEmpty() ? "no tensors" : "tensors " + tensors.keySet()) + ")");
    }
    return info;
  }

  /** The data of F32 tensor {@code name} as a new row-major array. */
  public float[] floats(String name) throws KilnFormatException {
    TensorInfo info = requireF32(name);
    float[] out = new float[Math.toIntExact(info.elementCount())];
    floatBuffer(name).get(out);
    return out;
  }

  /**
   * The data of F32 tensor {@code name}, which must have exactly {@code expectedShape} ({@code
   * floats("w", 2, 3)}; no dims means a scalar).
   */
  public float[] floats(String name, long... expectedShape) throws KilnFormatException {
    requireShape(name, expectedShape);
    return floats(name);
  }

  /**
   * Copies the data of F32 tensor {@code name}, which must have exactly {@code expectedShape},
   * into {@code destination[offset, offset + elementCount)}, e.g. a slice of a flat parameter
   * array.
   */
  public void floatsInto(String name, float[] destination, int offset, long... expectedShape)
      throws KilnFormatException {
    Objects.requireNonNull(destination, "destination");
    TensorInfo info = requireShape(name, expectedShape);
    requireF32(name);
    int count = Math.toIntExact(info.elementCount());
    Objects.checkFromIndexSize(offset, count, destination.length);
    floatBuffer(name).get(destination, offset, count);
  }

  /**
   * The data of integer tensor {@code name} (any of I8, I16, I32, I64 and their unsigned twins) as
   * a new row-major array of longs, e.g. PyTorch's {@code num_batches_tracked}.
   *
   * @throws KilnFormatException if the tensor is missing, not of an integer dtype, or a U64 value
   *     exceeds {@link Long#MAX_VALUE}
   */
  public long[] longs(String name) throws KilnFormatException {
    TensorInfo info = info(name);
    DType dtype = info.dtype();
    if (!dtype.isInteger()) {
      throw new KilnFormatException(source + ": tensor \"" + name + "\" has dtype " + dtype
          + ", expected an integer dtype");
    }
    ByteBuffer bytes = ByteBuffer.wrap(data.get(name)).order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[Math.toIntExact(info.elementCount())];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (dtype) {
        case I8 -> bytes.get();
        case U8 -> bytes.get() & 0xFFL;
        case I16 -> bytes.getShort();
        case U16 -> bytes.getShort() & 0xFFFFL;
        case I32 -> bytes.getInt();
        case U32 -> bytes.getInt() & 0xFFFF_FFFFL;
        default -> bytes.getLong(); // I64, U64
      };
      if (dtype == DType.U64 && out[i] < 0) {
        throw new KilnFormatException(source + ": tensor \"" + name + "\" holds U64 value "
            + Long.toUnsignedString(out[i]) + ", above the largest long");
      }
    }
    return out;
  }

  /** The raw little-endian bytes of tensor {@code name}, any dtype, as a read-only view. */
  public ByteBuffer bytes(String name) throws KilnFormatException {
    info(name);
    return ByteBuffer.wrap(data.get(name)).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private FloatBuffer floatBuffer(String name) {
    return ByteBuffer.wrap(data.get(name)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }

  private TensorInfo requireF32(String name) throws KilnFormatException {
    TensorInfo info = info(name);
    if (info.dtype() != DType.F32) {
      throw new KilnFormatException(source + ": tensor \"" + name + "\" has dtype " + info.dtype()
          + ", expected F32");
    }
    return info;
  }

  private TensorInfo requireShape(String name, long[] expectedShape) throws KilnFormatException {
    Objects.requireNonNull(expectedShape, "expectedShape");
    TensorInfo info = info(name);
    long[] shape = info.shape();
    if (!Arrays.equals(shape, expectedShape)) {
      throw new KilnFormatException(source + ": tensor \"" + name + "\" has shape "
          + SafeTensors.shapeString(shape) + ", expected "
          + SafeTensors.shapeString(expectedShape));
    }
    return info;
  }

  @Override
  public String toString() {
    return "SafeTensorsFile[" + source + ", " + tensors.size() + " tensors]";
  }
}
