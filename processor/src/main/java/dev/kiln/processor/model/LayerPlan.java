package dev.kiln.processor.model;

import java.util.List;

/**
 * A layer with everything shape inference decided: its input and output shapes, where its
 * parameters sit in the flat array, and which buffers it reads and writes.
 *
 * @param spec the declaration
 * @param index position in execution order
 * @param input the previous layer, null for the first
 * @param inputShape shape of one input sample
 * @param outputShape shape of one output sample
 * @param tensors the parameter tensors in save order
 * @param lossFused true when the loss's gradient lands directly on this layer's pre-activation
 *     (softmax + cross-entropy, sigmoid + binary cross-entropy)
 */
public record LayerPlan(
    LayerSpec spec,
    int index,
    LayerPlan input,
    int[] inputShape,
    int[] outputShape,
    List<TensorPlan> tensors,
    boolean lossFused) {
  public LayerPlan {
    inputShape = inputShape.clone();
    outputShape = outputShape.clone();
    tensors = List.copyOf(tensors);
  }

  public String name() {
    return spec.name();
  }

  public boolean isFirst() {
    return input == null;
  }

  public int inputSize() {
    return product(inputShape);
  }

  public int outputSize() {
    return product(outputShape);
  }

  public int parameterCount() {
    int count = 0;
    for (TensorPlan t : tensors) {
      count += t.size();
    }
    return count;
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public int[] outputShape() {
    return outputShape.clone();
  }

  static int product(int[] shape) {
    int p = 1;
    for (int d : shape) {
      p *= d;
    }
    return p;
  }

  /**
   * A parameter tensor.
   *
   * @param suffix {@code weight} or {@code bias}: saved as {@code <layer>.<suffix>}
   * @param offset first element in the flat array
   * @param savedShape shape in the saved (PyTorch) layout
   * @param transposed true when the flat array holds the transpose of {@code savedShape}
   * @param trainable false for state the optimizer never touches (batch norm's moving statistics)
   */
  public record TensorPlan(String suffix, int offset, int[] savedShape, boolean transposed, boolean trainable) {
    public TensorPlan {
      savedShape = savedShape.clone();
    }

    @Override
    public int[] savedShape() {
      return savedShape.clone();
    }

    public int size() {
      return product(savedShape);
    }
  }
}
