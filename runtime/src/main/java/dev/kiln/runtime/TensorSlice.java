package dev.kiln.runtime;

import java.util.Arrays;

/**
 * One named parameter tensor inside the flat parameter array.
 *
 * @param name the saved name, PyTorch style ({@code hidden.weight})
 * @param offset first element in the flat array
 * @param shape shape as saved (PyTorch layout: a dense weight is [out, in])
 * @param transposed true when the flat array holds the transpose of {@code shape} (a dense kernel is
 *     kept [in, out] so that the forward product streams rows)
 * @param trainable false for state the optimizer never touches (batch norm's moving statistics);
 *     such tensors sit after every trainable one in the flat array
 */
public record TensorSlice(String name, int offset, int[] shape, boolean transposed, boolean trainable) {
  /** A trainable tensor. */
  public TensorSlice(String name, int offset, int[] shape, boolean transposed) {
    this(name, offset, shape, transposed, true);
  }

  public TensorSlice {
    shape = shape.clone();
    if (transposed && shape.length != 2) {
      throw new IllegalArgumentException("only 2-D tensors can be stored transposed: " + name);
    }
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

  /** The tensor in its saved layout, copied out of the flat array. */
  public float[] read(float[] flat) {
    float[] out = new float[size()];
    if (!transposed) {
      System.arraycopy(flat, offset, out, 0, out.length);
      return out;
    }
    int rows = shape[0];
    int cols = shape[1];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r * cols + c] = flat[offset + c * rows + r];
      }
    }
    return out;
  }

  /** Writes {@code values}, given in the saved layout, into the flat array. */
  public void write(float[] values, float[] flat) {
    if (!transposed) {
      System.arraycopy(values, 0, flat, offset, values.length);
      return;
    }
    int rows = shape[0];
    int cols = shape[1];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        flat[offset + c * rows + r] = values[r * cols + c];
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSlice t
        && t.name.equals(name)
        && t.offset == offset
        && Arrays.equals(t.shape, shape)
        && t.transposed == transposed
        && t.trainable == trainable;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + "@" + offset + (transposed ? " (stored transposed)" : "")
        + (trainable ? "" : " (non-trainable)");
  }
}
