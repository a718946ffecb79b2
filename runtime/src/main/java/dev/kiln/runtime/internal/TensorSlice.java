package dev.kiln.runtime.internal;

import java.util.Arrays;

/**
 * One named parameter tensor inside the flat parameter array: its saved (PyTorch) shape and the
 * layout Kiln stores it in, as a permutation of the saved axes. A Dense weight is saved [out, in]
 * and stored [in, out] ({@code storedOrder = {1, 0}}), so the forward product streams rows of it;
 * a convolution kernel saved [out, in, kh, kw] can be stored in any axis order the same way.
 *
 * @param name the saved name, PyTorch style ({@code hidden.weight})
 * @param offset first element in the flat array
 * @param shape shape as saved (PyTorch layout)
 * @param storedOrder stored axis i is saved axis {@code storedOrder[i]}; the identity when stored as saved
 * @param trainable false for state the optimizer never touches (batch norm's moving statistics);
 *     such tensors sit after every trainable one in the flat array
 * @param permutedShape the saved tensor viewed with more axes, the axes {@code storedOrder}
 *     permutes: a Dense weight after a Flatten is saved [out, C * H * W] (PyTorch's channels-first
 *     flattening) and stored [H, W, C, out], so it is permuted as [out, C, H, W] with order
 *     {2, 3, 1, 0}; the file keeps {@code shape}. Equal to {@code shape} otherwise.
 * @param savedAs empty when the tensor is saved under {@code name}; otherwise the names of the
 *     tensors (each of {@code shape}) whose sum it is in a file: save writes the value under the
 *     first name and zeros under the others, load adds them up. An LSTM keeps Keras's one bias per
 *     gate ({@code lstm.bias}) where PyTorch keeps two ({@code lstm.bias_ih_l0}, {@code
 *     lstm.bias_hh_l0}) that only ever act as their sum.
 */
public record TensorSlice(
    String name, int offset, int[] shape, int[] storedOrder, boolean trainable, int[] permutedShape,
    java.util.List<String> savedAs) {
  /** A tensor whose stored order permutes its saved axes, saved under its own name. */
  public TensorSlice(String name, int offset, int[] shape, int[] storedOrder, boolean trainable) {
    this(name, offset, shape, storedOrder, trainable, shape, java.util.List.of());
  }

  /** A tensor permuted through a view of its saved shape with more axes. */
  public TensorSlice(String name, int offset, int[] shape, int[] storedOrder, boolean trainable, int[] permutedShape) {
    this(name, offset, shape, storedOrder, trainable, permutedShape, java.util.List.of());
  }

  /** A tensor saved as the sum of the tensors {@code savedAs}. */
  public TensorSlice(String name, int offset, int[] shape, int[] storedOrder, boolean trainable,
      java.util.List<String> savedAs) {
    this(name, offset, shape, storedOrder, trainable, shape, savedAs);
  }

  /** A trainable tensor stored as saved. */
  public TensorSlice(String name, int offset, int[] shape) {
    this(name, offset, shape, identity(shape.length), true);
  }

  /** A tensor stored as saved. */
  public TensorSlice(String name, int offset, int[] shape, boolean trainable) {
    this(name, offset, shape, identity(shape.length), trainable);
  }

  /** A trainable tensor stored with its axes permuted. */
  public TensorSlice(String name, int offset, int[] shape, int[] storedOrder) {
    this(name, offset, shape, storedOrder, true);
  }

  public TensorSlice {
    shape = shape.clone();
    storedOrder = storedOrder.clone();
    permutedShape = permutedShape.clone();
    savedAs = java.util.List.copyOf(savedAs);
    if (savedAs.size() == 1) {
      throw new IllegalArgumentException(name + ": a tensor saved as a sum needs two or more names, got " + savedAs);
    }
    if (product(permutedShape) != product(shape)) {
      throw new IllegalArgumentException(name + ": " + Arrays.toString(permutedShape) + " is no view of "
          + Arrays.toString(shape));
    }
    boolean[] seen = new boolean[permutedShape.length];
    if (storedOrder.length != permutedShape.length) {
      throw new IllegalArgumentException(name + ": stored order " + Arrays.toString(storedOrder)
          + " does not permute the " + permutedShape.length + " axes of " + Arrays.toString(permutedShape));
    }
    for (int axis : storedOrder) {
      if (axis < 0 || axis >= permutedShape.length || seen[axis]) {
        throw new IllegalArgumentException(name + ": stored order " + Arrays.toString(storedOrder)
            + " is not a permutation of the axes of " + Arrays.toString(permutedShape));
      }
      seen[axis] = true;
    }
  }

  /** The names it has in a file: {@code name}, or the names of the tensors whose sum it is. */
  public java.util.List<String> savedNames() {
    return savedAs.isEmpty() ? java.util.List.of(name) : savedAs;
  }

  private static long product(int[] dims) {
    long p = 1;
    for (int d : dims) {
      p *= d;
    }
    return p;
  }

  @Override
  public int[] permutedShape() {
    return permutedShape.clone();
  }

  private static int[] identity(int rank) {
    int[] order = new int[rank];
    for (int i = 0; i < rank; i++) {
      order[i] = i;
    }
    return order;
  }

  /** Number of elements. */
  public int size() {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    return size;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public int[] storedOrder() {
    return storedOrder.clone();
  }

  /** The stored shape: the (viewed) saved shape with its axes in stored order. */
  public int[] storedShape() {
    int[] stored = new int[permutedShape.length];
    for (int i = 0; i < permutedShape.length; i++) {
      stored[i] = permutedShape[storedOrder[i]];
    }
    return stored;
  }

  /** True when the stored layout differs from the saved one. */
  public boolean permuted() {
    for (int i = 0; i < storedOrder.length; i++) {
      if (storedOrder[i] != i) {
        return true;
      }
    }
    return false;
  }

  /** The tensor in its saved layout, copied out of the flat array. */
  public float[] read(float[] flat) {
    float[] out = new float[size()];
    if (!permuted()) {
      System.arraycopy(flat, offset, out, 0, out.length);
      return out;
    }
    int[] savedIndex = savedIndexOfStored();
    for (int s = 0; s < out.length; s++) {
      out[savedIndex[s]] = flat[offset + s];
    }
    return out;
  }

  /** Writes {@code values}, given in the saved layout, into the flat array. */
  public void write(float[] values, float[] flat) {
    if (!permuted()) {
      System.arraycopy(values, 0, flat, offset, values.length);
      return;
    }
    int[] savedIndex = savedIndexOfStored();
    for (int s = 0; s < values.length; s++) {
      flat[offset + s] = values[savedIndex[s]];
    }
  }

  /** For each stored position (row-major over the stored shape), the saved position it holds. */
  private int[] savedIndexOfStored() {
    int rank = permutedShape.length;
    int[] savedStrides = new int[rank];
    int stride = 1;
    for (int axis = rank - 1; axis >= 0; axis--) {
      savedStrides[axis] = stride;
      stride *= permutedShape[axis];
    }
    int[] stored = storedShape();
    int[] index = new int[rank];
    int[] result = new int[size()];
    for (int s = 0; s < result.length; s++) {
      int saved = 0;
      for (int i = 0; i < rank; i++) {
        saved += index[i] * savedStrides[storedOrder[i]];
      }
      result[s] = saved;
      for (int i = rank - 1; i >= 0; i--) {
        if (++index[i] < stored[i]) {
          break;
        }
        index[i] = 0;
      }
    }
    return result;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSlice t
        && t.name.equals(name)
        && t.offset == offset
        && Arrays.equals(t.shape, shape)
        && Arrays.equals(t.storedOrder, storedOrder)
        && t.trainable == trainable
        && Arrays.equals(t.permutedShape, permutedShape)
        && t.savedAs.equals(savedAs);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + "@" + offset
        + (permuted() ? " (stored with axes " + Arrays.toString(storedOrder)
            + (Arrays.equals(permutedShape, shape) ? "" : " of " + Arrays.toString(permutedShape)) + ")" : "")
        + (trainable ? "" : " (non-trainable)")
        + (savedAs.isEmpty() ? "" : " (saved as the sum of " + String.join(" + ", savedAs) + ")");
  }
}
