package dev.kiln.processor.model;

import java.util.List;

/** {@code @Activation}: an activation as a layer of its own, without parameters. */
public record ActivationLayerSpec(String name, Site site, List<String> inputs, ActivationSpec activation)
    implements LayerSpec {
  public ActivationLayerSpec {
    inputs = List.copyOf(inputs);
  }

  @Override
  public String typeName() {
    return "Activation";
  }
}
