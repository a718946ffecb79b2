package dev.kiln.runtime.data;

import dev.kiln.runtime.data.Npy.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array as stored in a NumPy {@code .npy} file: its element type, its shape
 * (C order; {@code []} for a scalar) and its elements as little-endian bytes.
 *
 * <p>Build one with {@link #ofFloats}, {@link #ofDoubles}, {@link #ofInts} or {@link #ofLongs};
 * read the elements with {@link #toFloatArray()} (converting from any type),
 * {@link #toDoubleArray()}, {@link #toIntArray()} or {@link #toLongArray()}. Arrays are copied in
 * and out, so an instance is immutable.
 */
public record NpyArray(DType dtype, int[] shape, byte[] data) {
  /**
   * @throws IllegalArgumentException if a dimension is negative or {@code data} does not hold
   *     exactly the shape's elements
   */
  public NpyArray {
    Objects.requireNonNull(dtype, "dtype");
    shape = Objects.requireNonNull(shape, "shape").clone();
    data = Objects.requireNonNull(data, "data").clone();
    long count = Npy.elementCount(shape);
    if (count < 0) {
      throw new IllegalArgumentException("invalid shape " + Arrays.toString(shape));
    }
    if (count * dtype.byteSize() != data.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype
          + " needs " + count * dtype.byteSize() + " bytes, got " + data.length);
    }
  }

  /** A float32 array of {@code shape} holding {@code values} (copied). */
  public static NpyArray ofFloats(int[] shape, float[] values) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    ByteBuffer b = buffer(values.length, DType.FLOAT32);
    b.asFloatBuffer().put(values);
    return new NpyArray(DType.FLOAT32, shape, b.array());
  }

  /** A float64 array of {@code shape} holding {@code values} (copied). */
  public static NpyArray ofDoubles(int[] shape, double[] values) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    ByteBuffer b = buffer(values.length, DType.FLOAT64);
    b.asDoubleBuffer().put(values);
    return new NpyArray(DType.FLOAT64, shape, b.array());
  }

  /** An int32 array of {@code shape} holding {@code values} (copied). */
  public static NpyArray ofInts(int[] shape, int[] values) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    ByteBuffer b = buffer(values.length, DType.INT32);
    b.asIntBuffer().put(values);
    return new NpyArray(DType.INT32, shape, b.array());
  }

  /** An int64 array of {@code shape} holding {@code values} (copied). */
  public static NpyArray ofLongs(int[] shape, long[] values) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    ByteBuffer b = buffer(values.length, DType.INT64);
    b.asLongBuffer().put(values);
    return new NpyArray(DType.INT64, shape, b.array());
  }

  private static ByteBuffer buffer(int count, DType type) {
    long bytes = (long) count * type.byteSize();
    if (bytes > Npy.MAX_DATA_BYTES) {
      throw new IllegalArgumentException(count + " elements of " + type + " exceed "
          + Npy.MAX_DATA_BYTES + " bytes");
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The shape, a copy. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** The little-endian element bytes, a copy. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Number of dimensions; 0 for a scalar. */
  public int rank() {
    return shape.length;
  }

  /** Number of elements (1 for a scalar). */
  public int elementCount() {
    return data.length / dtype.byteSize();
  }

  private ByteBuffer view() {
    return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The elements as floats, converting: float64 values are rounded to the nearest float (values
   * beyond float range become infinite), int32 and int64 values to the nearest float (exact up to
   * 2^24 in magnitude).
   */
  public float[] toFloatArray() {
    int n = elementCount();
    float[] out = new float[n];
    ByteBuffer b = view();
    switch (dtype) {
      case FLOAT32 -> b.asFloatBuffer().get(out);
      case FLOAT64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) b.getDouble(8 * i);
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(4 * i);
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getLong(8 * i);
        }
      }
      default -> throw new AssertionError(dtype);
    }
    return out;
  }

  /**
   * The elements as doubles, converting exactly from float32 and int32 and to the nearest double
   * from int64 (exact up to 2^53 in magnitude).
   */
  public double[] toDoubleArray() {
    int n = elementCount();
    double[] out = new double[n];
    ByteBuffer b = view();
    switch (dtype) {
      case FLOAT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getFloat(4 * i);
        }
      }
      case FLOAT64 -> b.asDoubleBuffer().get(out);
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(4 * i);
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getLong(8 * i);
        }
      }
      default -> throw new AssertionError(dtype);
    }
    return out;
  }

  /**
   * The elements as longs: int32 and int64 arrays only.
   *
   * @throws IllegalStateException for a float array
   */
  public long[] toLongArray() {
    int n = elementCount();
    long[] out = new long[n];
    ByteBuffer b = view();
    switch (dtype) {
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(4 * i);
        }
      }
      case INT64 -> b.asLongBuffer().get(out);
      default -> throw new IllegalStateException(dtype + " array has no integer elements");
    }
    return out;
  }

  /**
   * The elements as ints: int32 arrays, and int64 arrays whose values all fit in an int (such as
   * class labels written by NumPy's default integer type).
   *
   * @throws IllegalStateException for a float array or an int64 value outside the int range
   */
  public int[] toIntArray() {
    int n = elementCount();
    int[] out = new int[n];
    ByteBuffer b = view();
    switch (dtype) {
      case INT32 -> b.asIntBuffer().get(out);
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          long v = b.getLong(8 * i);
          if (v != (int) v) {
            throw new IllegalStateException("int64 element " + i + " = " + v
                + " does not fit in an int");
          }
          out[i] = (int) v;
        }
      }
      default -> throw new IllegalStateException(dtype + " array has no integer elements");
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyArray a && a.dtype == dtype && Arrays.equals(a.shape, shape)
        && Arrays.equals(a.data, data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "NpyArray[" + dtype.descr() + " " + Arrays.toString(shape) + "]";
  }
}
