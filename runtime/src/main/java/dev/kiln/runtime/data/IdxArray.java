package dev.kiln.runtime.data;

import dev.kiln.runtime.data.Idx.ElementType;
import java.util.Arrays;
import java.util.Objects;

/**
 * The contents of one IDX file as {@link Idx#read} returns them: the element type, the shape
 * (item count first, e.g. {@code [60000, 28, 28]} for MNIST images) and the raw element bytes in
 * row-major order exactly as stored in the file, big-endian for multi-byte types.
 *
 * <p>Raw bytes keep a 47 MB image file at 47 MB in memory; {@link #get}, {@link #toFloatArray},
 * {@link Idx#images} and {@link Idx#labels} convert on demand.
 *
 * <p>The shape is copied; {@code data} is not (the accessor returns the array itself, so a large
 * file is never copied): treat it as read-only.
 */
public record IdxArray(ElementType type, int[] shape, byte[] data) {
  /**
   * Checks that the shape and data agree; {@link Idx#read} reports the same problems in a file as
   * {@link dev.kiln.runtime.io.KilnFormatException}s instead.
   *
   * @throws IllegalArgumentException if the rank is not 1 to {@link Idx#MAX_RANK}, a dimension is
   *     negative, or {@code data.length} is not the element count times the element size
   */
  public IdxArray {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    shape = shape.clone();
    if (shape.length < 1 || shape.length > Idx.MAX_RANK) {
      throw new IllegalArgumentException(
          "rank must be 1 to " + Idx.MAX_RANK + ", got shape " + Arrays.toString(shape));
    }
    long bytes = type.byteSize();
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      bytes *= d; // at most 4 dims of < 2^31 and 8-byte elements: overflow is caught below
      if (bytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " of " + type + " exceeds the largest byte array");
      }
    }
    if (bytes != data.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + type
          + " needs " + bytes + " bytes, got " + data.length);
    }
  }

  /** A copy of the shape. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of dimensions, 1 to {@link Idx#MAX_RANK}. */
  public int rank() {
    return shape.length;
  }

  /** The first dimension: the number of items (images, labels, ...). */
  public int itemCount() {
    return shape[0];
  }

  /** Elements per item: the product of all dimensions but the first (1 for rank 1). */
  public int itemSize() {
    int size = 1;
    for (int i = 1; i < shape.length; i++) {
      size *= shape[i]; // validated by the constructor not to overflow
    }
    return size;
  }

  /** Total number of elements: the product of the shape. */
  public int elementCount() {
    return data.length / type.byteSize();
  }

  /**
   * Element {@code index} in row-major order as a float: {@code 0..255} for {@link
   * ElementType#UNSIGNED_BYTE}, the stored value for {@link ElementType#FLOAT}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not below {@link #elementCount()}
   */
  public float get(int index) {
    Objects.checkIndex(index, elementCount());
    return switch (type) {
      case UNSIGNED_BYTE -> data[index] & 0xFF;
      case FLOAT -> Float.intBitsToFloat(bigEndianInt(data, index * 4));
    };
  }

  /** All elements in row-major order as floats, converted as by {@link #get}. */
  public float[] toFloatArray() {
    float[] out = new float[elementCount()];
    switch (type) {
      case UNSIGNED_BYTE -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = data[i] & 0xFF;
        }
      }
      case FLOAT -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.intBitsToFloat(bigEndianInt(data, i * 4));
        }
      }
    }
    return out;
  }

  private static int bigEndianInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8
        | (b[at + 3] & 0xFF);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdxArray a
        && type == a.type
        && Arrays.equals(shape, a.shape)
        && Arrays.equals(data, a.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "IdxArray[" + type + ", " + Arrays.toString(shape) + "]";
  }
}
