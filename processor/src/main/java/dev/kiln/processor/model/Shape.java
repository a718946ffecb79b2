package dev.kiln.processor.model;

import java.util.Arrays;

/**
 * The shape of one sample (no batch axis), of any rank: {@code (784)}, {@code (26, 26, 32)}. Sizes
 * are computed exactly in {@code long}, so a shape too large for a Java array is caught rather
 * than wrapped.
 */
public final class Shape {
  private final int[] dims;
  private final SavedOrder savedOrder;

  /**
   * How the saved (PyTorch) model orders a flat shape's values, when not as Kiln does: Kiln's axis
   * is the row-major flattening of {@code savedDims} with its axes permuted by {@code order} (Kiln's
   * i-th axis is saved axis {@code order[i]}). A {@code @Flatten} of (H, W, C) gives savedDims
   * [C, H, W] and order {1, 2, 0}: PyTorch's {@code nn.Flatten} of NCHW data is channels-first.
   * Readers with per-feature parameters (Dense) use it to save their weight in PyTorch's order.
   */
  public record SavedOrder(int[] savedDims, int[] order) {
    public SavedOrder {
      savedDims = savedDims.clone();
      order = order.clone();
    }

    @Override
    public int[] savedDims() {
      return savedDims.clone();
    }

    @Override
    public int[] order() {
      return order.clone();
    }
  }

  private Shape(int[] dims, SavedOrder savedOrder) {
    this.dims = dims;
    this.savedOrder = savedOrder;
  }

  /**
   * The most values Kiln puts in one array: {@code Integer.MAX_VALUE - 8}, the largest length
   * HotSpot allocates (larger requests fail with "Requested array size exceeds VM limit"), and the
   * runtime's own limit for a batch buffer.
   */
  public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  public static Shape of(int... dims) {
    return new Shape(dims.clone(), null);
  }

  /** The same dimensions, saved by PyTorch in another order (see {@link SavedOrder}). */
  public Shape savedAs(SavedOrder order) {
    return new Shape(dims, order);
  }

  /** Null when the saved model orders the values as Kiln does. */
  public SavedOrder savedOrder() {
    return savedOrder;
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
    return new Shape(copy, null);
  }

  public int[] toArray() {
    return dims.clone();
  }

  /** Equal dimensions; the saved order is not compared. */
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
