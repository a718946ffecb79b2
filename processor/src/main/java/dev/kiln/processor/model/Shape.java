package dev.kiln.processor.model;

import java.util.Arrays;

/**
 * The shape of one sample (no batch axis), of any rank: {@code (784)}, {@code (26, 26, 32)}. Sizes
 * are computed exactly in {@code long}, so a shape too large for a Java array is caught rather
 * than wrapped.
 */
public final class Shape {
  private final int[] dims;

  private Shape(int[] dims) {
    this.dims = dims;
  }

  /**
   * The most values Kiln puts in one array: {@code Integer.MAX_VALUE - 8}, the largest length
   * HotSpot allocates (larger requests fail with "Requested array size exceeds VM limit"), and the
   * runtime's own limit for a batch buffer.
   */
  public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  public static Shape of(int... dims) {
    return new Shape(dims.clone());
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int axis) {
    return dims[axis];
  }

  /** The last axis: features for Dense, channels for images. */
  public int last() {
    return dims[dims.length - 1];
  }

  /** Values per sample, exactly. */
  public long size() {
    long size = 1;
    for (int d : dims) {
      if (Math.multiplyHigh(size, d) != 0 || size * d < 0) {
        return Long.MAX_VALUE; // beyond a long, and so beyond any Java array
      }
      size *= d;
    }
    return size;
  }

  /** Positions the last axis repeats over: size / last (1 for a flat shape). */
  public long positions() {
    return size() / last();
  }

  /** The same shape with the last axis replaced. */
  public Shape withLast(int last) {
    int[] copy = dims.clone();
    copy[copy.length - 1] = last;
    return new Shape(copy);
  }

  public int[] toArray() {
    return dims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(s.dims, dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code (26, 26, 32)}, as Keras prints a sample's shape. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < dims.length; i++) {
      s.append(i > 0 ? ", " : "").append(dims[i]);
    }
    return s.append(")").toString();
  }
}
