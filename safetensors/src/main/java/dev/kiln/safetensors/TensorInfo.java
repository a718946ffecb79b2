package dev.kiln.safetensors;

import java.util.Arrays;
import java.util.Objects;

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
    return "TensorInfo[" + name + ", " + dtype + ", " + Arrays.toString(shape) + ", [" + begin
        + ", " + end + ")]";
  }
}
