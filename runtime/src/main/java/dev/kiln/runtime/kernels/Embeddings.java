package dev.kiln.runtime.kernels;

/**
 * The Embedding layer's lookup and its backward scatter-add. Token ids arrive as floats (the input
 * buffers are float arrays) and must be integers in [0, vocabulary).
 */
public final class Embeddings {
  private Embeddings() {}

  /**
   * out[r] = table[ids[r]] for {@code rows} ids; {@code table} is [vocabulary, dim] at {@code
   * tableOff}.
   *
   * @throws IllegalArgumentException naming the layer, the position and the value, for an id that is
   *     not an integer in [0, vocabulary)
   */
  public static void lookup(String layer, int rows, int positions, int vocabulary, int dim, float[] ids,
      float[] table, int tableOff, float[] out) {
    for (int r = 0; r < rows; r++) {
      float id = ids[r];
      int row = (int) id;
      if (!(id >= 0 && id < vocabulary && row == id)) {
        throw new IllegalArgumentException("Embedding " + layer + ": token id " + id + " at sample "
            + r / positions + ", position " + r % positions + " is not an integer in [0, " + vocabulary + ")");
      }
      System.arraycopy(table, tableOff + row * dim, out, r * dim, dim);
    }
  }

  /**
   * grads[table] = Σ over rows of grad[r] added into row ids[r] (the table's gradient is
   * overwritten: zeroed first). The ids were checked by {@link #lookup}.
   */
  public static void scatterAdd(int rows, int vocabulary, int dim, float[] ids, float[] grad, float[] grads,
      int gradsOff) {
    java.util.Arrays.fill(grads, gradsOff, gradsOff + vocabulary * dim, 0f);
    for (int r = 0; r < rows; r++) {
      int base = gradsOff + (int) ids[r] * dim;
      for (int j = 0; j < dim; j++) {
        grads[base + j] += grad[r * dim + j];
      }
    }
  }
}
