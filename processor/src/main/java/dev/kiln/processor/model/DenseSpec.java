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
    boolean useBias,
    Initializer biasInit,
    double biasInitValue)
    implements LayerSpec {
  public DenseSpec {
    inputs = List.copyOf(inputs);
  }

  @Override
  public String typeName() {
    return "Dense";
  }
}
