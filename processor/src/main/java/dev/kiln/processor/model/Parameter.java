package dev.kiln.processor.model;

import dev.kiln.annotations.Initializer;

/**
 * A parameter tensor a layer kind declares: its saved name and shape (PyTorch's layout), how Kiln
 * stores it, how it starts and what regularizes it.
 *
 * @param suffix saved as {@code <layer>.<suffix>}: {@code weight}, {@code bias}, {@code running_mean}
 * @param savedShape shape in the saved (PyTorch) layout
 * @param storedOrder the stored layout as a permutation of the saved axes: stored axis i is saved
 *     axis {@code storedOrder[i]}; {@code {1, 0}} keeps a saved [out, in] Dense weight as [in, out]
 * @param trainable false for state the optimizer never touches (batch norm's moving statistics)
 *     and for frozen layers
 * @param init how {@code initialize} fills it
 * @param initValue the value for {@link Initializer#CONSTANT}
 * @param fanIn inputs per output unit, for the variance-scaling initializers
 * @param fanOut outputs per input unit, for the Glorot initializers
 * @param l1 L1 penalty strength added to the loss (0 for none)
 * @param l2 L2 penalty strength added to the loss (0 for none)
 * @param permutedShape the saved tensor viewed with more axes for the permutation (a Dense weight
 *     after a Flatten: saved [out, C * H * W], permuted as [out, C, H, W]); {@code savedShape}
 *     itself when the permutation acts on the saved axes
 * @param savedAs empty when saved as {@code <layer>.<suffix>}; otherwise the suffixes of the
 *     tensors whose sum it is in a file (an LSTM's one bias is PyTorch's {@code bias_ih_l0} +
 *     {@code bias_hh_l0}): saved as the value and zeros, loaded as the sum
 */
public record Parameter(
    String suffix, Shape savedShape, int[] storedOrder, boolean trainable, Initializer init, double initValue,
    long fanIn, long fanOut, double l1, double l2, Shape permutedShape, java.util.List<String> savedAs) {
  public Parameter {
    storedOrder = storedOrder.clone();
    if (permutedShape == null) {
      permutedShape = savedShape;
    }
    savedAs = java.util.List.copyOf(savedAs);
  }

  /** A parameter whose permutation acts on its saved axes, saved under its own suffix. */
  public Parameter(
      String suffix, Shape savedShape, int[] storedOrder, boolean trainable, Initializer init, double initValue,
      long fanIn, long fanOut, double l1, double l2) {
    this(suffix, savedShape, storedOrder, trainable, init, initValue, fanIn, fanOut, l1, l2, savedShape,
        java.util.List.of());
  }

  /** A parameter permuted through a view of its saved tensor with more axes. */
  public Parameter(
      String suffix, Shape savedShape, int[] storedOrder, boolean trainable, Initializer init, double initValue,
      long fanIn, long fanOut, double l1, double l2, Shape permutedShape) {
    this(suffix, savedShape, storedOrder, trainable, init, initValue, fanIn, fanOut, l1, l2, permutedShape,
        java.util.List.of());
  }

  /** A parameter saved as the sum of the tensors {@code savedAs}. */
  public Parameter(String suffix, Shape savedShape, int[] storedOrder, boolean trainable, Initializer init,
      double initValue, long fanIn, long fanOut, double l1, double l2, java.util.List<String> savedAs) {
    this(suffix, savedShape, storedOrder, trainable, init, initValue, fanIn, fanOut, l1, l2, savedShape, savedAs);
  }

  /** True when the permutation acts on a view of the saved tensor with more axes. */
  public boolean viewed() {
    return !permutedShape.equals(savedShape);
  }

  /** The suffixes it has in a file: its own, or those of the tensors whose sum it is. */
  public java.util.List<String> savedSuffixes() {
    return savedAs.isEmpty() ? java.util.List.of(suffix) : savedAs;
  }

  /** The stored shape: the saved shape with its axes in stored order. */
  public Shape storedShape() {
    int[] stored = new int[storedOrder.length];
    for (int i = 0; i < stored.length; i++) {
      stored[i] = savedShape.dim(storedOrder[i]);
    }
    return Shape.of(stored);
  }

  /** A parameter stored in its saved layout, without a regularizer. */
  public static Parameter plain(String suffix, Shape shape, boolean trainable, Initializer init, double value) {
    int[] identity = new int[shape.rank()];
    for (int i = 0; i < identity.length; i++) {
      identity[i] = i;
    }
    return new Parameter(suffix, shape, identity, trainable, init, value, 0, 0, 0, 0, shape);
  }

  @Override
  public int[] storedOrder() {
    return storedOrder.clone();
  }

  public boolean regularized() {
    return l1 > 0 || l2 > 0;
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
}
