package dev.kiln.runtime.internal;

import dev.kiln.runtime.Shape;

import java.util.List;

/**
 * What the generated code tells the runtime about one node of the network: enough for the
 * summary, weight files and layer handles.
 *
 * @param name the declaring method's name ({@code input} for the input of {@code @Network(input)})
 * @param type the layer kind as Keras's summary shows it ({@code Dense}, {@code InputLayer})
 * @param outputShape shape of one sample's output
 * @param inputs the names of the nodes this one reads, in order (empty for a network input)
 * @param tensors the layer's parameters in the flat array, in save order
 * @param activation the activation the layer applies last ({@code relu}, {@code linear}, ...), for
 *     the diagnostics
 */
public record LayerInfo(
    String name, String type, Shape outputShape, List<String> inputs, List<TensorSlice> tensors, String activation) {
  public LayerInfo {
    inputs = List.copyOf(inputs);
    tensors = List.copyOf(tensors);
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
