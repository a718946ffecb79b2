package dev.kiln.runtime;

import java.util.List;

/**
 * The static description a generated network hands the runtime.
 *
 * @param name the declaring type's simple name
 * @param inputShape shape of one input sample
 * @param outputSize values per output sample
 * @param targetSize values per target sample (1 for class-index targets)
 * @param loss the loss's name as Keras spells it, for progress lines
 * @param accuracy the accuracy metric the loss implies
 * @param layers the layers in execution order
 */
public record NetworkInfo(
    String name,
    int[] inputShape,
    int outputSize,
    int targetSize,
    String loss,
    Accuracy accuracy,
    List<LayerInfo> layers) {
  public NetworkInfo {
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Values per input sample. */
  public int inputSize() {
    int size = 1;
    for (int d : inputShape) {
      size *= d;
    }
    return size;
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
}
