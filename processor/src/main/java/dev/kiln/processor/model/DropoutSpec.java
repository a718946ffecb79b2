package dev.kiln.processor.model;

import java.util.List;

/** {@code @Dropout}: inverted dropout in training, identity at inference. */
public record DropoutSpec(String name, Site site, List<String> inputs, double rate) implements LayerSpec {
  public DropoutSpec {
    inputs = List.copyOf(inputs);
  }

  @Override
  public String typeName() {
    return "Dropout";
  }
}
