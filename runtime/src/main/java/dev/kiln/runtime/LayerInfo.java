package dev.kiln.runtime;

import java.util.List;

/**
 * What the generated code tells the runtime about one layer: enough for the summary, weight files
 * and layer handles.
 *
 * @param name the declaring method's name
 * @param type the layer kind as the summary shows it ({@code Dense}, {@code Activation})
 * @param outputShape shape of one sample's output
 * @param tensors the layer's parameters in the flat array, in save order
 * @param activation the activation the layer applies last ({@code relu}, {@code linear}, ...), for
 *     the diagnostics
 */
public record LayerInfo(String name, String type, int[] outputShape, List<TensorSlice> tensors, String activation) {
  /** A layer without an activation of its own. */
  public LayerInfo(String name, String type, int[] outputShape, List<TensorSlice> tensors) {
    this(name, type, outputShape, tensors, "linear");
  }

  public LayerInfo {
    outputShape = outputShape.clone();
    tensors = List.copyOf(tensors);
  }

  @Override
  public int[] outputShape() {
    return outputShape.clone();
  }

  /** Number of trainable parameters this layer holds. */
  public int trainableParameterCount() {
    int count = 0;
    for (TensorSlice t : tensors) {
      count += t.trainable() ? t.size() : 0;
    }
    return count;
  }

  /** Number of parameters this layer holds, trainable or not (as Keras's summary counts them). */
  public int parameterCount() {
    int count = 0;
    for (TensorSlice t : tensors) {
      count += t.size();
    }
    return count;
  }
}
