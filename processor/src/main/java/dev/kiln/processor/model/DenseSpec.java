package dev.kiln.processor.model;

import dev.kiln.annotations.Initializer;
import java.util.List;

/** {@code @Dense}: y = activation(x W + b). */
public record DenseSpec(
    String name,
    Site site,
    List<String> inputs,
    int units,
    ActivationSpec activation,
    Initializer kernelInit,
    double kernelInitValue,
    double kernelL1,
    double kernelL2,
    boolean useBias,
    Initializer biasInit,
    double biasInitValue,
    boolean trainable)
    implements LayerSpec {
  public DenseSpec {
    inputs = List.copyOf(inputs);
  }

  /** Whether a kernel regularizer adds to the loss. */
  public boolean regularized() {
    return kernelL1 > 0 || kernelL2 > 0;
  }

  @Override
  public String typeName() {
    return "Dense";
  }
}
