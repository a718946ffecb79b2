package dev.kiln.processor.model;

import java.util.List;

/**
 * A node of the planned graph: a declared layer (or a network input) with its input edges, its
 * shapes and where its parameters sit in the flat array.
 *
 * @param spec the declaration
 * @param index position in execution order (source order; inputs come before their readers)
 * @param inputs the nodes this one reads, in parameter order; empty for a network input
 * @param outputShape shape of one output sample
 * @param tensors the parameter tensors in save order
 * @param lossFused true when the loss's gradient lands directly on this layer's logits
 *     (softmax + cross-entropy, sigmoid + binary cross-entropy)
 */
public record LayerPlan(
    LayerSpec spec, int index, List<LayerPlan> inputs, Shape outputShape, List<TensorPlan> tensors,
    boolean lossFused) {
  public LayerPlan {
    inputs = List.copyOf(inputs);
    tensors = List.copyOf(tensors);
  }

  public String name() {
    return spec.name();
  }

  public boolean isInput() {
    return spec.isInput();
  }

  public Shape inputShape(int i) {
    return inputs.get(i).outputShape();
  }

  public long parameterCount() {
    long count = 0;
    for (TensorPlan t : tensors) {
      count += t.size();
    }
    return count;
  }


  /** True when some tensor of this layer is trained. */
  public boolean trainable() {
    return tensors.stream().anyMatch(t -> t.parameter().trainable());
  }

  /**
   * A parameter tensor placed in the flat array.
   *
   * @param parameter what the layer kind declared
   * @param offset first element in the flat array
   */
  public record TensorPlan(Parameter parameter, int offset) {
    public String suffix() {
      return parameter.suffix();
    }

    public int size() {
      return (int) parameter.savedShape().size();
    }
  }
}
