package dev.kiln.processor.model;

import dev.kiln.annotations.ActivationFunction;
import java.util.List;

/** A checked network with shapes and parameter layout decided: what the emitters consume. */
public record NetworkPlan(NetworkSpec spec, List<LayerPlan> layers, int parameterCount, int trainableCount) {
  public NetworkPlan {
    layers = List.copyOf(layers);
  }

  public LayerPlan output() {
    return layers.get(layers.size() - 1);
  }

  public int inputSize() {
    return LayerPlan.product(spec.inputShape());
  }

  public int outputSize() {
    return output().outputSize();
  }

  /** The activation the network ends with. */
  public ActivationSpec outputActivation() {
    return activationOf(output().spec());
  }

  private static final ActivationSpec LINEAR =
      new ActivationSpec(dev.kiln.annotations.ActivationFunction.LINEAR, Double.NaN, 1.0);

  /** The activation a layer applies last: a Dense or Activation layer's own, linear for the others. */
  public static ActivationSpec activationOf(LayerSpec layer) {
    if (layer instanceof DenseSpec dense) {
      return dense.activation();
    }
    if (layer instanceof ActivationLayerSpec activation) {
      return activation.activation();
    }
    return LINEAR;
  }

  public boolean endsWith(ActivationFunction function) {
    return outputActivation().function() == function;
  }
}
