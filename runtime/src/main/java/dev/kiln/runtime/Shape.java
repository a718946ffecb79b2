package dev.kiln.runtime;

import java.util.Arrays;

/**
 * The shape of one sample (no batch axis), of any rank: {@code (784)} for a flat vector,
 * {@code (28, 28, 1)} for an image. Immutable; its size fits a Java array.
 */
public final class Shape {
  private final int[] dims;
  private final int size;

  private Shape(int[] dims) {
    if (dims.length == 0) {
      throw new IllegalArgumentException("a shape has at least one axis");
    }
    long size = 1;
    for (int d : dims) {
      if (d <= 0) {
        throw new IllegalArgumentException("every dimension must be > 0: " + Arrays.toString(dims));
      }
      size *= d;
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more values than an array holds");
      }
    }
    this.dims = dims;
    this.size = (int) size;
  }

  public static Shape of(int... dims) {
    return new Shape(dims.clone());
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int axis) {
    return dims[axis];
  }

  /** The last axis (features, channels). */
  public int last() {
    return dims[dims.length - 1];
  }

  /** Values per sample. */
  public int size() {
    return size;
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

  /** {@code (26, 26, 32)}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < dims.length; i++) {
      s.append(i > 0 ? ", " : "").append(dims[i]);
    }
    return s.append(')').toString();
  }

  /** With a leading batch axis, as Keras's summary prints it: {@code (None, 26, 26, 32)}. */
  public String withBatch() {
    StringBuilder s = new StringBuilder("(None");
    for (int d : dims) {
      s.append(", ").append(d);
    }
    return s.append(')').toString();
  }
}
