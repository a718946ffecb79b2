package dev.kiln.runtime.internal;

import dev.kiln.runtime.Shape;

import java.util.List;

/**
 * The static description a generated network hands the runtime.
 *
 * @param name the declaring type's simple name
 * @param inputs the network's inputs in declaration order (one for {@code @Network(input)})
 * @param outputSize values per output sample
 * @param targetSize values per target sample (1 per position for class-index targets)
 * @param loss the loss's name as Keras spells it, followed by {@code " (from logits)"} when the
 *     network's output is logits ({@code @Network(fromLogits = true)})
 * @param accuracy the accuracy metric the loss implies
 * @param layers the layers in execution order (inputs not included)
 */
public record NetworkInfo(
    String name,
    List<LayerInfo> inputs,
    int outputSize,
    int targetSize,
    String loss,
    Accuracy accuracy,
    List<LayerInfo> layers) {
  public NetworkInfo {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("a network has at least one input");
    }
    inputs = List.copyOf(inputs);
    layers = List.copyOf(layers);
  }

  /** A network with one input of {@code inputShape}, named {@code input}. */
  public NetworkInfo(String name, Shape inputShape, int outputSize, int targetSize, String loss, Accuracy accuracy,
      List<LayerInfo> layers) {
    this(name, List.of(new LayerInfo("input", "InputLayer", inputShape, List.of(), List.of(), "linear")), outputSize,
        targetSize, loss, accuracy, layers);
  }

  /** Values per sample of the only input. */
  /** Whether the output is logits that the loss turns into probabilities ({@code @Network(fromLogits = true)}). */
  public boolean fromLogits() {
    return loss.endsWith(" (from logits)");
  }

  public int inputSize() {
    if (inputs.size() != 1) {
      throw new IllegalStateException(name + " has " + inputs.size() + " inputs; use inputs()");
    }
    return inputs.get(0).outputShape().size();
  }

  /** Values per sample of input {@code i}. */
  public int inputSize(int i) {
    return inputs.get(i).outputShape().size();
  }

  /** The output layer: the last one. */
  public LayerInfo output() {
    return layers.get(layers.size() - 1);
  }

  /** Trainable parameters of all layers: the first this many entries of the flat array. */
  public int trainableParameterCount() {
    int count = 0;
    for (LayerInfo layer : layers) {
      count += layer.trainableParameterCount();
    }
    return count;
  }

  /** Parameters of all layers, trainable or not. */
  public int parameterCount() {
    int count = 0;
    for (LayerInfo layer : layers) {
      count += layer.parameterCount();
    }
    return count;
  }

  /** True when some layer reads several inputs or not its predecessor: the summary then lists edges. */
  public boolean isGraph() {
    if (inputs.size() > 1) {
      return true;
    }
    String previous = inputs.get(0).name();
    for (LayerInfo layer : layers) {
      if (layer.inputs().size() != 1 || !layer.inputs().get(0).equals(previous)) {
        return true;
      }
      previous = layer.name();
    }
    return false;
  }
}
